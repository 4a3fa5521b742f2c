"""Materialising time points from plans (DB): refresh, pauses, closing, completion,
the daily missed job, recording why an occasion was missed."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.collection import counts, scheduling
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.collection.services import administration_submit
from openproms.people.models import Contact, Episode, EpisodePause, ServiceUser
from openproms.scoring import get_measure
from tests.conftest import Tenant

PHQ9 = get_measure("phq9")
ALL_ONES = dict.fromkeys(PHQ9.item_ids, 1)
START = dt.date(2026, 1, 5)


def _episode(
    tenant: Tenant, reference: str = "P-001", start: dt.date = START
) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference
    )
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=start,
        key_worker=tenant.members["worker"].user,
    )


def _plan(tenant: Tenant, *rules: dict, pilot: bool = False) -> MeasurementPlan:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name="Core plan",
        is_pilot=pilot,
    )
    MeasurementPlan.objects.filter(pk=plan.pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 12, 1))
    )
    plan.refresh_from_db()
    for rule in rules:
        PlanRule.objects.create(
            plan=plan,
            measure_id=rule.pop("measure_id", "phq9"),
            measure_version=rule.pop("measure_version", PHQ9.version),
            created_at=plan.created_at,
            **rule,
        )
    return plan


def _points(episode: Episode) -> list[tuple[str, str, dt.date, str]]:
    return [
        (tp.measure_id, tp.label, tp.due_date, tp.status)
        for tp in TimePoint.objects.filter(episode=episode).order_by("due_date", "id")
    ]


@pytest.mark.django_db
def test_refresh_creates_start_and_interval_time_points(tenant_a: Tenant) -> None:
    _plan(
        tenant_a,
        {"kind": PlanRule.Kind.START, "window_days": 7},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 6, "window_days": 7},
        pilot=True,
    )
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 1, 6))
    assert _points(episode) == [
        ("phq9", "Start", START, "pending"),
        ("phq9", "Week 6", dt.date(2026, 2, 16), "pending"),
    ]
    start = TimePoint.objects.get(episode=episode, label="Start")
    assert start.window_start == START and start.window_end == dt.date(2026, 1, 12)
    assert start.is_pilot and start.measure_version == PHQ9.version
    assert start.organisation == tenant_a.organisation


@pytest.mark.django_db
def test_refresh_twice_changes_nothing(tenant_a: Tenant) -> None:
    _plan(
        tenant_a,
        {"kind": PlanRule.Kind.START},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 4, "window_days": 3},
    )
    episode = _episode(tenant_a)
    today = dt.date(2026, 3, 1)
    scheduling.episode_schedule_refresh(episode=episode, today=today)
    first = list(TimePoint.objects.filter(episode=episode).values())
    events = AuditEvent.objects.count()
    scheduling.episode_schedule_refresh(episode=episode, today=today)
    assert list(TimePoint.objects.filter(episode=episode).values()) == first
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_a_pause_moves_pending_occasions_later(tenant_a: Tenant) -> None:
    _plan(tenant_a, {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 6, "window_days": 7})
    episode = _episode(tenant_a)
    today = dt.date(2026, 2, 1)
    scheduling.episode_schedule_refresh(episode=episode, today=today)
    assert _points(episode)[0][2] == dt.date(2026, 2, 16)
    EpisodePause.objects.create(
        episode=episode, start_date=dt.date(2026, 1, 19), end_date=dt.date(2026, 2, 2)
    )
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 2, 3))
    week6 = TimePoint.objects.get(episode=episode, sequence=1)
    assert week6.due_date == dt.date(2026, 3, 2)
    assert (week6.window_start, week6.window_end) == (
        dt.date(2026, 2, 23),
        dt.date(2026, 3, 9),
    )
    assert week6.status == TimePoint.Status.PENDING


@pytest.mark.django_db
def test_closing_early_cancels_occasions_that_never_opened(tenant_a: Tenant) -> None:
    _plan(
        tenant_a,
        {"kind": PlanRule.Kind.START},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 6, "window_days": 7},
        {"kind": PlanRule.Kind.EXIT, "window_days": 7},
    )
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 1, 6))
    Episode.objects.filter(pk=episode.pk).update(
        status=Episode.Status.CLOSED, end_date=dt.date(2026, 1, 20)
    )
    episode.refresh_from_db()
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 1, 20))
    assert _points(episode) == [
        ("phq9", "Start", START, "pending"),
        ("phq9", "End", dt.date(2026, 1, 20), "pending"),
        ("phq9", "Week 6", dt.date(2026, 2, 16), "cancelled"),
    ]


@pytest.mark.django_db
def test_completed_and_missed_time_points_are_never_changed(tenant_a: Tenant) -> None:
    _plan(tenant_a, {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 2, "window_days": 3})
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 2, 10))
    TimePoint.objects.filter(episode=episode, sequence=1).update(
        status=TimePoint.Status.COMPLETED
    )
    TimePoint.objects.filter(episode=episode, sequence=2).update(
        status=TimePoint.Status.MISSED
    )
    EpisodePause.objects.create(episode=episode, start_date=dt.date(2026, 1, 6))
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.CLOSED)
    episode.refresh_from_db()
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 2, 12))
    first, second = TimePoint.objects.filter(episode=episode, sequence__lte=2)
    assert (first.status, first.due_date) == ("completed", dt.date(2026, 1, 19))
    assert (second.status, second.due_date) == ("missed", dt.date(2026, 2, 2))
    assert not TimePoint.objects.filter(episode=episode, status="pending").exists()


@pytest.mark.django_db
def test_switching_a_plan_off_cancels_its_pending_time_points(tenant_a: Tenant) -> None:
    plan = _plan(tenant_a, {"kind": PlanRule.Kind.START})
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=START)
    MeasurementPlan.objects.filter(pk=plan.pk).update(is_active=False)
    scheduling.episode_schedule_refresh(episode=episode, today=START)
    assert _points(episode) == [("phq9", "Start", START, "cancelled")]
    MeasurementPlan.objects.filter(pk=plan.pk).update(is_active=True)
    scheduling.episode_schedule_refresh(episode=episode, today=START)
    assert _points(episode) == [("phq9", "Start", START, "pending")]


@pytest.mark.django_db
def test_occasions_closed_before_the_rule_existed_are_not_made(
    tenant_a: Tenant,
) -> None:
    plan = _plan(tenant_a, {"kind": PlanRule.Kind.START, "window_days": 7})
    PlanRule.objects.filter(plan=plan).update(
        created_at=timezone.make_aware(dt.datetime(2026, 3, 1, 12))
    )
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 3, 2))
    assert _points(episode) == []


@pytest.mark.django_db
def test_a_sessions_rule_makes_an_occasion_at_the_nth_attended_contact(
    tenant_a: Tenant,
) -> None:
    _plan(tenant_a, {"kind": PlanRule.Kind.EVERY_NTH_SESSION, "sessions": 2})
    episode = _episode(tenant_a)
    for day, attended in ((6, True), (13, False), (20, True)):
        Contact.objects.create(
            organisation=tenant_a.organisation,
            episode=episode,
            date=dt.date(2026, 1, day),
            attended=attended,
        )
    scheduling.episode_schedule_refresh(episode=episode, today=dt.date(2026, 1, 20))
    assert _points(episode) == [("phq9", "Session 2", dt.date(2026, 1, 20), "pending")]


def _submit(tenant: Tenant, episode: Episode, point: TimePoint | None = None) -> None:
    administration_submit(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        measure=PHQ9,
        answers=ALL_ONES,
        mode="assisted",
        submission_id=str(uuid.uuid4()),
        collected_by=tenant.members["worker"].user,
        episode=episode,
        time_point=point,
    )


@pytest.mark.django_db
def test_answering_completes_the_time_point_and_schedules_the_next_when_seen(
    tenant_a: Tenant,
) -> None:
    today = timezone.localdate()
    _plan(
        tenant_a, {"kind": PlanRule.Kind.WHEN_SEEN_AFTER, "weeks": 4, "window_days": 7}
    )
    episode = _episode(tenant_a, start=today - dt.timedelta(weeks=10))
    Contact.objects.create(
        organisation=tenant_a.organisation, episode=episode, date=today
    )
    scheduling.episode_schedule_refresh(episode=episode)
    point = TimePoint.objects.get(episode=episode)
    assert point.label == "Follow-up 1"
    assert point.window_end == today + dt.timedelta(days=7)
    _submit(tenant_a, episode, point)
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED
    follow_up = TimePoint.objects.get(episode=episode, sequence=2)
    assert follow_up.label == "Follow-up 2"
    assert follow_up.due_date == today + dt.timedelta(weeks=4)
    assert follow_up.window_end is None and follow_up.status == "pending"


# --- the daily job ----------------------------------------------------------


def _closed_window_point(tenant: Tenant) -> TimePoint:
    _plan(tenant, {"kind": PlanRule.Kind.START, "window_days": 7})
    episode = _episode(tenant)
    scheduling.episode_schedule_refresh(episode=episode, today=START)
    return TimePoint.objects.get(episode=episode)


@pytest.mark.django_db
def test_the_daily_job_marks_closed_windows_missed(tenant_a: Tenant) -> None:
    point = _closed_window_point(tenant_a)
    assert scheduling.time_points_close_missed(today=dt.date(2026, 1, 12)) == 0
    assert scheduling.time_points_close_missed(today=dt.date(2026, 1, 13)) == 1
    point.refresh_from_db()
    assert point.status == TimePoint.Status.MISSED and point.missed_reason == ""
    event = AuditEvent.objects.get(action="time_point.close_missed")
    assert event.organisation == tenant_a.organisation and event.detail["count"] == 1
    assert scheduling.time_points_close_missed(today=dt.date(2026, 1, 13)) == 0


@pytest.mark.django_db
def test_the_daily_job_leaves_other_organisations_alone_when_asked(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    point = _closed_window_point(tenant_a)
    scheduling.time_points_close_missed(
        organisation=tenant_b.organisation, today=dt.date(2026, 6, 1)
    )
    point.refresh_from_db()
    assert point.status == TimePoint.Status.PENDING


@pytest.mark.django_db
def test_the_management_command_runs_the_daily_job(tenant_a: Tenant) -> None:
    point = _closed_window_point(tenant_a)
    out = StringIO()
    call_command("close_missed_time_points", "--today", "2026-02-01", stdout=out)
    point.refresh_from_db()
    assert point.status == TimePoint.Status.MISSED
    assert "marked 1 time point(s) missed" in out.getvalue()


@pytest.mark.django_db
def test_the_task_runs_the_daily_job(tenant_a: Tenant) -> None:
    from openproms.collection.tasks import close_missed_time_points

    point = _closed_window_point(tenant_a)
    result = close_missed_time_points.enqueue()
    assert result.return_value["time_points_missed"] == 1
    point.refresh_from_db()
    assert point.status == TimePoint.Status.MISSED


@pytest.mark.django_db
def test_the_daily_job_brings_the_next_interval_occasion_into_view(
    tenant_a: Tenant,
) -> None:
    _plan(tenant_a, {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 2, "window_days": 2})
    episode = _episode(tenant_a)
    scheduling.episode_schedule_refresh(episode=episode, today=START)
    assert TimePoint.objects.filter(episode=episode).count() == 1
    scheduling.schedules_advance(today=dt.date(2026, 2, 10))
    labels = list(
        TimePoint.objects.filter(episode=episode).values_list("label", flat=True)
    )
    assert labels[:3] == ["Week 2", "Week 4", "Week 6"]


@pytest.mark.django_db
def test_recording_why_a_pending_one_was_missed_marks_it_missed_and_audits(
    tenant_a: Tenant,
) -> None:
    point = _closed_window_point(tenant_a)
    worker = tenant_a.members["worker"].user
    scheduling.time_point_record_missed(
        time_point=point, reason="declined", note="", actor=worker
    )
    point.refresh_from_db()
    assert point.status == TimePoint.Status.MISSED
    assert point.missed_reason == "declined" and point.missed_recorded_by == worker
    event = AuditEvent.objects.get(action="time_point.record_missed")
    assert event.detail == {"reason": "declined", "was": "pending"}
    # A later refresh leaves it alone.
    scheduling.episode_schedule_refresh(episode=point.episode, today=START)
    point.refresh_from_db()
    assert point.status == TimePoint.Status.MISSED


# --- rates ------------------------------------------------------------------


@pytest.mark.django_db
def test_collection_rates_count_due_completed_missed_baseline_and_follow_up(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    _plan(
        tenant_a,
        {"kind": PlanRule.Kind.START},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 6, "window_days": 7},
    )
    today = dt.date(2026, 3, 1)
    episodes = [_episode(tenant_a, f"P-{n}") for n in range(3)]
    for episode in episodes:
        scheduling.episode_schedule_refresh(episode=episode, today=today)
    one, two, _three = episodes
    # One: baseline and week 6 answered. Two: baseline only. Three: nothing.
    TimePoint.objects.filter(episode=one, sequence=1).update(status="completed")
    TimePoint.objects.filter(episode=two, label="Start").update(status="completed")
    scheduling.time_points_close_missed(today=today)
    rates = counts.collection_rates(
        tenant_a.organisation,
        period=(dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
        today=today,
    )
    assert rates.counts.counted == 6
    assert (rates.counts.answered, rates.counts.missed) == (3, 3)
    assert rates.counts.still_open == rates.counts.declined == 0
    assert (rates.baseline_episodes, rates.baseline_answered, rates.followed_up) == (
        3,
        2,
        1,
    )
    assert rates.answered_rate == 0.5
    assert rates.follow_up_rate == 0.5
    other = tenant_a.members["manager"].user
    assert (
        counts.collection_rates(tenant_a.organisation, worker=other).counts.counted == 0
    )
    worker = tenant_a.members["worker"].user
    assert (
        counts.collection_rates(tenant_a.organisation, worker=worker).counts.counted
        == TimePoint.objects.exclude(status="cancelled").count()
    )
    assert counts.collection_rates(tenant_b.organisation).counts.counted == 0


@pytest.mark.django_db
def test_an_imported_episode_is_scheduled_from_the_day_it_was_imported(
    tenant_a: Tenant,
) -> None:
    # Decision 0046: occasions whose window closed before the import are
    # history (not created, counted as such); one whose window is still open
    # that day can still be collected, so it is created, overdue if past due.
    _plan(
        tenant_a,
        {"kind": PlanRule.Kind.START, "window_days": 7},
        {"kind": PlanRule.Kind.EVERY_N_WEEKS, "weeks": 6, "window_days": 7},
    )
    episode = _episode(tenant_a)
    imported = START + dt.timedelta(weeks=12, days=3)  # week 12's window open
    Episode.objects.filter(pk=episode.pk).update(scheduled_from=imported)
    done = scheduling.episode_schedule_refresh(episode=episode, today=imported)
    assert (done.created, done.history) == (2, 2)
    assert done.first_due == START + dt.timedelta(weeks=12)
    assert _points(episode) == [
        ("phq9", "Week 12", START + dt.timedelta(weeks=12), "pending"),
        ("phq9", "Week 18", START + dt.timedelta(weeks=18), "pending"),
    ]
    assert scheduling.time_points_close_missed(today=imported) == 0
    found = counts.count_states(TimePoint.objects.all(), imported)
    assert (found.missed, found.overdue, found.not_yet_due) == (0, 1, 1)
    # The same episode opened here is held to every occasion since its start.
    Episode.objects.filter(pk=episode.pk).update(scheduled_from=None)
    again = scheduling.episode_schedule_refresh(episode=episode, today=imported)
    assert (again.created, again.history) == (2, 0)
