"""The data officer's pile of scans, from print to saved answers, on the demo.

Dana Price (data@riverside.example) prints the forms due for the peer support
groups, the forms come back filled in (some oddly), she uploads the pile, and works
through what the reader could not be sure of by keyboard alone: a 0-10 rating with
two boxes marked (she presses 4 for the box printed 4), a faint mark beside a clear
cross, then a form handed back empty, which she records as declined. A cancelled
mark reads as the answer marked after it; a form with too few answers is saved
without a score, its time point answered but not done. Every step is checked against what
is stored (answers, scores, time points, audit events) and photographed.
"""

from __future__ import annotations

import random
import re
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.audit.models import AuditEvent
from openproms.collection import counts, states
from openproms.collection.models import Administration, TimePoint
from openproms.paper.simulate import pages_pdf
from openproms.scans.models import PrintedForm, ScanBatch, ScanItem, ScanPage
from tests.browser.helpers import check_page, open_from_menu
from tests.browser.journeys.paper_forms import Marks, filled

pytestmark = pytest.mark.browser

DPI = 150.0
READING_MS = 180_000  # the upload is answered once the pile is read
DECLINED_REASON = "Handed back at the group: did not want to answer today"
STILL_OPEN = (states.DUE_NOW, states.OVERDUE, states.NOT_YET_DUE)


def _filled(form: PrintedForm, marks: Marks, seed: int) -> list[np.ndarray[Any, Any]]:
    """The form filled in with ``marks``, as a 150 dpi office scan sees it."""
    return filled(form, marks, seed, DPI)


def _state(point: TimePoint) -> str:
    """The time point's state today, by the one definition every count uses."""
    found = counts.with_unscored(TimePoint.objects.filter(pk=point.pk)).get()
    return counts.state_of(found, timezone.localdate())


def _next_after(url: str) -> Any:
    """The check screen of another item, or the end of the queue."""
    return lambda new: new != url and re.search(r"/scans/(items/\d+|check)/$", new)


def _type(page: Page, keys: str) -> None:
    """Press each key in turn, as the person would on the check screen."""
    for key in keys:
        page.keyboard.press(key)


def test_the_data_officers_pile_from_print_to_saved_answers(
    page, demo, sign_in_as, shot, tmp_path
):
    missing: list[str] = []  # nothing the pages ask for may be missing
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    dana = sign_in_as(page, "data@riverside.example")

    # 1. Print the forms due for the peer support groups.
    page.goto("/")
    open_from_menu(page, "Paper forms")
    page.get_by_role("link", name="Print the forms due").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Print forms due")
    page.get_by_label("Key worker").select_option(label="Everyone")
    page.get_by_label("Service").select_option(label="Peer support groups")
    page.get_by_role("button", name="Show").click()
    print_button = page.get_by_role("button", name=re.compile(r"^Print \d+ forms$"))
    expect(print_button).to_be_visible()
    shot(page, "forms due for the peer support groups")
    before = set(PrintedForm.objects.values_list("pk", flat=True))
    with page.expect_download() as download:
        print_button.click()
    download.value.save_as(tmp_path / "forms.pdf")
    pdf = (tmp_path / "forms.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    printed = list(
        PrintedForm.objects.exclude(pk__in=before)
        .select_related("service_user", "time_point", "organisation")
        .order_by("pk")
    )
    assert printed and all(f.time_point.printed_at for f in printed)
    assert {f.measure_id for f in printed} == {"ucla3", "ons4"}
    assert AuditEvent.objects.filter(action="paper.print", actor=dana).exists()

    # 2. The forms come back filled in; the pile is scanned as one PDF.
    ons4 = [f for f in printed if f.measure_id == "ons4"]
    ucla3 = [f for f in printed if f.measure_id == "ucla3"]
    assert len(ons4) >= 2 and len(ucla3) >= 3
    two_boxes, all_clear = ons4[0], ons4[1]
    empty, faint_and_cancelled, too_few = ucla3[0], ucla3[1], ucla3[2]
    pile = [
        # Two boxes marked on the 0-10 life satisfaction question: 4 and 7.
        *_filled(
            two_boxes,
            {
                "ons4_life_satisfaction": [(4, "cross"), (7, "cross")],
                "ons4_worthwhile": [(6, "tick")],
                "ons4_happiness": [(8, "cross")],
                "ons4_anxiety": [(2, "cross")],
            },
            seed=1,
        ),
        *_filled(empty, {}, seed=2),  # handed back without a mark
        # A clear cross on 1 with a faint pencil mark on 3; a box filled in to
        # cancel it (1) and the answer crossed beside it (3).
        *_filled(
            faint_and_cancelled,
            {
                "ucla3_1": [(1, "cross"), (3, "light_pencil")],
                "ucla3_2": [(1, "cancel"), (3, "cross")],
                "ucla3_3": [(2, "tick")],
            },
            seed=3,
        ),
        *_filled(too_few, {"ucla3_1": [(2, "cross")]}, seed=4),  # one of three
        *_filled(
            all_clear,
            {
                "ons4_life_satisfaction": [(9, "cross")],
                "ons4_worthwhile": [(10, "tick")],
                "ons4_happiness": [(7, "cross")],
                "ons4_anxiety": [(0, "cross")],
            },
            seed=5,
        ),
    ]
    random.Random(7).shuffle(pile)  # a pile is never in order
    scan = tmp_path / "peer-support-pile.pdf"
    scan.write_bytes(pages_pdf(pile, DPI))

    # 3. Upload the pile; the batch page says what became of each page.
    page.goto("/")
    open_from_menu(page, "Paper forms")
    page.get_by_role("link", name="Upload the scans or photos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanned forms")
    page.set_input_files("#id_files", str(scan))
    shot(page, "the pile chosen for upload")
    page.get_by_role("button", name="Upload and read").click(timeout=READING_MS)
    page.wait_for_url(re.compile(r"/scans/batches/\d+/$"), timeout=READING_MS)
    batch = ScanBatch.objects.latest("pk")
    assert batch.uploaded_by == dana and batch.status == ScanBatch.Status.DONE
    status = page.get_by_role("status")
    expect(status).to_contain_text("2 waiting for a person", timeout=READING_MS)
    expect(status).to_contain_text("1 page with no answer marked")
    table = page.get_by_role("region", name="Pages")
    expect(table).to_contain_text("No answers marked")
    expect(table).to_contain_text("Saved without a score")
    expect(table).to_contain_text("Answers to check")
    expect(table).not_to_contain_text("UCLA3")  # measures by name, not id
    check_page(page)
    shot(page, "the batch once read")

    def page_of(form: PrintedForm) -> ScanPage:
        return ScanPage.objects.get(batch=batch, form=form)

    assert page_of(empty).status == ScanPage.Status.EMPTY
    assert page_of(all_clear).status == ScanPage.Status.SAVED
    assert page_of(too_few).status == ScanPage.Status.UNSCORED
    cancelled = ScanItem.objects.get(page=page_of(faint_and_cancelled), number=2)
    assert (cancelled.decision, cancelled.read_code, cancelled.needs_person) == (
        "answer",
        3,
        False,
    )
    assert "filled box 1 read as crossed out" in cancelled.reason
    faint = ScanItem.objects.get(page=page_of(faint_and_cancelled), number=1)
    assert faint.needs_person
    assert faint.reason == "not clear: 3 (faint mark); also seen: 1 (marked)"
    rating = ScanItem.objects.get(page=page_of(two_boxes), number=1)
    assert rating.needs_person and rating.decision == "multiple"
    # Nothing is saved from the empty form: its time point stays open. The form
    # with too few answers is answered, but not done.
    assert not Administration.objects.filter(time_point=empty.time_point).exists()
    assert _state(empty.time_point) in STILL_OPEN
    assert _state(too_few.time_point) == states.NO_SCORE

    # 4. Check the flagged items by keyboard: the queue starts with the oldest
    # batch (the demo's own pile), then this one.
    page.get_by_role("link", name="Start checking").click()
    checked_rating = checked_faint = False
    for _ in range(12):
        page.wait_for_load_state()
        if not re.search(r"/scans/items/\d+/$", page.url):
            break
        item = ScanItem.objects.select_related("page").get(
            pk=int(page.url.rstrip("/").rsplit("/", 1)[1])
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(
            f"Check question {item.number}"
        )
        expect(page.locator("input[name=answer]:focus")).to_have_count(1)
        if item.pk == rating.pk:
            answers = page.get_by_role("group", name=re.compile("^Question 1:"))
            expect(answers.locator("kbd")).to_have_text(
                [str(n) for n in range(11)] + ["n"]
            )
            expect(page.get_by_text("for 10, press 1 then 0")).to_be_visible()
            expect(page.locator("figcaption")).to_contain_text(
                "more than one box marked: 4, 7"
            )
            check_page(page)
            _type(page, "10")
            expect(page.locator("input[name=answer][value='10']")).to_be_checked()
            _type(page, "4")
            expect(page.locator("input[name=answer][value='4']")).to_be_checked()
            shot(page, "the 0-10 rating with 4 pressed")
            checked_rating = True
        elif item.pk == faint.pk:
            expect(page.locator("figcaption")).to_contain_text(
                "not clear: 3 (faint mark); also seen: 1 (marked)"
            )
            _type(page, "1")
            expect(page.locator("input[name=answer][value='1']")).to_be_checked()
            shot(page, "a faint mark beside a clear cross")
            checked_faint = True
        else:  # the demo's own pile: the person sees the first of the two marks
            _type(page, str(item.candidates[0]))
            shot(page, f"an item from an earlier pile, question {item.number}")
        page.keyboard.press("Enter")
        page.wait_for_url(_next_after(page.url))
    assert checked_rating and checked_faint
    rating.refresh_from_db()
    faint.refresh_from_db()
    assert (rating.decided, rating.code, rating.decided_by) == (True, 4, dana)
    assert (faint.decided, faint.code, faint.decided_by) == (True, 1, dana)
    assert AuditEvent.objects.filter(
        action="scan.decide", actor=dana, object_id=str(rating.pk)
    ).exists()

    # What the two checked forms saved: the codes marked, and their scores.
    rated = Administration.objects.get(time_point=two_boxes.time_point)
    assert rated.mode == Administration.Mode.PAPER_SCAN
    assert rated.answers == {
        "ons4_life_satisfaction": 4,
        "ons4_worthwhile": 6,
        "ons4_happiness": 8,
        "ons4_anxiety": 2,
    }
    scores = {r.scale_id: r.value for r in rated.results.all()}
    assert scores["life_satisfaction"] == 4
    two_boxes.time_point.refresh_from_db()
    assert two_boxes.time_point.status == TimePoint.Status.COMPLETED
    marked = Administration.objects.get(time_point=faint_and_cancelled.time_point)
    assert marked.answers == {"ucla3_1": 1, "ucla3_2": 3, "ucla3_3": 2}
    assert [r.value for r in marked.results.all()] == [6]

    # 5. The queue ends with the pages that need a decision: the empty form.
    expect(page.get_by_role("heading", level=1)).to_have_text("No answers to check")
    empty_page = page_of(empty)
    link = page.get_by_role("link", name=re.compile("empty UCLA-3 form"))
    expect(link).to_have_count(1)
    shot(page, "the queue done, an empty form left")
    link.click()
    expect(
        page.get_by_role("heading", level=2, name="No answer was marked on this form")
    ).to_be_visible()
    expect(
        page.get_by_text(f"UCLA-3 ({empty.time_point.label}) stays open")
    ).to_be_visible()
    check_page(page)
    shot(page, "the empty form and its three choices")

    # Handed back empty needs a reason: it is the note on the declined time point.
    page.get_by_label("Handed back empty: the person did not want to answer").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Say why it was handed back empty")
    empty.time_point.refresh_from_db()
    assert _state(empty.time_point) in STILL_OPEN
    shot(page, "handed back empty without a reason")
    page.get_by_label("Why?").fill(DECLINED_REASON)
    page.get_by_role("button", name="Save").click()
    person = empty.service_user
    expect(
        page.get_by_text(
            f"UCLA-3 ({empty.time_point.label}) for {person.display_name} is recorded "
            "as declined: handed back empty."
        )
    ).to_be_visible()
    shot(page, "the empty form recorded as declined")
    empty.time_point.refresh_from_db()
    empty_page.refresh_from_db()
    assert empty.time_point.status == TimePoint.Status.MISSED
    assert _state(empty.time_point) == states.DECLINED
    assert empty.time_point.missed_reason == TimePoint.MissedReason.DECLINED
    assert empty.time_point.missed_note == DECLINED_REASON
    assert empty.time_point.missed_recorded_by == dana
    assert empty_page.status == ScanPage.Status.DECLINED
    assert not Administration.objects.filter(time_point=empty.time_point).exists()
    assert AuditEvent.objects.filter(
        action="scan.resolve_empty", actor=dana, detail__choice="declined"
    ).exists()
    assert AuditEvent.objects.filter(
        action="time_point.record_missed",
        actor=dana,
        object_id=str(empty.time_point.pk),
    ).exists()

    # 6. The pages of the batch as they ended.
    page.goto(f"/o/riverside/scans/pages/{page_of(two_boxes).pk}/")
    answers = page.get_by_role("region", name="Answers read")
    row = answers.locator("tr").filter(has_text=re.compile(r"^\s*1\b"))
    expect(row).to_contain_text("4")
    expect(row).to_contain_text(f"checked by {dana.display_name}")
    shot(page, "the 0-10 form with 4 saved")
    page.goto(f"/o/riverside/scans/pages/{page_of(faint_and_cancelled).pk}/")
    expect(page.get_by_role("region", name="Answers read")).to_contain_text(
        "filled box 1 read as crossed out"
    )
    shot(page, "the form with a cancelled mark")
    page.goto(f"/o/riverside/scans/pages/{page_of(too_few).pk}/")
    outcome = page.locator(".nhsuk-summary-list")
    expect(outcome).to_contain_text("Saved without a score")
    expect(outcome).to_contain_text("no score could be made")
    expect(outcome).to_contain_text("answered with no score, not as done")
    check_page(page)
    shot(page, "too few answers to score")
    unscored = Administration.objects.get(scan_pages__form=too_few)
    assert unscored.time_point == too_few.time_point
    assert unscored.answers == {"ucla3_1": 2, "ucla3_2": None, "ucla3_3": None}
    assert AuditEvent.objects.filter(
        action="scan.save_unscored", object_id=str(unscored.pk)
    ).exists()

    # 7. The people's pages: what was declined, and what was answered but not done.
    page.goto(f"/o/riverside/people/{person.pk}/")
    status = (
        page.get_by_role("region", name="Time points")
        .locator("tr")
        .filter(has_text=empty.time_point.label)
        .filter(has_text="UCLA-3")
        .locator("td")
        .nth(3)
    )
    expect(status).to_have_attribute("data-state", "declined")
    expect(status).to_contain_text("Declined")
    expect(status).to_contain_text(DECLINED_REASON)
    shot(page, "the person who handed the form back empty")
    page.goto(f"/o/riverside/people/{too_few.service_user.pk}/")
    row = (
        page.get_by_role("region", name="Time points")
        .locator("tr")
        .filter(has_text=too_few.time_point.label)
        .filter(has_text="UCLA-3")
    )
    expect(row).to_contain_text("Answered, no score")
    answered = page.get_by_role("region", name="Answered measures")
    expect(
        answered.locator("tr").filter(has_text="UCLA-3").filter(has_text="no score")
    ).to_have_count(1)
    shot(page, "the person whose form had too few answers")

    assert not missing, missing
