"""Measurement plans, who is due, and recording why a measure was missed, driven in
Chromium: each page passes axe, reflows at 320 px and works by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openproms.catalogue.models import OrganisationMeasure
from openproms.collection import scheduling
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.models import Contact, Episode, ServiceUser
from tests.browser.helpers import check_page, sign_in_verified

pytestmark = pytest.mark.browser

MAX_TABS = 60


def _tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement?.matches(s) ?? false", selector
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def _plan(tenant, *, window_days: int = 14) -> MeasurementPlan:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name="Core outcomes",
        is_pilot=True,
    )
    MeasurementPlan.objects.filter(pk=plan.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    PlanRule.objects.create(
        plan=plan,
        measure_id="phq9",
        measure_version="1",
        kind="start",
        window_days=window_days,
        created_at=timezone.now() - dt.timedelta(days=400),
    )
    return plan


def _person(tenant, given: str, start: dt.date) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference=f"R-{given}",
        given_name=given,
        family_name="Example",
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=start,
        key_worker=tenant.members["worker"].user,
    )
    scheduling.episode_schedule_refresh(episode=episode)
    return episode


def test_manager_creates_a_plan_on_a_service(page, tenant_a, live_server):
    OrganisationMeasure.objects.create(
        organisation=tenant_a.organisation, measure_id="phq9", measure_version="1"
    )
    _person(tenant_a, "Robin", timezone.localdate())
    sign_in_verified(page, tenant_a.members["manager"].user, live_server.url)

    page.goto("/o/alpha/")
    page.get_by_role("link", name="Plans", exact=True).click()
    page.wait_for_url("**/o/alpha/plans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Measurement plans")
    check_page(page, narrow=True)

    _tab_to(page, "a[href$='/plans/new/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plans/new/")
    check_page(page, narrow=True)

    # By keyboard: type the name, tick "pilot" with the space bar, send with Enter.
    _tab_to(page, "#id_name")
    page.keyboard.type("Counselling outcomes")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_label("This is a pilot")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plans/*/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Counselling outcomes")
    expect(page.locator("h1 .nhsuk-tag")).to_have_text("Pilot")
    check_page(page, narrow=True)

    page.get_by_role("link", name="Add a measure").click()
    page.wait_for_url("**/rules/new/")
    check_page(page, narrow=True)

    # An impossible window is refused, naming the field.
    page.get_by_label("Measure").select_option("phq9@1")
    page.get_by_label("Every few weeks from the start").check()
    page.get_by_label("Weeks", exact=True).fill("2")
    page.get_by_label("Window (days)").fill("10")
    page.get_by_role("button", name="Add to the plan").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_contain_text("allows at most 6 days")
    check_page(page, narrow=True, reload=False)
    assert not PlanRule.objects.filter(plan__name="Counselling outcomes").exists()

    page.get_by_label("Window (days)").fill("5")
    page.get_by_role("button", name="Add to the plan").click()
    page.wait_for_url("**/plans/*/")
    expect(
        page.get_by_role("cell", name="Every 2 weeks from the start")
    ).to_be_visible()
    expect(page.get_by_text("have been updated")).to_be_visible()
    check_page(page, narrow=True)
    plan = MeasurementPlan.objects.get(name="Counselling outcomes")
    assert TimePoint.objects.filter(rule__plan=plan, label="Week 2").exists()


def test_worker_sees_who_is_due_and_who_comes_tomorrow(page, tenant_a, live_server):
    _plan(tenant_a)
    today = timezone.localdate()
    _person(tenant_a, "Alex", today)
    coming = _person(tenant_a, "Bea", today - dt.timedelta(days=2))
    Contact.objects.create(
        organisation=tenant_a.organisation,
        episode=coming,
        date=today + dt.timedelta(days=1),
    )
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)

    page.goto("/o/alpha/")
    page.get_by_role("link", name="Who is due", exact=True).click()
    page.wait_for_url("**/o/alpha/due/")
    table = page.get_by_role("table")
    expect(
        table.get_by_role("link", name="Alex Example (R-Alex)", exact=True)
    ).to_be_visible()
    expect(
        table.get_by_role("link", name="Bea Example (R-Bea)", exact=True)
    ).to_be_visible()
    expect(table.locator(".nhsuk-tag", has_text="Overdue")).to_have_count(1)
    expect(table.locator(".nhsuk-tag", has_text="Pilot")).to_have_count(2)
    check_page(page, narrow=True)

    # The day filter, by keyboard: who is in tomorrow and due by then.
    _tab_to(page, "#id_day")
    # Typing into a date field depends on the browser's locale; fill sets it the
    # same way whatever the order of day and month.
    page.locator("#id_day").fill((today + dt.timedelta(days=1)).isoformat())
    _tab_to(page, "button.nhsuk-button--secondary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/due/?*day=*")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who is due on")
    table = page.get_by_role("table")
    expect(
        table.get_by_role("link", name="Bea Example (R-Bea)", exact=True)
    ).to_be_visible()
    expect(
        table.get_by_role("link", name="Alex Example (R-Alex)", exact=True)
    ).to_have_count(0)
    check_page(page, narrow=True)


def test_worker_records_a_missed_time_point_with_a_reason(page, tenant_a, live_server):
    _plan(tenant_a, window_days=7)
    episode = _person(tenant_a, "Casey", timezone.localdate() - dt.timedelta(days=30))
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)

    page.goto("/o/alpha/due/")
    page.get_by_role("link", name="Missed measures").click()
    page.wait_for_url("**/due/missed/")
    expect(
        page.get_by_role("link", name="Casey Example (R-Casey)", exact=True)
    ).to_be_visible()
    check_page(page, narrow=True)

    page.get_by_role("link", name="Record why").click()
    page.wait_for_url("**/missed/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("missed")
    check_page(page, narrow=True)

    # "Other" without a note is refused, naming the note field.
    page.get_by_label("Other").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.get_by_role("link", name="Say why it was missed")).to_be_visible()
    check_page(page, narrow=True, reload=False)

    # By keyboard: the first radio takes focus, arrows move to "Did not attend".
    _tab_to(page, "input[name=reason]")
    page.keyboard.press("Home")
    for _ in range(6):
        if page.get_by_label("Did not attend").is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Did not attend")).to_be_checked()
    _tab_to(page, "button[type=submit].nhsuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/due/missed/")
    expect(page.get_by_text("Recorded PHQ-9 (Start) for")).to_be_visible()
    check_page(page, narrow=True)
    point = TimePoint.objects.get(episode=episode)
    assert (point.status, point.missed_reason) == ("missed", "did_not_attend")
