"""The manager's weekly look at what is due, what was missed and the collection
rates, and the data officer's first look at the forms to print and the missed
measures, on the whole demo, in a real browser.

Every count on these pages reads one definition (collection/states.py): the home
figures are the lists' lengths, and on every row of the collection rates the parts
add up to the whole. Each step asserts what the person sees and what is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openproms.audit.models import AuditEvent
from openproms.collection.models import AcceptabilityResponse, TimePoint
from openproms.people.models import Episode
from openproms.scans.models import PrintedForm
from tests.browser.helpers import check_page, open_from_menu

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

ORG = "riverside"


def _figures(page: Page, element: str) -> dict[str, int]:
    """The numbers a summary paragraph shows, by what they count."""
    block = page.locator(f"#{element}")
    expect(block).to_be_visible()
    return {
        span.get_attribute("data-count") or "": int(span.inner_text())
        for span in block.locator("[data-count]").all()
    }


def _due_rows(page: Page) -> Locator:
    return page.get_by_role("region", name="Measures due").locator("tbody tr")


def _selected(page: Page, label: str) -> str:
    return page.get_by_label(label).evaluate("s => s.options[s.selectedIndex].text")


def _open_due_now(today: dt.date) -> dict[str, int]:
    """What is stored: pending time points of the organisation's unpaused
    episodes, by where today falls in their window (counted here from the rows,
    not through the code under test)."""
    counts = {"due_now": 0, "overdue": 0, "due_soon": 0}
    points = TimePoint.objects.filter(
        organisation__slug=ORG, status=TimePoint.Status.PENDING
    ).exclude(episode__status=Episode.Status.PAUSED)
    for point in points:
        if point.window_end is not None and point.window_end < today:
            continue
        if point.window_start <= today:
            counts["overdue" if today > point.due_date else "due_now"] += 1
        elif (point.window_start - today).days <= 7:
            counts["due_soon"] += 1
    return counts


def _check_rows_add_up(table: Locator) -> list[dict[str, int]]:
    """Every row of a table with ``data-part`` cells and a ``data-whole`` cell:
    the parts add up to the whole. Returns the rows' numbers."""
    found = []
    rows = table.locator("tbody tr").all()
    assert rows, "the table has no rows"
    for row in rows:
        parts = {
            cell.get_attribute("data-part") or "": int(cell.inner_text())
            for cell in row.locator("[data-part]").all()
        }
        whole = int(row.locator("[data-whole]").inner_text())
        label = row.get_attribute("data-row")
        assert sum(parts.values()) == whole, (label, parts, whole)
        found.append({"whole": whole, **parts, "label": label})  # type: ignore[dict-item]
    return found


def test_manager_weekly_look_at_missed_and_rates(page, demo, sign_in_as, shot):
    today = timezone.localdate()
    manager = sign_in_as(page, "manager@riverside.example")

    # Home: what is due in the manager's services, and what was missed.
    page.goto(f"/o/{ORG}/")
    expect(
        page.get_by_role("heading", name="Measures due in your services")
    ).to_be_visible()
    home = _figures(page, "home-due")
    missed_home = _figures(page, "home-missed")["missed_unrecorded"]
    shot(page, "home page counts")
    check_page(page, narrow=True)
    assert home["on_due_list"] == home["due_now"] + home["overdue"] + home["due_soon"]
    assert home["on_due_list"] > 0 and missed_home > 0
    stored = _open_due_now(today)
    assert {k: home[k] for k in stored} == stored
    # A manager with nobody on a caseload is not shown "0 people on your caseload".
    expect(page.get_by_role("heading", name="Your caseload")).to_have_count(0)

    # Who is due: everyone in the services by default; as many as the home page said.
    page.get_by_role("link", name="See who is due").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is due")
    assert _selected(page, "Key worker") == "Everyone"
    expect(page.locator("#due-summary")).to_contain_text(
        f"{home['on_due_list']} measures to collect"
    )
    assert _due_rows(page).count() == min(home["on_due_list"], 50)  # 50 a page
    assert _figures(page, "due-summary") == {
        k: v for k, v in home.items() if k != "on_due_list"
    }
    assert home["on_due_list"] <= 50, "the demo's list fits one page"
    tags = [t.inner_text() for t in _due_rows(page).locator(".nhsuk-tag").all()]
    tags = [t for t in tags if t != "Pilot"]
    assert tags.count("Due now") == home["due_now"]
    assert tags.count("Overdue") == home["overdue"]
    assert tags.count("Due soon") == home["due_soon"]
    shot(page, "who is due")

    # Missed measures: the manager's services by default, not empty.
    page.get_by_role("link", name="Missed measures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missed measures")
    assert _selected(page, "Key worker") == "Everyone"
    summary = page.locator("#missed-summary")
    expect(summary).to_contain_text(f"{missed_home} missed measures with no reason")
    rows = page.get_by_role("region", name="Missed measures").locator("tbody tr")
    assert rows.count() == min(missed_home, 50)
    shot(page, "missed measures")

    # Record the first one as declined, with a reason.
    first = rows.first
    person_name = first.locator("td").first.get_by_role("link").inner_text()
    first.get_by_role("link", name=re.compile("^Record why")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("missed?")
    point_pk = int(re.search(r"/time-points/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    point = TimePoint.objects.get(pk=point_pk)
    assert point.status == TimePoint.Status.MISSED and point.missed_reason == ""
    page.get_by_label("Declined").check()
    page.get_by_label(re.compile("^Note")).fill(
        "Would rather talk this week; ask again next visit"
    )
    shot(page, "record declined with a reason")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missed measures")
    expect(
        page.get_by_text(re.compile(f"for {re.escape(person_name)} as declined"))
    ).to_be_visible()
    point.refresh_from_db()
    assert (point.status, point.missed_reason) == ("missed", "declined")
    assert point.missed_note == "Would rather talk this week; ask again next visit"
    assert point.missed_recorded_by == manager
    assert AuditEvent.objects.filter(
        action="time_point.record_missed", actor=manager, object_id=str(point.pk)
    ).exists()
    expect(page.locator("#missed-summary")).to_contain_text(
        f"{missed_home - 1} missed measures with no reason"
    )
    shot(page, "missed measures after recording")

    # The person page shows that time point declined, and future ones not due yet.
    page.get_by_role("link", name=person_name).first.click()
    declined_cell = page.locator('[data-state="declined"]').first
    expect(declined_cell).to_contain_text("Declined")
    expect(declined_cell).to_contain_text(
        "Would rather talk this week; ask again next visit"
    )
    for cell in page.locator('[data-state="not_yet_due"]').all():
        expect(cell).to_contain_text("Not due yet")
    expect(page.get_by_role("region", name="Time points")).not_to_contain_text(
        re.compile(r"^Due$", re.MULTILINE)
    )
    shot(page, "person page time points")

    # The home page now says one fewer is waiting for a reason.
    page.goto(f"/o/{ORG}/")
    assert _figures(page, "home-missed")["missed_unrecorded"] == missed_home - 1

    # Collection rates: every row adds up, and the declined one is counted as such.
    open_from_menu(page, "Plans")
    page.get_by_role("link", name="Collection rates").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Collection rates")
    shot(page, "collection rates and how people found answering")
    page.get_by_text("What each count means").click()
    expect(page.get_by_text("On every row, answered + no score")).to_be_visible()
    shot(page, "what each count means")
    by_service = _check_rows_add_up(page.locator('table[data-rates="By service"]'))
    _check_rows_add_up(page.locator('table[data-rates="By key worker"]'))
    total = by_service[-1]
    assert total["label"] == "All services"
    for part in ("answered", "no_score", "declined", "missed", "still_open", "whole"):
        assert total[part] == sum(r[part] for r in by_service[:-1]), part
    service = point.episode.service.name
    row = next(r for r in by_service if r["label"] == service)
    assert row["declined"] >= 1
    period_start = today - dt.timedelta(days=90)
    stored_due = (
        TimePoint.objects.filter(
            organisation__slug=ORG,
            episode__service__name=service,
            due_date__gte=period_start,
            due_date__lte=today,
        )
        .exclude(status=TimePoint.Status.CANCELLED)
        .count()
    )
    assert row["whole"] == stored_due
    stored_declined = TimePoint.objects.filter(
        organisation__slug=ORG,
        episode__service__name=service,
        due_date__gte=period_start,
        due_date__lte=today,
        status=TimePoint.Status.MISSED,
        missed_reason=TimePoint.MissedReason.DECLINED,
    ).count()
    assert row["declined"] == stored_declined

    # How people found answering: per service and measure, the parts add up,
    # small groups carry a caution, and the numbers are the stored answers.
    expect(
        page.get_by_role("heading", name="How people found answering")
    ).to_be_visible()
    answers = _check_rows_add_up(page.locator("table[data-acceptability]"))
    responses = AcceptabilityResponse.objects.filter(
        organisation__slug=ORG,
        created_at__date__gte=period_start,
        created_at__date__lte=today,
    )
    shown_total = sum(
        a["whole"] for a in answers if not a["label"].endswith("All measures")
    )
    assert shown_total == responses.count() > 0
    table = page.locator("table[data-acceptability]")
    for row_locator in table.locator("tbody tr").all():
        whole = int(row_locator.locator("[data-whole]").inner_text())
        if whole < 10:
            expect(row_locator).to_contain_text("Caution: fewer than 10 answers")
        else:
            expect(row_locator).not_to_contain_text("Caution")
        # Measures by their names, never an id.
        assert not re.search(
            r"\b[a-z]+[0-9]+\b|\b[a-z]+_[a-z0-9_]+\b", row_locator.inner_text()
        )
    expect(table).not_to_contain_text("ucla3")
    expect(table).not_to_contain_text("ons4")
    check_page(page, narrow=True)


def test_data_officer_defaults(page, demo, sign_in_as, shot):
    sign_in_as(page, "data@riverside.example")
    printed_before = PrintedForm.objects.count()

    page.goto(f"/o/{ORG}/")
    expect(
        page.get_by_role("heading", name="Measures due in your services")
    ).to_be_visible()
    home = _figures(page, "home-due")
    missed_home = _figures(page, "home-missed")["missed_unrecorded"]
    assert home["on_due_list"] > 0 and missed_home > 0
    shot(page, "home page counts")

    # Print forms due: everyone in the services by default, not "nothing to show".
    open_from_menu(page, "Paper forms")
    page.get_by_role("link", name="Print the forms due").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Print forms due")
    assert _selected(page, "Key worker") == "Everyone"
    offered = page.get_by_label("Key worker").evaluate(
        "s => Array.from(s.options).map(o => o.text)"
    )
    # Only people who can hold a caseload are offered; a data officer holds none.
    assert "Wes Okafor" in offered and "Megan Doyle" in offered
    for not_a_key_worker in ("Dana Price", "Victor Hale", "Amira Khan"):
        assert not_a_key_worker not in offered
    assert "People I am key worker for" not in offered
    expect(
        page.get_by_text(re.compile(r"\d+ forms? to print for \d+ (people|person)"))
    ).to_be_visible()
    expect(page.get_by_text("Nothing is due")).to_have_count(0)
    listed = page.get_by_text(re.compile(r"(\d+) forms? to print")).first.inner_text()
    assert int(re.match(r"(\d+)", listed).group(1)) > 0  # type: ignore[union-attr]
    shot(page, "print forms due")
    assert PrintedForm.objects.count() == printed_before  # looking prints nothing

    # Missed measures: everyone in the services by default, as the home page said.
    page.goto(f"/o/{ORG}/")
    page.get_by_role("link", name="See missed measures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missed measures")
    assert _selected(page, "Key worker") == "Everyone"
    expect(page.locator("#missed-summary")).to_contain_text(
        f"{missed_home} missed measures with no reason"
    )
    expect(page.get_by_text("No missed measures to show")).to_have_count(0)
    shot(page, "missed measures")

    # Who is due agrees with the home page.
    page.goto(f"/o/{ORG}/")
    page.get_by_role("link", name="See who is due").click()
    assert _selected(page, "Key worker") == "Everyone"
    expect(page.locator("#due-summary")).to_contain_text(
        f"{home['on_due_list']} measures to collect"
    )
    assert _due_rows(page).count() == min(home["on_due_list"], 50)  # 50 a page
    shot(page, "who is due")
