"""Outcome analytics on the demo: the manager compares services and key workers
fairly on the dashboard (funnel plots beside their tables), and the worker sees
who on their caseload is not on track.

Each step asserts what is seen and what the database gives for the same thing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import Organisation, User
from openproms.collection import on_track
from openproms.people.models import Episode, ServiceUser
from openproms.reports import funnel_charts
from openproms.reports.selectors import outcome_pairs_with_capture
from openproms.scoring import default_library
from tests.browser.helpers import check_page, open_from_menu
from tests.reports.test_dashboard_data import phq9
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"
WORKER = "worker@riverside.example"
LIBRARY = list(default_library())


def test_the_manager_compares_services_and_workers_on_funnel_plots(
    page: Page, demo: Any, sign_in_as: Any, shot: Any
) -> None:
    riverside = Organisation.objects.get(slug="riverside")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, MANAGER)
    page.goto("/o/riverside/")
    open_from_menu(page, "Dashboard")
    heading = page.get_by_role("heading", name="Fair comparison of services").first
    heading.scroll_into_view_if_needed()
    expect(heading).to_be_visible()
    chart = page.locator("#funnel-service-clinical")
    expect(chart.locator("svg")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Fair comparison of key workers").first
    ).to_be_visible()
    table = page.locator('[data-table="funnel-service-clinical"]')
    expect(table).to_be_visible()
    chart.scroll_into_view_if_needed()
    shot(page, "dashboard with the services funnel")

    # Seen = stored: each service's adjusted mean change is the case-mix model's.
    today = timezone.localdate()
    start = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    result = outcome_pairs_with_capture(
        organisation=riverside,
        services=None,
        measure_id="core10",
        scale_id="clinical",
        start=start,
        end=today,
        audience="organisation",
    )
    casemix = funnel_charts.fit(result.pairs, result.scores)
    assert casemix is not None
    comparison = funnel_charts.compare(casemix, result.pairs, "service", False)
    for group in comparison.funnel.groups:
        row = table.locator("tbody tr", has_text=group.group)
        if group.n >= 8:
            expect(row).to_contain_text(str(round(group.mean, 2)))
            expect(row).to_contain_text(funnel_charts.status(group, False))
        else:
            expect(row).to_contain_text("Not shown: too few people")
    spec = json.loads(
        page.locator('script[data-chart="funnel-service-clinical"]').inner_text()
    )
    assert {r["limit"] for r in spec["layer"][0]["data"]["values"]} == {
        "95% limits",
        "99.8% limits",
    }
    assert internal_ids_in(page.locator("main").inner_text(), LIBRARY) == []
    check_page(page, reload=False)


def _history(worker: User, riverside: Organisation) -> ServiceUser:
    """Forty past episodes (not on the worker's caseload) with a first and a later
    PHQ-9, and one person on the worker's caseload who is much worse."""
    today = timezone.localdate()
    service = riverside.services.first()
    for i in range(40):
        who = ServiceUser.objects.create(organisation=riverside, reference=f"PAST{i}")
        ep = Episode.objects.create(
            organisation=riverside,
            service_user=who,
            service=service,
            start_date=today - dt.timedelta(days=120),
        )
        first = 12 + i % 11
        phq9(ep, first, today - dt.timedelta(days=100))
        phq9(ep, first - 3 - i % 7, today - dt.timedelta(days=10 + i))
    who = ServiceUser.objects.create(
        organisation=riverside, reference="WORSE1", given_name="Wes", family_name="Orr"
    )
    ep = Episode.objects.create(
        organisation=riverside,
        service_user=who,
        service=service,
        key_worker=worker,
        start_date=today - dt.timedelta(days=120),
    )
    phq9(ep, 17, today - dt.timedelta(days=100))
    phq9(ep, 25, today - dt.timedelta(days=20))
    return who


def test_the_worker_sees_who_is_not_on_track_on_their_caseload(
    page: Page, demo: Any, sign_in_as: Any, shot: Any, monkeypatch: Any
) -> None:
    # 30 people stand in for the 200 the rule needs (the demo has about 90 people,
    # too few: the clinician summary says so), to keep the journey quick.
    monkeypatch.setattr(on_track, "MIN_PEOPLE", 30)
    cache.clear()
    riverside = Organisation.objects.get(slug="riverside")
    worker = User.objects.get(email=WORKER)
    who = _history(worker, riverside)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, WORKER)
    page.goto("/o/riverside/caseload/")
    row = page.locator("tbody tr", has_text="Wes Orr")
    expect(row).to_contain_text("Not on track")
    verdicts = on_track.on_track_for_people(riverside, [who.pk])[who.pk]
    flagged = [v for v in verdicts if v.not_on_track]
    assert [v.name for v in flagged] == ["PHQ-9 total"]
    expect(row).to_contain_text(flagged[0].explanation)
    row.scroll_into_view_if_needed()
    shot(page, "caseload with a person not on track")
    page.goto(f"/o/riverside/people/{who.pk}/clinician-summary/")
    expect(page.locator("[data-on-track]").first).to_contain_text(
        flagged[0].explanation
    )
    expect(page.locator("[data-on-track]").first).to_contain_text(
        "is itself an estimate"
    )
    shot(page, "clinician summary explains the flag")
    assert internal_ids_in(page.locator("main").inner_text(), LIBRARY) == []
