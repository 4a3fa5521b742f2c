"""An imported episode's past is history (decision 0046): its measures are due
from the day of the import on, the occasions before it are never missed or
overdue and in no count, an answer given in the window of a time point still
due answers it, and the dry run says so. The summary counts every episode the
import saves with an end date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.collection import counts, scheduling
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    TimePoint,
)
from openproms.imports.models import ImportJob
from openproms.people.models import Episode, ServiceUser
from openproms.reports.selectors import collection_summary
from openproms.scoring import default_library, get_measure
from tests.conftest import Tenant, verified_client
from tests.imports.helpers import csv_of, manager, messages, run, upload, uses
from tests.imports.test_views import _columns_post
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# Fifteen 4-week occasions ago: the fifteenth is due today, its window open.
START = TODAY - dt.timedelta(weeks=60)
ANSWERS = "1,2,1,0,3,2,1"


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


@pytest.fixture
def tenant(tenant_a: Tenant) -> Tenant:
    uses(tenant_a, "gad7")
    made = timezone.now() - dt.timedelta(days=800)
    plan = MeasurementPlan.objects.create(
        organisation=tenant_a.organisation, service=tenant_a.service, name="Core"
    )
    MeasurementPlan.objects.filter(pk=plan.pk).update(created_at=made)
    version = get_measure("gad7").version
    for rule in (
        {"kind": PlanRule.Kind.START, "window_days": 7},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 4, "window_days": 7},
    ):
        PlanRule.objects.create(
            plan=plan,
            measure_id="gad7",
            measure_version=version,
            created_at=made,
            **rule,
        )
    return tenant_a


def _history_file(tenant: Tenant) -> bytes:
    service = tenant.service.name
    person = f"R-010,Ann,Smith,01/02/1980,,{service},{_day(START)},"
    return csv_of(
        f"{person},GAD-7,{_day(START)},{ANSWERS}",
        f"{person},GAD-7,{_day(TODAY - dt.timedelta(days=2))},{ANSWERS}",
    )


def _counts_on(page: str, element: str) -> dict[str, int]:
    block = page.split(f'id="{element}"', 1)[1].split("</p>", 1)[0]
    return {
        name: int(value)
        for name, value in re.findall(r'data-count="(\w+)">(\d+)<', block)
    }


def _summary(page: str) -> dict[str, int]:
    return {
        name: int(value)
        for name, value in re.findall(r'data-count="(\w+)">(\d+)<', page)
    }


def test_an_open_episode_imported_years_late_is_due_from_the_import_on(
    tenant: Tenant,
) -> None:
    # Before: every 4-week occasion since the start was created, and all but
    # the last were missed the moment the file was imported.
    dry = run(tenant, _history_file(tenant), commit=False)
    assert dry.status == ImportJob.Status.CHECKED, messages(dry)
    assert TimePoint.objects.count() == 0
    done = run(tenant, _history_file(tenant), commit=True)
    assert done.outcome["counts"] == dry.outcome["counts"]
    assert done.outcome["lines"] == dry.outcome["lines"]
    episode = Episode.objects.get(service_user__reference="R-010")
    assert episode.scheduled_from == TODAY
    scheduling.time_points_close_missed(organisation=tenant.organisation)
    stored = [
        (tp.label, tp.due_date, tp.status)
        for tp in TimePoint.objects.filter(episode=episode).order_by("due_date")
    ]
    assert stored == [
        ("Week 60", TODAY, TimePoint.Status.COMPLETED),
        ("Week 64", TODAY + dt.timedelta(weeks=4), TimePoint.Status.PENDING),
    ]
    # The answer given two days ago answers the time point due today; the one
    # given at the start is kept with the episode, its occasion history.
    recent_day = TODAY - dt.timedelta(days=2)
    recent = Administration.objects.get(completed_at__date=recent_day)
    assert recent.time_point is not None and recent.time_point.label == "Week 60"
    first = Administration.objects.get(completed_at__date=START)
    assert first.time_point is None and first.episode == episode
    assert done.outcome["counts"]["time_points_scheduled"] == 2
    # The start and weeks 4 to 56: fifteen occasions, none of them missed.
    assert done.outcome["counts"]["time_points_history"] == 15
    found = counts.count_states(TimePoint.objects.all(), TODAY)
    assert (found.missed, found.overdue, found.answered) == (0, 0, 1)
    lines = [line["text"] for line in done.outcome["lines"]]
    assert (
        f"Episode of R-010: {tenant.service.name} from {START.day} "
        f"{START:%B %Y}: 2 time points scheduled, the first due {TODAY.day} "
        f"{TODAY:%B %Y}; "
        "15 earlier time points left as history, not counted as missed."
    ) in lines
    assert (
        f"GAD-7 answered {recent_day.day} {recent_day:%B %Y} by R-010 (score 10), "
        "answering its Week 60 time point."
    ) in lines


def test_the_history_is_in_no_count_on_the_home_page_or_the_dashboard(
    tenant: Tenant,
) -> None:
    client = verified_client(manager(tenant))
    home = reverse("core:org_home", kwargs={"org_slug": tenant.organisation.slug})
    before = _counts_on(client.get(home).content.decode(), "home-missed")
    run(tenant, _history_file(tenant), commit=True)
    after = _counts_on(client.get(home).content.decode(), "home-missed")
    assert after == before
    assert TimePoint.objects.filter(status=TimePoint.Status.MISSED).count() == 0
    summary = collection_summary(
        organisation=tenant.organisation, services=None, start=START, end=TODAY
    )
    assert (summary["completed"], summary["missed"]) == (1, 0)


def test_the_dry_run_page_says_what_will_be_scheduled_and_what_is_history(
    tenant: Tenant,
) -> None:
    client = verified_client(manager(tenant))
    job = upload(tenant, _history_file(tenant))
    page = client.get(_columns_post(client, job)["Location"]).content.decode()
    text = visible_text(page)
    assert "Time points scheduled (still to collect)" in text
    assert (
        "Earlier time points left as history (window closed before the import: "
        "not counted as missed)"
    ) in text
    assert "they are never counted as missed or overdue" in text
    figures = _summary(page)
    assert figures["time_points_scheduled"] == 2
    assert figures["time_points_history"] == 15
    assert internal_ids_in(text, default_library()) == []
    assert TimePoint.objects.count() == 0
    client.post(
        reverse("imports:import_commit", args=[tenant.organisation.slug, job.pk])
    )
    person = ServiceUser.objects.get(reference="R-010")
    shown = visible_text(
        client.get(
            reverse("people:person_detail", args=[tenant.organisation.slug, person.pk])
        ).content
    )
    assert (
        f"Imported on {TODAY.day} {TODAY:%B %Y}: time points whose window had "
        "closed before then are history, not counted as missed."
    ) in shown
    assert "Missed" not in shown


def test_importing_the_file_again_schedules_and_counts_nothing_more(
    tenant: Tenant,
) -> None:
    run(tenant, _history_file(tenant), commit=True)
    held = list(TimePoint.objects.values_list("pk", "status"))
    again = run(tenant, _history_file(tenant), commit=True)
    counted = again.outcome["counts"]
    assert counted["time_points_scheduled"] == counted["time_points_history"] == 0
    assert list(TimePoint.objects.values_list("pk", "status")) == held


def test_an_episode_held_before_keeps_its_schedule(tenant: Tenant) -> None:
    # Only an episode the import adds starts its schedule at the import: one
    # opened here is held to its occasions as before.
    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference="R-010",
        given_name="Ann",
        family_name="Smith",
        date_of_birth=dt.date(1980, 2, 1),
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=START,
    )
    scheduling.episode_schedule_refresh(episode=episode)
    held = TimePoint.objects.filter(episode=episode).count()
    done = run(tenant, _history_file(tenant), commit=True)
    assert done.status == ImportJob.Status.IMPORTED, messages(done)
    episode.refresh_from_db()
    assert episode.scheduled_from is None
    assert TimePoint.objects.filter(episode=episode).count() == held == 17
    assert done.outcome["counts"]["time_points_history"] == 0


def test_the_summary_counts_every_episode_saved_with_an_end_date(
    tenant: Tenant,
) -> None:
    # Before: a new episode saved closed with the file's end date was counted
    # as "Episodes given an end date 0" and listed only "from 4 January 2024".
    service = tenant.service.name
    client = verified_client(manager(tenant))
    job = upload(
        tenant,
        csv_of(
            f"OLD-001,Janet,Harris,12/03/1961,,{service},04/01/2024,28/03/2024,"
            f"GAD-7,04/01/2024,{ANSWERS}",
            f"OLD-001,Janet,Harris,12/03/1961,,{service},04/01/2024,28/03/2024,"
            f"GAD-7,28/03/2024,{ANSWERS}",
        ),
    )
    page = client.get(_columns_post(client, job)["Location"]).content.decode()
    assert _summary(page)["episodes_ended"] == 1
    assert "Episodes given an end date (closed)" in visible_text(page)
    assert (
        f"Episode of OLD-001: {service} from 4 January 2024 to 28 March 2024 "
        "(closed)." in visible_text(page)
    )
    client.post(
        reverse("imports:import_commit", args=[tenant.organisation.slug, job.pk])
    )
    job.refresh_from_db()
    assert job.outcome["counts"]["episodes_ended"] == 1
    episode = Episode.objects.get(service_user__reference="OLD-001")
    assert (episode.end_date, episode.status) == (
        dt.date(2024, 3, 28),
        Episode.Status.CLOSED,
    )
    # A held episode given an end date by a later file is counted the same way.
    again = run(
        tenant,
        csv_of(
            f"OLD-001,Janet,Harris,12/03/1961,,{service},04/01/2024,30/04/2024,"
            f"GAD-7,28/03/2024,{ANSWERS}"
        ),
        commit=True,
    )
    assert again.outcome["counts"]["episodes_ended"] == 1
    assert again.outcome["counts"]["episodes_updated"] == 1
    assert {
        "row": 2,
        "action": "Change",
        "text": f"Episode of OLD-001: {service} from 4 January 2024 ends "
        "30 April 2024 (closed).",
    } in again.outcome["lines"]
    episode.refresh_from_db()
    assert episode.end_date == dt.date(2024, 4, 30)
