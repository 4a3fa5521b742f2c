"""The manager's weekly look at the dashboard, on the demo: sign in, open the
dashboard from the menu, read the headline figures in the first screenful, open
the filters, narrow them to one service and typed dates (dd/mm/yyyy), and see how
many people funders' reports leave out and why.

Every figure read is checked against what the database gives for the same filters,
and every label is read once.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import Organisation, Service
from openproms.catalogue.selectors import measure_definition
from openproms.people.models import Consent
from openproms.reports.selectors import funders_left_out, outcome_pairs_with_capture
from openproms.stats import paired_change
from tests.browser.helpers import check_page, open_from_menu

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"
DOUBLED = ("CORE-10 CORE-10", "Collection\nCollection", "(WEMWBS) (WEMWBS)", "core-10")


def _first_screen(page: Page, path: Path) -> None:
    """Beside a step's full-page shot, what the manager sees without scrolling."""
    page.screenshot(path=str(path.with_name(f"{path.stem}-first-screen.png")))


def _headline(page: Page) -> dict[str, str]:
    row = page.locator("#headline-figures tbody tr").first
    return {
        name: row.locator(f'[data-figure="{name}"]').inner_text().strip()
        for name in ("n", "mean_change", "improved", "deteriorated")
    }


def _stored(
    organisation: Organisation,
    services: list[Service] | None,
    start: dt.date,
    end: dt.date,
) -> dict[str, str]:
    """The same headline figures, from the database."""
    definition = measure_definition(organisation=organisation, measure_id="core10")
    result = outcome_pairs_with_capture(
        organisation=organisation,
        services=services,
        measure_id="core10",
        scale_id="clinical",
        start=start,
        end=end,
        audience="organisation",
    )
    change = paired_change(definition, "clinical", result.scores)
    assert change.mean_change is not None and change.reliable is not None
    e, r, n = change.mean_change, change.reliable, change.n
    return {
        "n": str(n),
        "mean_change": f"{e.value:.2f} (95% CI {e.low:.2f} to {e.high:.2f})",
        "improved": f"{r.improved} ({100 * r.improved / n:.1f}%)",
        "deteriorated": f"{r.deteriorated} ({100 * r.deteriorated / n:.1f}%)",
    }


def _labels_once(page: Page) -> None:
    text = page.locator("main").inner_text()
    for doubled in DOUBLED:
        assert doubled not in text, doubled
    assert page.locator("main h2", has_text=re.compile(r"^Collection$")).count() == 1
    assert page.locator("input[type=date]").count() == 0


def test_the_manager_reads_the_headline_first_filters_by_typed_dates_and_sees_who_funders_miss(
    page: Page, demo: Any, sign_in_as: Any, shot: Any
) -> None:
    riverside = Organisation.objects.get(slug="riverside")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, MANAGER)
    page.goto("/")
    page.get_by_role("link", name="Riverside Wellbeing Trust").click()
    open_from_menu(page, "Dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes dashboard")

    # The headline figures are in the first screenful, before the filters.
    headline = page.locator("#headline-figures")
    expect(headline).to_be_visible()
    box = headline.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800
    capture = page.locator("#score-pairs")
    capture_box = capture.bounding_box()
    assert capture_box is not None and capture_box["y"] < 800
    filters = page.locator("#filters")
    expect(filters).not_to_have_attribute("open", "")
    assert (filters.bounding_box() or {"y": 0})["y"] > box["y"]
    path = shot(page, "dashboard")
    _first_screen(page, path)
    _labels_once(page)

    # Seen = stored: the last 12 months, every service, CORE-10.
    today = timezone.localdate()
    year_ago = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    expect(page.locator("#headline")).to_have_text(
        f"Headline figures, {year_ago:%d/%m/%Y} to {today:%d/%m/%Y}"
    )
    assert _headline(page) == _stored(riverside, None, year_ago, today)
    expect(page.locator("#headline-figures")).to_contain_text("CORE-10 clinical score")
    expect(page.locator("#headline-figures")).to_contain_text("Lower scores are better")

    # How many funders' reports leave out, and why; the stored decisions agree.
    said_no = Consent.objects.filter(
        service_user__organisation=riverside,
        kind=Consent.Kind.SHARE_WITH_FUNDERS,
        given=False,
    )
    assert said_no.count() == 3 == funders_left_out(riverside, None)
    expect(page.locator("#funders-left-out")).to_have_text(
        "3 people are left out of reports for funders because they said no to "
        "their answers being included in anonymous totals for funders. They are "
        "counted here."
    )

    # The filters open from their summary; dates are typed day first. The period:
    # from the first of the month eight months ago to the end of two months ago
    # (the demo's answers cover the last year).
    start = (today.replace(day=1) - dt.timedelta(days=220)).replace(day=1)
    end = (today.replace(day=1) - dt.timedelta(days=40)).replace(day=1)
    end = (end + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    filters.locator("summary").click()
    expect(filters).to_have_attribute("open", "")
    filters.get_by_label("Service", exact=True).select_option(label="Wellbeing course")
    filters.get_by_label("Period", exact=True).select_option(label="Custom dates")
    filters.get_by_label("From (custom dates)").fill(f"{start:%d/%m/%Y}")
    filters.get_by_label("To (custom dates)").fill(
        f"31/02/{end.year}"
    )  # no 31 February
    shot(page, "filters open with dates typed")
    filters.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the date the period ends as a real date, day/month/year, like 31/03/2027"
    )
    expect(filters).to_have_attribute("open", "")
    expect(filters.get_by_label("To (custom dates)")).to_have_value(f"31/02/{end.year}")
    shot(page, "a date that does not exist")

    filters.get_by_label("To (custom dates)").fill(f"{end:%d/%m/%Y}")
    filters.get_by_role("button", name="Show figures").click()
    page.wait_for_load_state()
    assert f"start={start:%d}%2F{start:%m}%2F{start:%Y}" in page.url
    assert f"end={end:%d}%2F{end:%m}%2F{end:%Y}" in page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Outcomes dashboard: Wellbeing course"
    )
    expect(page.locator("#headline")).to_have_text(
        f"Headline figures, {start:%d/%m/%Y} to {end:%d/%m/%Y}"
    )
    expect(filters.locator("summary")).to_contain_text(
        f"Wellbeing course; Custom dates ({start:%d/%m/%Y} to {end:%d/%m/%Y})"
    )
    expect(filters.get_by_label("From (custom dates)")).to_have_value(
        f"{start:%d/%m/%Y}"
    )
    course = Service.objects.get(organisation=riverside, name="Wellbeing course")
    assert _headline(page) == _stored(riverside, [course], start, end)
    expect(page.locator("#funders-left-out")).to_contain_text(
        f"{funders_left_out(riverside, [course])} people are left out of reports "
        "for funders"
    )
    path = shot(page, "one service and typed dates")
    _first_screen(page, path)
    _labels_once(page)
    check_page(page, narrow=True, reload=False)
