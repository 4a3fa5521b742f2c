"""The person's journey on a self-completion link, on the demo.

A worker makes a link on the person's page for the loneliness questions (UCLA-3)
due now; the person opens it on a 320 px wide phone, answers every question, sees
their results, then their progress with the right "since you started" and "since
last time" wording, and opens the sheet to keep (one page, the summary first).
The link is then used up: opening it again, or sending the same answers again, is
refused with a clear message and stores nothing.

The person followed is the one on the demo worker's caseload with loneliness
questions due now and the most earlier scores, the first and the latest of which
differ (so "since you started" and "since last time" differ and a mix-up would
show). The link asks for the earliest of their due loneliness questions.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import Membership
from openproms.audit.models import AuditEvent
from openproms.collection.answer_selectors import due_time_points
from openproms.collection.models import (
    Administration,
    ScaleResult,
    SelfCompletionLink,
    TimePoint,
)
from openproms.people.models import ServiceUser
from openproms.people.selectors import service_users_for
from openproms.reports.progress_pdf import progress_pdf
from openproms.reports.progress_services import person_progress
from openproms.scoring import get_measure
from tests.browser.helpers import check_page

pytestmark = pytest.mark.browser

WORKER = "worker@riverside.example"
UCLA3 = get_measure("ucla3")
SCALE_NAME = "UCLA-3 total"  # the scale's display name in the measure definition


def _ucla3_history(person: ServiceUser) -> list[float]:
    return [
        r.value
        for r in ScaleResult.objects.filter(
            administration__service_user=person,
            administration__measure_id="ucla3",
            scale_id="total",
            value__isnull=False,
        ).order_by("administration__completed_at", "administration__id")
        if r.value is not None
    ]


def _person_to_follow(membership: Membership) -> tuple[ServiceUser, list[float]]:
    """The demo person with the longest loneliness history (two or more scores that
    differ) and loneliness questions still to come, whose next ones are made due
    today: windows are a week long, so on a given day the demo may have nobody
    whose window happens to be open."""
    found = []
    for person in service_users_for(membership).order_by("reference"):
        upcoming = TimePoint.objects.filter(
            episode__service_user=person,
            measure_id="ucla3",
            status=TimePoint.Status.PENDING,
        )
        history = _ucla3_history(person)
        if upcoming.exists() and len(history) >= 2 and history[0] != history[-1]:
            found.append((person, history))
    if not found:
        pytest.fail(
            "The demo has nobody with loneliness questions to come and two scores"
        )
    person, history = max(found, key=lambda pair: len(pair[1]))
    if not due_time_points(person).filter(measure_id="ucla3").exists():
        today = timezone.localdate()
        TimePoint.objects.filter(
            pk=TimePoint.objects.filter(
                episode__service_user=person,
                measure_id="ucla3",
                status=TimePoint.Status.PENDING,
            )
            .order_by("-due_date")
            .values("pk")[:1]
        ).update(
            due_date=today,
            window_start=today - dt.timedelta(days=3),
            window_end=today + dt.timedelta(days=7),
        )
    # Due now or overdue, as the link page offers them (collection.counts).
    assert due_time_points(person).filter(measure_id="ucla3").exists()
    return person, history


def _n(x: float) -> str:
    return f"{x:g}"


def _moved(before: float, after: float) -> str:
    """The test's own wording of a move, to check the page against."""
    if before == after:
        return f"has stayed at {_n(after)}"
    way = "went up" if after > before else "went down"
    return f"{way} from {_n(before)} to {_n(after)}"


def _save_pdf_pages(pdf: bytes, like: Path, name: str) -> list[Path]:
    """Each page of a PDF as a PNG beside the step screenshots."""
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    paths = []
    for n, page in enumerate(document, start=1):
        path = like.parent / f"{like.stem[:2]}b-{name}-page-{n}.png"
        page.render(scale=1.5).to_pil().save(path)
        paths.append(path)
    return paths


def test_a_person_answers_by_link_on_a_phone_and_takes_their_progress_home(
    page: Page,
    new_page: Callable[[], Page],
    demo: object,
    sign_in_as: Callable[[Page, str], object],
    shot: Callable[[Page, str], Path],
) -> None:
    worker = sign_in_as(page, WORKER)
    membership = Membership.objects.get(user=worker, organisation__slug="riverside")
    person, history = _person_to_follow(membership)
    before = Administration.objects.filter(service_user=person).count()

    # -- The worker makes the link for the loneliness questions due now.
    page.goto(f"/o/riverside/people/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(person.given_name)
    shot(page, "worker: the person's page")
    page.get_by_role("link", name="Send or print a self-completion link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Give a link to answer at home"
    )
    boxes = page.locator("input[name=time_points]")
    due_ucla3: list[TimePoint] = []
    for n in range(boxes.count()):
        box = boxes.nth(n)
        time_point = TimePoint.objects.get(pk=int(box.get_attribute("value") or 0))
        if time_point.measure_id == "ucla3" and not due_ucla3:
            box.check()
            due_ucla3.append(time_point)
        else:
            box.uncheck()
    assert len(due_ucla3) == 1
    shot(page, "worker: choosing what the link asks")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link made")
    shot(page, "worker: the link to give")
    url = page.locator(".app-print-card a").first.get_attribute("href") or ""
    token = url.rstrip("/").rsplit("/", 1)[-1]
    link = SelfCompletionLink.objects.get(service_user=person, used_at__isnull=True)
    assert {tp.pk for tp in link.time_points.all()} == {tp.pk for tp in due_ucla3}

    # -- The person, on their phone: answers every question on the link. Each
    # answer differs from the first and the latest score, so a wrong comparison
    # would show.
    code = next(c for c in (1, 3, 2) if 3 * c not in (history[0], history[-1]))
    total = 3.0 * code
    phone = new_page()
    phone.set_viewport_size({"width": 320, "height": 640})
    phone.goto(f"/s/{token}/")
    phone.wait_for_url("**/s/answer/")
    sent: dict[str, str] = {}
    for n in range(len(due_ucla3)):
        expect(phone.get_by_role("heading", level=1)).to_have_text(UCLA3.title)
        groups = phone.locator("form[data-answer-form] fieldset")
        assert groups.count() == len(UCLA3.items)
        for g in range(groups.count()):
            groups.nth(g).locator(f"input[type=radio][value='{code}']").check()
        shot(phone, f"person: questions {n + 1} answered")
        if n == 0:
            sent = phone.evaluate(
                "() => Object.fromEntries(new FormData("
                "document.querySelector('form[data-answer-form]')))"
            )
        with phone.expect_navigation():
            phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url("**/s/done/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your results")
    expect(phone.locator("main")).to_contain_text(f"Your score is {_n(total)}")
    # The result screen says what changed in the same words as the progress page.
    expect(phone.locator("main")).to_contain_text(
        f"Since you started, your {SCALE_NAME} score "
        f"{_moved([*history, total][0], total)}."
    )
    shot(phone, "person: their results")
    phone.get_by_role("button", name="Skip this question").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    shot(phone, "person: thank you")

    # -- Their progress: the summary first, with both comparisons right.
    phone.get_by_role("link", name="See my progress").click()
    phone.wait_for_url("**/s/done/progress/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your progress")
    scores = [*history, *[total] * len(due_ucla3)]
    since_started = (
        f"Since you started, your {SCALE_NAME} score {_moved(scores[0], total)}."
    )
    since_last = f"Since last time, it {_moved(scores[-2], total)}."
    summary = phone.locator(".app-progress-summary")
    expect(summary).to_contain_text(since_started)
    expect(summary).to_contain_text(since_last)
    # Lower is better on the UCLA-3 and it has no agreed size of a real change,
    # so the direction decides which heading the line sits under.
    heading = "What got better" if total < scores[0] else "What got worse"
    group_text = summary.inner_text().split(heading, 1)[1]
    assert since_started in group_text.split("What ", 1)[0]
    expect(summary).to_contain_text("A small change may not mean much.")
    assert "same as last time" not in phone.locator("main").inner_text()
    phone.wait_for_selector(".app-chart__canvas svg")
    progress_shot = shot(phone, "person: their progress")
    check_page(phone, narrow=True, reload=False)

    # -- The sheet to keep: one A4 page, the summary before the charts.
    href = phone.get_by_role(
        "link", name="Your progress on one page to print or keep (PDF)"
    ).get_attribute("href")
    assert href == "/s/done/progress/sheet.pdf"
    response = phone.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    assert len(document) == 1
    sheet = " ".join(document[0].get_textpage().get_text_range().split())
    sheet = sheet.replace("\xa0", " ")
    assert sheet.index("What has changed") < sheet.index("Your scores over time")
    assert since_started in sheet and since_last in sheet
    assert person.display_name in sheet
    _save_pdf_pages(pdf, progress_shot, "sheet")

    # -- What is stored: the answers and scores, the time points completed, the
    # link used up, the sheet audited as the person's own export.
    made = Administration.objects.filter(service_user=person).order_by("id")[before:]
    assert len(made) == len(due_ucla3)
    for administration, time_point in zip(made, due_ucla3, strict=True):
        assert administration.mode == Administration.Mode.SELF
        assert administration.measure_id == "ucla3"
        assert administration.time_point_id == time_point.pk
        assert administration.answers == {item.id: code for item in UCLA3.items}
        result = administration.results.get(scale_id="total")
        assert result.value == total
        time_point.refresh_from_db()
        assert time_point.status == TimePoint.Status.COMPLETED
    link.refresh_from_db()
    assert link.used_at is not None
    exported = AuditEvent.objects.get(
        action="progress.export_pdf", object_id=str(person.pk)
    )
    assert exported.actor_id is None and exported.detail["variant"] == "standard"

    # -- The link is used up: opening it again is refused, clearly.
    again = new_page()
    again.set_viewport_size({"width": 320, "height": 640})
    again.goto(f"/s/{token}/")
    expect(again.get_by_role("heading", level=1)).to_have_text(
        "This link does not work"
    )
    expect(again.locator("main")).to_contain_text("may already have been used")
    shot(again, "person: the used link opened again")
    # Sending the same answers again is refused too, and stores nothing.
    replay = phone.request.post("/s/answer/", form=sent)
    assert replay.status == 404
    assert "This link does not work" in replay.text()
    assert Administration.objects.filter(service_user=person).count() == before + len(
        due_ucla3
    )

    # -- The demo's person with the most measures gets a one-page sheet too.
    most = max(
        ServiceUser.objects.all(),
        key=lambda p: sum(len(m.scales) for m in person_progress(service_user=p)),
    )
    busiest = progress_pdf(
        name=most.display_name,
        organisation_name=most.organisation.name,
        progress=person_progress(service_user=most),
        today=dt.date.today(),
    )
    assert len(pdfium.PdfDocument(io.BytesIO(busiest))) == 1
    page.goto(f"/o/{most.organisation.slug}/people/{most.pk}/")
    _save_pdf_pages(busiest, shot(page, "worker: the busiest person's page"), "sheet")
