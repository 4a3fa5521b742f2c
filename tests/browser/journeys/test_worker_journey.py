"""A worker's session with a person, on the demo.

The worker signs in, finds a person on their caseload and opens their page (scores
named as the measures name them), answers a due measure with them on screen, sees
the result, goes on to the next due measure by the result's link, then back to the
person; hands the screen over for one measure (a risk answer: the person reads the
support text, the worker gets the alert) and takes it back with their password. The
data officer then types in a paper form the person brought and sees "Saved X for Y"
with a link to correct it (workers do not type paper forms: docs/permissions.md).

Every step asserts what is seen (no internal names: tests/text_checks.py) and what
is stored (answer codes, scores, time points completed, the alert).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import Membership, User
from openproms.catalogue.selectors import measure_definition
from openproms.collection.answer_selectors import due_time_points
from openproms.collection.models import Administration, RiskAlert, TimePoint
from openproms.people.selectors import caseload_for
from openproms.scoring import MeasureDefinition, default_library, score_response
from openproms.scoring.phrasing import score_text
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

WORKER = "worker@riverside.example"
DATA_OFFICER = "data@riverside.example"
DEMO_PASSWORD = "openproms-demo"
LIBRARY = list(default_library())


def reads_cleanly(page: Page) -> str:
    """The page's text, with no internal ids, snake_case or doubled labels."""
    text = page.inner_text("body")
    assert internal_ids_in(text, LIBRARY) == [], page.url
    return text


def chosen_answers(definition: MeasureDefinition, pick: int = 1) -> dict[str, int]:
    """An answer to every question: the ``pick``-th option, or the middle of a
    range."""
    answers = {}
    for item in definition.items:
        rs = item.response_set
        if rs.options:
            answers[item.id] = rs.options[min(pick, len(rs.options) - 1)].code
        else:
            answers[item.id] = (rs.min + rs.max) // 2
    return answers


def answer_on_screen(page: Page, answers: dict[str, int]) -> None:
    for item_id, code in answers.items():
        field = page.locator(f'[name="i_{item_id}"]')
        if field.first.get_attribute("type") == "radio":
            page.locator(f'[name="i_{item_id}"][value="{code}"]').check()
        else:
            field.fill(str(code))


def expect_scores_stored(
    administration: Administration,
    definition: MeasureDefinition,
    answers: dict[str, int],
) -> dict[str, Any]:
    """The stored codes are the ones given; the stored scores are the engine's."""
    assert administration.answers == answers
    expected = score_response(definition, answers)
    stored = {r.scale_id: r.value for r in administration.results.all()}
    assert stored == {sid: s.value for sid, s in expected.scales.items()}
    return stored


def the_person(worker: User) -> tuple[Any, list[TimePoint]]:
    """The first person on the worker's caseload (by name) with two or more measures
    due now and nothing overdue."""
    membership = Membership.objects.get(user=worker)
    for row in caseload_for(membership=membership):
        if row["due"] >= 2 and row["overdue"] == 0:
            person = row["person"]
            return person, list(due_time_points(person))
    raise AssertionError("the demo has nobody with two measures due now")


def test_a_workers_session_with_a_person(page, new_page, demo, sign_in_as, shot):
    worker = sign_in_as(page, WORKER)
    organisation = Membership.objects.get(user=worker).organisation
    person, due = the_person(worker)
    first, second = due[0], due[1]

    def definition(measure_id: str) -> MeasureDefinition:
        return measure_definition(organisation=organisation, measure_id=measure_id)

    first_def, second_def = definition(first.measure_id), definition(second.measure_id)

    # Find the person on the caseload and open their page.
    page.goto(f"/o/{organisation.slug}/")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Caseload", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("caseload")
    shot(page, "caseload")
    page.get_by_role("link", name=person.display_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.display_name.split(" (")[0]
    )
    text = reads_cleanly(page)
    assert "Latest scores" in text
    shot(page, "person page")

    # Answer the first due measure with them on screen.
    page.get_by_role(
        "link", name=f"Answer measures now, with {person.given_name}"
    ).click()
    first_link = f"Answer {first_def.short_name} ({first.label}) with {person.given_name} on screen"
    expect(page.get_by_role("link", name=first_link)).to_be_visible()
    reads_cleanly(page)
    shot(page, "collect answers")
    page.get_by_role("link", name=first_link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_def.title)
    reads_cleanly(page)
    first_answers = chosen_answers(first_def)
    answer_on_screen(page, first_answers)
    shot(page, f"{first_def.short_name} answered")
    page.get_by_role("button", name="Save answers").click()
    page.wait_for_url("**/results/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    text = reads_cleanly(page)
    stored = Administration.objects.get(time_point=first)
    assert stored.mode == Administration.Mode.ASSISTED
    assert stored.collected_by == worker
    scores = expect_scores_stored(stored, first_def, first_answers)
    for scale_id, value in scores.items():
        scale = first_def.scale(scale_id)
        if value is not None and scale.method != "profile":
            assert scale.label in text and score_text(value) in text
    first.refresh_from_db()
    assert first.status == TimePoint.Status.COMPLETED
    shot(page, f"{first_def.short_name} result")

    # On to the next due measure by the result's own link.
    next_link = (
        f"Answer {second_def.short_name} ({second.label}) with {person.given_name} next"
    )
    page.get_by_role("link", name=next_link).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second_def.title)
    reads_cleanly(page)
    second_answers = chosen_answers(second_def, pick=2)
    answer_on_screen(page, second_answers)
    page.get_by_role("button", name="Save answers").click()
    page.wait_for_url("**/results/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    reads_cleanly(page)
    stored = Administration.objects.get(time_point=second)
    expect_scores_stored(stored, second_def, second_answers)
    second.refresh_from_db()
    assert second.status == TimePoint.Status.COMPLETED
    shot(page, f"{second_def.short_name} result")

    # Back to the person: the new scores, named by their labels.
    page.get_by_role("link", name=f"Back to {person.display_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.display_name.split(" (")[0]
    )
    latest = reads_cleanly(page).split("Latest scores", 1)[1]
    today = timezone.localdate()
    for made in (first_def, second_def):
        assert f"{made.short_name} on {today:%-d %b %Y}" in latest
    shot(page, "person page with new scores")

    # Hand the screen over for one measure, with a risk answer.
    page.get_by_role("link", name="Hand over the screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand the screen over")
    reads_cleanly(page)
    for box in page.locator('input[name="time_points"]').all():
        box.uncheck()
    page.get_by_label("CORE-10", exact=True).check()
    shot(page, "hand over CORE-10")
    page.get_by_role("button", name="Start and hand over").click()
    core10 = definition("core10")
    expect(page.get_by_role("heading", level=1)).to_have_text(core10.title)
    page.get_by_role("button", name="Show all the questions on one page").click()
    kiosk_answers = chosen_answers(core10, pick=0) | {"core10_6": 2}
    answer_on_screen(page, kiosk_answers)
    reads_cleanly(page)
    shot(page, "handed over CORE-10 answered")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Support if you need it")).to_be_visible()
    text = reads_cleanly(page)
    assert "NHS 111" in text and "116 123" in text
    shot(page, "handed over result with support")
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_role("heading", name="Support if you need it")).to_be_visible()
    reads_cleanly(page)
    shot(page, "handed over finished with support")
    handed = Administration.objects.filter(
        service_user=person, mode=Administration.Mode.KIOSK, measure_id="core10"
    ).latest("id")
    expect_scores_stored(handed, core10, kiosk_answers)
    alert = RiskAlert.objects.get(administration=handed)
    assert alert.item_id == "core10_6" and alert.code == 2
    assert alert.assigned_to == worker and alert.acknowledged_at is None

    # Take the screen back.
    page.get_by_role("link", name="Unlock the screen (staff)").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    shot(page, "unlock")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("status")).to_contain_text("Hand-over mode is off.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        person.display_name.split(" (")[0]
    )
    reads_cleanly(page)
    shot(page, "screen taken back")

    # The data officer types in a paper form the person brought.
    office = new_page()
    officer = sign_in_as(office, DATA_OFFICER)
    office.goto(f"/o/{organisation.slug}/")
    office.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Paper forms", exact=True
    ).click()
    office.get_by_label("Find the person").fill(person.reference)
    office.get_by_role("button", name="Search").click()
    reads_cleanly(office)
    ucla3 = definition("ucla3")
    office.get_by_text("A measure that is not scheduled").click()
    office.get_by_role("link", name="Type in UCLA-3", exact=True).click()
    expect(office.get_by_role("heading", level=1)).to_have_text("Type in UCLA-3")
    filled_in = today - dt.timedelta(days=3)
    office.get_by_label("Date the form was filled in").fill(filled_in.isoformat())
    typed = {"ucla3_1": 3, "ucla3_2": 2, "ucla3_3": 3}
    for item_id, code in typed.items():
        office.locator(f'[name="i_{item_id}"]').fill(str(code))
    shot(office, "paper form typed")
    office.get_by_role("button", name="Save").click()
    saved = f"Saved UCLA-3 for {person.display_name}"
    expect(office.get_by_role("heading", name=saved)).to_be_visible()
    reads_cleanly(office)
    shot(office, "paper form saved")
    paper = Administration.objects.filter(
        service_user=person, mode=Administration.Mode.PAPER_ENTRY, measure_id="ucla3"
    ).latest("id")
    assert paper.collected_by == officer
    assert timezone.localdate(paper.completed_at) == filled_in
    expect_scores_stored(paper, ucla3, typed)
    office.get_by_role("link", name="Correct these answers").click()
    expect(office.get_by_role("heading", level=1)).to_have_text(
        "Correct UCLA-3 answers"
    )
    reads_cleanly(office)
    shot(office, "correct the typed form")
