"""Keeping collection going: weekly completion (collection.counts, the same
definition as everywhere), implementation leads, and their alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Service, User
from openproms.collection.counts import collection_rates
from openproms.collection.models import (
    MeasurementPlan,
    PlanRule,
    TimePoint,
)
from openproms.people.models import Episode, ServiceUser
from openproms.reminders import capture, capture_alerts
from openproms.reminders.models import CaptureAlert, ImplementationLead
from tests.conftest import Tenant, verified_client
from tests.stored_answers import store_answers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _monday(weeks_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=TODAY.weekday()) - dt.timedelta(weeks=weeks_ago)


def _due(
    tenant: Tenant,
    worker: User | None,
    *,
    weeks_ago: int,
    due: int,
    answered: int,
    service: Service | None = None,
) -> None:
    """``due`` measures due in the week ``weeks_ago`` weeks back, for people whose
    key worker is ``worker`` (None: no key worker) in ``service`` (the tenant's
    own by default); the first ``answered`` of them answered."""
    service = service or tenant.service
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=tenant.organisation, service=service, name="Plan"
    )
    rule, _ = PlanRule.objects.get_or_create(
        plan=plan, measure_id="phq9", measure_version="1", kind="every_n_weeks"
    )
    for n in range(due):
        reference = f"{worker.pk if worker else 0}-{service.pk}-{weeks_ago}-{n}"
        person = ServiceUser.objects.create(
            organisation=tenant.organisation, reference=reference
        )
        episode = Episode.objects.create(
            organisation=tenant.organisation,
            service_user=person,
            service=service,
            start_date=_monday(weeks_ago + 4),
            key_worker=worker,
        )
        day = _monday(weeks_ago) + dt.timedelta(days=2)
        TimePoint.objects.create(
            organisation=tenant.organisation,
            episode=episode,
            rule=rule,
            sequence=2,
            label="Follow-up",
            measure_id="phq9",
            measure_version="1",
            due_date=day,
            window_start=day,
            window_end=day + dt.timedelta(days=3),
            status=TimePoint.Status.COMPLETED if n < answered else "pending",
        )


def _start_then_follow_up(tenant: Tenant, worker: User, *, weeks_ago: int) -> None:
    """Three people whose first measure was due ``weeks_ago`` weeks back: two
    answered it, one of whom answered again later."""
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=tenant.organisation, service=tenant.service, name="Plan"
    )
    start, _ = PlanRule.objects.get_or_create(
        plan=plan, measure_id="phq9", measure_version="1", kind="start"
    )
    later, _ = PlanRule.objects.get_or_create(
        plan=plan, measure_id="phq9", measure_version="1", kind="every_n_weeks"
    )
    day = _monday(weeks_ago) + dt.timedelta(days=1)
    for n, (first, again) in enumerate(((True, True), (True, False), (False, False))):
        person = ServiceUser.objects.create(
            organisation=tenant.organisation, reference=f"S-{weeks_ago}-{n}"
        )
        episode = Episode.objects.create(
            organisation=tenant.organisation,
            service_user=person,
            service=tenant.service,
            start_date=day,
            key_worker=worker,
        )
        for rule, when, done in ((start, day, first), (later, TODAY, again)):
            TimePoint.objects.create(
                organisation=tenant.organisation,
                episode=episode,
                rule=rule,
                sequence=1,
                label="Start" if rule == start else "Follow-up",
                measure_id="phq9",
                measure_version="1",
                due_date=when,
                window_start=when,
                window_end=when + dt.timedelta(days=3),
                status=TimePoint.Status.COMPLETED if done else "missed",
            )


def test_every_weeks_figures_equal_the_collection_rates_of_that_week(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    _start_then_follow_up(tenant_a, worker, weeks_ago=2)
    _due(tenant_a, worker, weeks_ago=2, due=3, answered=1)
    _due(tenant_a, worker, weeks_ago=4, due=2, answered=2)
    for worker_or_none in (None, worker):
        weeks = capture.weekly_series(
            tenant_a.organisation, today=TODAY, weeks=5, worker=worker_or_none
        )
        for week in weeks:
            rates = collection_rates(
                tenant_a.organisation,
                worker=worker_or_none,
                period=(week.start, week.end),
                today=TODAY,
            )
            assert week.counts == rates.counts
            assert week.completion == rates.answered_rate
            assert week.follow_up == rates.follow_up_rate
            assert week.baseline_answered == rates.baseline_answered
    assert weeks[-2].start == _monday(2) and weeks[-2].follow_up == 0.5
    # The page's grouped reads give each service and worker the same weeks.
    overview = capture.capture_overview(tenant_a.organisation, today=TODAY, weeks=5)
    [by_worker] = overview["workers"]
    assert by_worker.weeks == capture.weekly_series(
        tenant_a.organisation, today=TODAY, weeks=5, worker=worker
    )
    [by_service] = overview["services"]
    assert by_service.weeks == capture.weekly_series(
        tenant_a.organisation, today=TODAY, weeks=5, service=tenant_a.service
    )


def test_the_pages_one_grouping_gives_every_service_and_worker_their_own_weeks(
    tenant_a: Tenant,
) -> None:
    """The page counts by service, worker and week at once and adds the cells up:
    each line still equals ``collection_rates`` for its service or worker."""
    second = Service.objects.create(organisation=tenant_a.organisation, name="Second")
    worker = tenant_a.members["worker"].user
    other = tenant_a.members["manager"].user
    _due(tenant_a, worker, weeks_ago=1, due=3, answered=2)
    _due(tenant_a, worker, weeks_ago=1, due=2, answered=1, service=second)
    _due(tenant_a, other, weeks_ago=2, due=2, answered=2, service=second)
    _due(tenant_a, None, weeks_ago=1, due=2, answered=1)
    _start_then_follow_up(tenant_a, worker, weeks_ago=3)
    _start_then_follow_up(tenant_a, other, weeks_ago=1)
    overview = capture.capture_overview(tenant_a.organisation, today=TODAY, weeks=4)
    assert {s.label for s in overview["services"]} == {tenant_a.service.name, "Second"}
    assert {s.worker for s in overview["workers"]} == {worker, other}
    due = {}
    for line in overview["services"] + overview["workers"]:
        for week in line.weeks:
            rates = collection_rates(
                tenant_a.organisation,
                service=line.service,
                worker=line.worker,
                period=(week.start, week.end),
                today=TODAY,
            )
            assert week.counts == rates.counts, (line.label, week.start)
            assert week.baseline_answered == rates.baseline_answered
            assert week.followed_up == rates.followed_up
            due[line.label] = due.get(line.label, 0) + week.due
    # Starts are due in their week; the follow-ups are due this week (not shown).
    assert due == {
        tenant_a.service.name: 3 + 2 + 3 + 3,
        "Second": 2 + 2,
        worker.display_name: 3 + 2 + 3,
        other.display_name: 2 + 3,  # the two with no key worker: services only
    }
    one_service = capture.capture_overview(
        tenant_a.organisation, today=TODAY, weeks=4, service=second
    )
    [line] = one_service["services"]
    assert [w.due for w in line.weeks] == [0, 0, 2, 2]
    assert {s.worker for s in one_service["workers"]} == {worker, other}


def _store_answers(point: TimePoint, *values: float | None) -> None:
    """Answers for ``point`` with one scale result per value (None: "no score")."""
    store_answers(point, {f"scale{n}": value for n, value in enumerate(values)})


def test_answers_without_a_score_count_as_no_score_and_never_as_a_follow_up(
    tenant_a: Tenant,
) -> None:
    """Answers stored with no score at all are "no score", not answered, in the
    week and in follow-up capture (a start without a score is not an answered
    start; a later answer without a score is not a follow-up); one scale with a
    score is enough."""
    worker = tenant_a.members["worker"].user
    _start_then_follow_up(tenant_a, worker, weeks_ago=2)
    _start_then_follow_up(tenant_a, worker, weeks_ago=1)
    starts = TimePoint.objects.filter(
        organisation=tenant_a.organisation, rule__kind=PlanRule.Kind.START
    ).order_by("due_date", "episode__service_user__reference")
    # Two weeks back: the start that was followed up has no score; one week back:
    # its follow-up has none, and the other answered start has one scale of two.
    two_back, one_back = list(starts[:3]), list(starts[3:])
    _store_answers(two_back[0], None, None)
    later = TimePoint.objects.get(
        episode=one_back[0].episode, rule__kind=PlanRule.Kind.EVERY_N_WEEKS
    )
    _store_answers(later, None)
    _store_answers(one_back[1], None, 4.0)
    weeks = capture.weekly_series(tenant_a.organisation, today=TODAY, weeks=2)
    assert [w.counts.no_score for w in weeks] == [1, 0]
    assert [w.counts.answered for w in weeks] == [1, 2]
    assert [(w.baseline_answered, w.followed_up) for w in weeks] == [(1, 0), (2, 0)]
    overview = capture.capture_overview(tenant_a.organisation, today=TODAY, weeks=2)
    for line in overview["services"] + overview["workers"]:
        for week in line.weeks:
            rates = collection_rates(
                tenant_a.organisation,
                service=line.service,
                worker=line.worker,
                period=(week.start, week.end),
                today=TODAY,
            )
            assert week.counts == rates.counts, (line.label, week.start)
            assert week.baseline_answered == rates.baseline_answered
            assert week.followed_up == rates.followed_up


def _lead(tenant: Tenant, **values: object) -> ImplementationLead:
    return ImplementationLead.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        lead=tenant.members["manager"].user,
        **values,
    )


def test_weekly_completion_is_the_collection_rate_of_each_week(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    _due(tenant_a, worker, weeks_ago=1, due=4, answered=3)
    _due(tenant_a, worker, weeks_ago=2, due=2, answered=0)
    weeks = capture.weekly_series(tenant_a.organisation, today=TODAY, weeks=3)
    assert [w.start for w in weeks] == [_monday(3), _monday(2), _monday(1)]
    assert [w.completion for w in weeks] == [None, 0.0, 0.75]
    assert [w.due for w in weeks] == [0, 2, 4]
    # The same figure as the collection rates page for that week.
    same = collection_rates(
        tenant_a.organisation, period=(_monday(1), _monday(1) + dt.timedelta(days=6))
    )
    assert weeks[-1].completion == same.answered_rate


def test_capture_below_target_for_the_set_weeks_raises_one_alert_and_emails_the_lead(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    for weeks_ago in (1, 2, 3):
        _due(tenant_a, worker, weeks_ago=weeks_ago, due=4, answered=2)
    _lead(tenant_a, capture_target=70, weeks_below=3, quiet_weeks=3)
    assert capture_alerts.alerts_raise(organisation=tenant_a.organisation, today=TODAY)
    alert = CaptureAlert.objects.get(kind=CaptureAlert.Kind.BELOW_TARGET)
    assert "below the target of 70% for 3 weeks (50%, 50%, 50%)" in alert.message
    assert alert.emailed_at is not None
    assert mail.outbox[-1].to == [tenant_a.members["manager"].user.email]
    # Raised once a week, however often the check runs.
    capture_alerts.alerts_raise(organisation=tenant_a.organisation, today=TODAY)
    assert CaptureAlert.objects.filter(kind="below_target").count() == 1
    # It shows on the lead's home page, and nowhere else's.
    home = reverse("core:org_home", kwargs={"org_slug": "alpha"})
    lead_page = verified_client(tenant_a.members["manager"].user).get(home)
    assert "Collection needs attention" in lead_page.content.decode()
    admin_page = verified_client(tenant_a.members["org_admin"].user).get(home)
    assert "Collection needs attention" not in admin_page.content.decode()


def test_one_good_week_in_the_run_means_no_alert(tenant_a: Tenant) -> None:
    worker = tenant_a.members["worker"].user
    _due(tenant_a, worker, weeks_ago=1, due=4, answered=1)
    _due(tenant_a, worker, weeks_ago=2, due=4, answered=4)
    _due(tenant_a, worker, weeks_ago=3, due=4, answered=1)
    _lead(tenant_a, capture_target=70, weeks_below=3, quiet_weeks=3)
    capture_alerts.alerts_raise(organisation=tenant_a.organisation, today=TODAY)
    assert not CaptureAlert.objects.filter(kind="below_target").exists()


def test_fewer_weeks_below_than_set_means_no_alert_yet(tenant_a: Tenant) -> None:
    worker = tenant_a.members["worker"].user
    _due(tenant_a, worker, weeks_ago=1, due=4, answered=1)
    _due(tenant_a, worker, weeks_ago=2, due=4, answered=1)
    _lead(tenant_a, capture_target=70, weeks_below=3, quiet_weeks=3)
    capture_alerts.alerts_raise(organisation=tenant_a.organisation, today=TODAY)
    assert not CaptureAlert.objects.filter(kind="below_target").exists()


def test_a_worker_with_people_due_and_nothing_collected_is_flagged(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    busy = tenant_a.members["org_admin"].user
    for weeks_ago in (1, 2):
        _due(tenant_a, worker, weeks_ago=weeks_ago, due=2, answered=0)
        _due(tenant_a, busy, weeks_ago=weeks_ago, due=2, answered=2)
    _lead(tenant_a, capture_target=10, weeks_below=6, quiet_weeks=2)
    capture_alerts.alerts_raise(organisation=tenant_a.organisation, today=TODAY)
    [alert] = CaptureAlert.objects.filter(kind=CaptureAlert.Kind.WORKER_STOPPED)
    assert alert.worker == worker
    assert "had 4 measures due in the last 2 weeks and none was answered" in (
        alert.message
    )


def test_a_practice_organisation_raises_no_alerts(tenant_a: Tenant) -> None:
    tenant_a.organisation.is_training = True
    tenant_a.organisation.save()
    worker = tenant_a.members["worker"].user
    for weeks_ago in (1, 2, 3):
        _due(tenant_a, worker, weeks_ago=weeks_ago, due=2, answered=0)
    _lead(tenant_a)
    assert capture_alerts.alerts_raise_all(today=TODAY) == {"alerts_raised": 0}
    assert not CaptureAlert.objects.exists()


def test_the_capture_page_shows_weekly_figures_and_names_a_lead(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    _due(tenant_a, worker, weeks_ago=1, due=4, answered=3)
    _start_then_follow_up(tenant_a, worker, weeks_ago=3)
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse("reminders:capture", kwargs={"org_slug": "alpha"})
    page = client.get(url).content.decode()
    assert "75% of 4 due" in page and worker.display_name in page
    # Three starts due, two answered, one of those answered again: the counts
    # each share is of are shown beside it, completion and follow-up in their
    # own charts and tables.
    assert "67% of 3 due" in page and "1 of 2 (50%)" in page
    assert "nothing due" in page and "no first measures answered" in page
    assert 'id="chart-services-follow-up"' in page
    assert 'id="chart-workers-follow-up"' in page
    assert "Name a lead" in page and "Change the lead" not in page
    lead_url = reverse(
        "reminders:lead_edit",
        kwargs={"org_slug": "alpha", "service_pk": tenant_a.service.pk},
    )
    bad = client.post(
        lead_url,
        {
            "lead": tenant_a.members["manager"].user.pk,
            "capture_target": "150",
            "weeks_below": "3",
            "quiet_weeks": "3",
        },
    )
    assert bad.status_code == 400 and "Enter a per cent from 1 to 100." in (
        bad.content.decode()
    )
    assert not ImplementationLead.objects.exists()
    good = client.post(
        lead_url,
        {
            "lead": tenant_a.members["manager"].user.pk,
            "capture_target": "80",
            "weeks_below": "3",
            "quiet_weeks": "3",
        },
    )
    assert good.status_code == 302
    assert ImplementationLead.objects.get().capture_target == 80
    # Once named, the link says it changes the lead rather than naming one.
    page = client.get(url).content.decode()
    assert "Change the lead or target" in page and "Name a lead" not in page
