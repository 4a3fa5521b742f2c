"""Trials: started through a pilot plan, answers kept out of commissioner reports,
the review page, and keep / change / drop."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import CommissionerMembership
from openproms.audit.models import AuditEvent
from openproms.catalogue.models import OrganisationMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.choosing.models import MeasureTrial
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    OutcomeScore,
    TimePoint,
)
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.reports.report_builder import build_report
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import make_contract, phq9_answers, shown


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"choosing:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _start(tenant: Tenant, **changes: str) -> MeasureTrial:
    client = verified_client(tenant.members["manager"].user)
    ends = timezone.localdate() + dt.timedelta(days=60)
    data = {
        "measure": "phq9@1",
        "service": str(tenant.service.pk),
        "kind": "every_n_weeks",
        "weeks": "1",
        "ends_on": ends.strftime("%d/%m/%Y"),
        **changes,
    }
    response = client.post(_url("trial_start"), data)
    assert response.status_code == 302, response.content.decode()
    return MeasureTrial.objects.get()


def _person(tenant: Tenant, reference: str, started: dt.date) -> Episode:
    who = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference
    )
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=who,
        service=tenant.service,
        start_date=started,
    )


def _answer(
    tenant: Tenant,
    episode: Episode,
    point: TimePoint | None,
    total: int,
    when: dt.datetime,
    *,
    minutes: float | None = None,
    mode: str = Administration.Mode.ASSISTED,
) -> Administration:
    """Answers saved at ``when``; with ``minutes``, their screen was first shown
    that many minutes before."""
    definition = measure_definition(organisation=tenant.organisation, measure_id="phq9")
    return administration_submit(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        measure=definition,
        answers=phq9_answers(total),
        mode=mode,
        submission_id=str(uuid.uuid4()),
        episode=episode,
        time_point=point,
        completed_at=when,
        started_at=None if minutes is None else when - dt.timedelta(minutes=minutes),
    ).administration


@pytest.mark.django_db
def test_starting_a_trial_makes_a_pilot_plan_and_uses_the_measure(
    tenant_a: Tenant,
) -> None:
    trial = _start(tenant_a)
    assert trial.plan.is_pilot and trial.plan.is_active
    assert trial.plan.service == tenant_a.service
    assert list(trial.plan.rules.values_list("measure_id", "kind", "weeks")) == [
        ("phq9", "every_n_weeks", 1)
    ]
    assert OrganisationMeasure.objects.filter(
        organisation=tenant_a.organisation, measure_id="phq9", is_active=True
    ).exists()
    assert AuditEvent.objects.filter(action="trial.start").count() == 1


@pytest.mark.django_db
def test_bad_trial_input_names_the_field_and_saves_nothing(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("trial_start"),
        {
            "measure": "phq9@1",
            "service": str(tenant_a.service.pk),
            "kind": "every_n_weeks",
            "weeks": "",
            "ends_on": "31/02/2020",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Enter the weeks between answers" in text
    assert "Enter the end date of the trial as a real date" in text
    assert not MeasureTrial.objects.exists()
    assert not tenant_a.organisation.plans.exists()


@pytest.mark.django_db
def test_trial_answers_are_pilot_and_absent_from_a_commissioner_report(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    today = timezone.localdate()
    trial = _start(tenant_a)
    noon = timezone.now() - dt.timedelta(minutes=5)
    for i in range(10):
        episode = _person(tenant_a, f"T-{i}", today - dt.timedelta(days=8))
        episode_schedule_refresh(episode=episode)
        points = list(TimePoint.objects.filter(episode=episode).order_by("due_date"))
        assert len(points) >= 2 and all(p.is_pilot for p in points)
        _answer(tenant_a, episode, points[0], 15, noon - dt.timedelta(days=1))
        _answer(tenant_a, episode, points[1], 5 + i, noon)
    assert set(Administration.objects.values_list("is_pilot", flat=True)) == {True}
    assert set(OutcomeScore.objects.values_list("is_pilot", flat=True)) == {True}
    # Ten people outside the trial, answered the ordinary way, are counted.
    for i in range(10):
        other = _person(tenant_a, f"C-{i}", today - dt.timedelta(days=30))
        _answer(tenant_a, other, None, 17, noon - dt.timedelta(days=20))
        _answer(tenant_a, other, None, 9 + i, noon)
    contract = make_contract(tenant_a, commissioner.body)
    period = {"start": today - dt.timedelta(days=60), "end": today}
    contract.start_date, contract.end_date = period["start"], period["end"]
    contract.save()
    assert shown(build_report(contract, **period), "n") == 10
    # The trial's people would be counted if the contract took in pilot answers.
    contract.include_pilot = True
    contract.save()
    assert shown(build_report(contract, **period), "n") == 20
    assert trial.plan.rules.count() == 1


@pytest.mark.django_db
def test_the_review_shows_completion_acceptability_missing_and_psychometrics(
    tenant_a: Tenant,
) -> None:
    today = timezone.localdate()
    trial = _start(tenant_a)
    episode = _person(tenant_a, "T-2", today - dt.timedelta(days=8))
    episode_schedule_refresh(episode=episode)
    point = TimePoint.objects.filter(episode=episode).order_by("due_date").first()
    assert point is not None
    answered = _answer(tenant_a, episode, point, 12, timezone.now())
    AcceptabilityResponse.objects.create(
        organisation=tenant_a.organisation,
        service=tenant_a.service,
        administration=answered,
        mode=Administration.Mode.ASSISTED,
        rating=5,
    )
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(_url("trial_review", trial_pk=trial.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 of " in text and "answered so far" in text
    assert "1 found it easy" in text
    assert "Questions left unanswered" in text
    assert "Question 1" in text
    assert "Too few people answered every question" in text
    assert "Record the decision" in text


@pytest.mark.django_db
def test_the_review_shows_median_and_middle_half_of_minutes_to_complete(
    tenant_a: Tenant,
) -> None:
    today = timezone.localdate()
    trial = _start(tenant_a)
    now = timezone.now()
    # Four answers timed on screen (2, 4, 6 and 10 minutes) and one typed in from
    # paper, which has no start time.
    for n, (minutes, mode) in enumerate(
        [
            (2, Administration.Mode.SELF),
            (4, Administration.Mode.KIOSK),
            (6, Administration.Mode.ASSISTED),
            (10, Administration.Mode.SELF),
            (None, Administration.Mode.PAPER_ENTRY),
        ]
    ):
        episode = _person(tenant_a, f"T-{n}", today - dt.timedelta(days=3))
        episode_schedule_refresh(episode=episode)
        point = TimePoint.objects.filter(episode=episode).order_by("due_date").first()
        _answer(tenant_a, episode, point, 10, now, minutes=minutes, mode=mode)
    client = verified_client(tenant_a.members["manager"].user)
    text = client.get(_url("trial_review", trial_pk=trial.pk)).content.decode()
    # Quartiles of 2, 4, 6, 10 (R's quantile, type 7): 3.5, 5 and 7.
    assert "Half of the people took 5 minutes or less." in text
    assert "The middle half took between 3 minutes 30 seconds and 7 minutes" in text
    assert "inter-quartile range of 4 timed answers" in text
    assert "4 of 5 answers" in text
    assert "Paper forms typed in or scanned" in text
    assert "Half of the answers came" in text  # days to answer, still shown


@pytest.mark.django_db
def test_a_review_with_no_timed_answers_says_so(tenant_a: Tenant) -> None:
    trial = _start(tenant_a)
    episode = _person(tenant_a, "T-9", timezone.localdate())
    episode_schedule_refresh(episode=episode)
    point = TimePoint.objects.filter(episode=episode).order_by("due_date").first()
    _answer(
        tenant_a, episode, point, 10, timezone.now(), mode=Administration.Mode.IMPORT
    )
    client = verified_client(tenant_a.members["manager"].user)
    text = client.get(_url("trial_review", trial_pk=trial.pk)).content.decode()
    assert "No timed answers yet." in text
    assert "0 of 1 answer" in text


@pytest.mark.django_db
def test_keep_ends_the_pilot_from_then_on(tenant_a: Tenant) -> None:
    today = timezone.localdate()
    trial = _start(tenant_a)
    episode = _person(tenant_a, "T-3", today - dt.timedelta(days=8))
    episode_schedule_refresh(episode=episode)
    first = TimePoint.objects.filter(episode=episode).order_by("due_date").first()
    assert first is not None
    _answer(tenant_a, episode, first, 12, timezone.now())
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("trial_decide", trial_pk=trial.pk), {"decision": "keep", "note": "Fine"}
    )
    assert response.status_code == 302
    trial.refresh_from_db()
    trial.plan.refresh_from_db()
    assert trial.decision == "keep" and trial.decision_note == "Fine"
    assert not trial.plan.is_pilot and trial.plan.is_active
    episode_schedule_refresh(episode=episode)
    # The answer already given stays a pilot answer; what is still due is not.
    assert Administration.objects.get().is_pilot
    pending = TimePoint.objects.filter(episode=episode, status="pending")
    assert pending.exists() and not pending.filter(is_pilot=True).exists()
    assert AuditEvent.objects.filter(action="trial.decide").count() == 1


@pytest.mark.django_db
def test_drop_switches_the_plan_off_and_change_leaves_it_a_pilot(
    tenant_a: Tenant,
) -> None:
    trial = _start(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    client.post(_url("trial_decide", trial_pk=trial.pk), {"decision": "change"})
    trial.plan.refresh_from_db()
    assert trial.plan.is_pilot and trial.plan.is_active
    client.post(_url("trial_decide", trial_pk=trial.pk), {"decision": "drop"})
    trial.plan.refresh_from_db()
    assert trial.plan.is_pilot and not trial.plan.is_active


@pytest.mark.django_db
def test_a_decision_must_be_chosen(tenant_a: Tenant) -> None:
    trial = _start(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(_url("trial_decide", trial_pk=trial.pk), {"decision": ""})
    assert response.status_code == 400
    assert "Choose keep, change or drop" in response.content.decode()
    trial.refresh_from_db()
    assert trial.decision == ""


@pytest.mark.django_db
def test_another_organisation_s_trial_is_not_found(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    trial = _start(tenant_a)
    client = verified_client(tenant_b.members["manager"].user)
    url = reverse(
        "choosing:trial_review", kwargs={"org_slug": "beta", "trial_pk": trial.pk}
    )
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_measure_without_its_licensed_wording_cannot_be_tried(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    ends = timezone.localdate() + dt.timedelta(days=30)
    response = client.post(
        _url("trial_start"),
        {
            "measure": "wemwbs@1",
            "service": str(tenant_a.service.pk),
            "kind": "start",
            "ends_on": ends.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 400
    assert "The wording of WEMWBS is licensed" in response.content.decode()
    assert not MeasureTrial.objects.exists()


def test_durations_read_as_people_say_them() -> None:
    from openproms.choosing.trial_views import duration_words

    assert duration_words(0.75) == "45 seconds"
    assert duration_words(1) == "1 minute"
    assert duration_words(3.5) == "3 minutes 30 seconds"
    assert duration_words(61) == "1 hour 1 minute"
    assert duration_words(120) == "2 hours"
