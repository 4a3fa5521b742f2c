"""A manager uses the outcomes dashboard in a real browser: changes a filter by
keyboard, sees the charts drawn, opens a chart's data table and downloads a CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import check_page, sign_in_verified
from tests.people import factories
from tests.reports.test_dashboard_data import phq9

pytestmark = pytest.mark.browser


def tab_to(page: Page, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_manager_filters_the_dashboard_and_downloads_a_table(
    page, tenant_a, live_server
):
    today = timezone.localdate()
    for i, (first, later) in enumerate([(20, 8), (15, 12), (18, 4), (10, 11)]):
        who = factories.person(tenant_a, f"R{i}", sex="female")
        ep = factories.episode(
            tenant_a,
            who,
            key_worker=tenant_a.members["worker"].user,
            start=today - dt.timedelta(days=120),
        )
        phq9(ep, first, today - dt.timedelta(days=100))
        phq9(ep, later, today - dt.timedelta(days=10))
    sign_in_verified(page, tenant_a.members["manager"].user, live_server.url)
    page.goto("/o/alpha/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes dashboard")
    expect(
        page.locator("#distribution-total svg, #distribution-total canvas").first
    ).to_be_visible()
    check_page(page, narrow=True)

    # Measure: PHQ-9 -> PHQ-2 (worked out from the PHQ-9 answers), by keyboard:
    # the filters open from their one-line summary.
    tab_to(page, "#filters summary")
    page.keyboard.press("Enter")
    expect(page.locator("#filters")).to_have_attribute("open", "")
    tab_to(page, "#id_measure")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**measure=phq2**")
    expect(page.locator("#scale-total")).to_contain_text("PHQ-2")
    expect(page.locator("#trend-total svg, #trend-total canvas").first).to_be_visible()

    summary = page.locator("summary", has_text="Show the figures as a table").first
    summary.focus()
    page.keyboard.press("Enter")
    details = page.locator("details[open]").first
    expect(details.get_by_role("table")).to_be_visible()
    check_page(page)

    with page.expect_download() as info:
        details.get_by_role("link", name="Download these figures (CSV)").click()
    download = info.value
    assert download.suggested_filename == "dashboard-distribution-total.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Score,First score (n = 4)")
