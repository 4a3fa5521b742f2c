"""Saving answers: validation, scoring, idempotency, alerts, edits (IN3, RL1, RL2)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection

from openproms.audit.models import AuditEvent
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    RiskAlert,
    ScaleResult,
    TimePoint,
)
from openproms.collection.services import (
    StaleEdit,
    SubmissionConflict,
    SubmissionError,
    TimePointAlreadyAnswered,
    administration_edit,
    administration_submit,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import ResponseInvalid, get_measure
from tests.conftest import Tenant

PHQ9 = get_measure("phq9")
ALL_ONES = dict.fromkeys(PHQ9.item_ids, 1)


def _person(tenant: Tenant) -> tuple[ServiceUser, Episode]:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference="P-001"
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 1, 5),
        key_worker=tenant.members["worker"].user,
    )
    return person, episode


def _submit(tenant: Tenant, person: ServiceUser, answers: dict, **kwargs):  # type: ignore[no-untyped-def]
    return administration_submit(
        organisation=tenant.organisation,
        service_user=person,
        measure=PHQ9,
        answers=answers,
        mode="assisted",
        submission_id=kwargs.pop("submission_id", str(uuid.uuid4())),
        collected_by=tenant.members["worker"].user,
        **kwargs,
    )


@pytest.mark.django_db
def test_answers_are_scored_and_the_scores_stored(tenant_a: Tenant) -> None:
    person, episode = _person(tenant_a)
    result = _submit(tenant_a, person, ALL_ONES, episode=episode)
    assert result.created
    total = ScaleResult.objects.get(
        administration=result.administration, scale_id="total"
    )
    assert total.value == 9 and total.band  # 9 x "several days" = 9, mild
    assert result.administration.scored_with == "phq9@" + PHQ9.version
    assert AuditEvent.objects.filter(action="administration.create").count() == 1


@pytest.mark.django_db
def test_an_out_of_range_answer_names_the_item_and_stores_nothing(
    tenant_a: Tenant,
) -> None:
    person, _ = _person(tenant_a)
    bad = {**ALL_ONES, PHQ9.item_ids[3]: 7}
    with pytest.raises(ResponseInvalid) as problem:
        _submit(tenant_a, person, bad)
    assert problem.value.errors[0].item_id == PHQ9.item_ids[3]
    assert problem.value.errors[0].value == 7
    assert Administration.objects.count() == 0 and ScaleResult.objects.count() == 0


@pytest.mark.django_db
def test_the_same_submission_twice_stores_one_answer(tenant_a: Tenant) -> None:
    person, _ = _person(tenant_a)
    first = _submit(tenant_a, person, ALL_ONES, submission_id="abc")
    second = _submit(tenant_a, person, ALL_ONES, submission_id="abc")
    assert first.created and not second.created
    assert second.administration.pk == first.administration.pk
    assert Administration.objects.count() == 1


@pytest.mark.django_db
def test_a_different_body_under_the_same_submission_id_is_refused(
    tenant_a: Tenant,
) -> None:
    person, _ = _person(tenant_a)
    _submit(tenant_a, person, ALL_ONES, submission_id="abc")
    with pytest.raises(SubmissionConflict):
        _submit(
            tenant_a, person, {**ALL_ONES, PHQ9.item_ids[0]: 3}, submission_id="abc"
        )
    assert Administration.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_identical_submissions_store_one_answer(
    tenant_a: Tenant,
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    person, _ = _person(tenant_a)
    results: list[bool] = []

    def submit() -> None:
        try:
            results.append(
                _submit(tenant_a, person, ALL_ONES, submission_id="same").created
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Administration.objects.count() == 1
    assert sorted(results) == [False, False, False, True]


@pytest.mark.django_db
def test_a_risk_answer_raises_an_alert_for_the_key_worker(tenant_a: Tenant) -> None:
    person, episode = _person(tenant_a)
    risk_item = next(item.id for item in PHQ9.items if item.risk is not None)
    _submit(tenant_a, person, {**ALL_ONES, risk_item: 2}, episode=episode)
    alert = RiskAlert.objects.get()
    assert alert.assigned_to == tenant_a.members["worker"].user
    assert alert.item_id == risk_item and alert.acknowledged_at is None
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1


@pytest.mark.django_db
def test_no_alert_when_the_risk_item_is_zero(tenant_a: Tenant) -> None:
    person, episode = _person(tenant_a)
    risk_item = next(item.id for item in PHQ9.items if item.risk is not None)
    _submit(tenant_a, person, {**ALL_ONES, risk_item: 0}, episode=episode)
    assert RiskAlert.objects.count() == 0


def _time_point(tenant: Tenant, episode: Episode) -> TimePoint:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name="Core",
        is_pilot=True,
    )
    rule = PlanRule.objects.create(
        plan=plan,
        measure_id="phq9",
        measure_version=PHQ9.version,
        kind="start",
        window_days=14,
    )
    return TimePoint.objects.create(
        organisation=tenant.organisation,
        episode=episode,
        rule=rule,
        sequence=1,
        label="Start",
        measure_id="phq9",
        measure_version=PHQ9.version,
        due_date=episode.start_date,
        window_start=episode.start_date,
        window_end=episode.start_date + dt.timedelta(days=14),
        is_pilot=True,
    )


@pytest.mark.django_db
def test_answering_a_time_point_completes_it_and_a_second_form_is_refused(
    tenant_a: Tenant,
) -> None:
    person, episode = _person(tenant_a)
    time_point = _time_point(tenant_a, episode)
    first = _submit(tenant_a, person, ALL_ONES, time_point=time_point)
    assert first.administration.is_pilot
    time_point.refresh_from_db()
    assert time_point.status == TimePoint.Status.COMPLETED
    with pytest.raises(TimePointAlreadyAnswered):
        _submit(tenant_a, person, ALL_ONES, time_point=time_point)
    assert Administration.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_needs_a_reason_refuses_stale_versions_and_is_audited(
    tenant_a: Tenant,
) -> None:
    person, _ = _person(tenant_a)
    administration = _submit(tenant_a, person, ALL_ONES).administration
    editor = tenant_a.members["data_officer"].user
    changed = {**ALL_ONES, PHQ9.item_ids[0]: 3}
    with pytest.raises(SubmissionError):
        administration_edit(
            administration=administration,
            measure=PHQ9,
            answers=changed,
            reason=" ",
            expected_version=1,
            actor=editor,
        )
    administration_edit(
        administration=administration,
        measure=PHQ9,
        answers=changed,
        reason="Typed the first answer wrongly",
        expected_version=1,
        actor=editor,
    )
    administration.refresh_from_db()
    assert administration.version == 2 and administration.answers[PHQ9.item_ids[0]] == 3
    total = ScaleResult.objects.get(administration=administration, scale_id="total")
    assert total.value == 11
    with pytest.raises(StaleEdit):
        administration_edit(
            administration=administration,
            measure=PHQ9,
            answers=ALL_ONES,
            reason="again",
            expected_version=1,
            actor=editor,
        )
    event = AuditEvent.objects.get(action="administration.edit")
    assert event.detail["changed_items"] == [PHQ9.item_ids[0]]


@pytest.mark.django_db
def test_rescore_recomputes_every_answer_and_records_the_definition(
    tenant_a: Tenant,
) -> None:
    from django.core.management import call_command

    person, _ = _person(tenant_a)
    administration = _submit(tenant_a, person, ALL_ONES).administration
    ScaleResult.objects.filter(administration=administration).update(value=999)
    Administration.objects.filter(pk=administration.pk).update(scored_with="phq9@old")
    call_command("rescore", "phq9")
    administration.refresh_from_db()
    assert administration.scored_with == PHQ9.key
    assert (
        ScaleResult.objects.get(administration=administration, scale_id="total").value
        == 9
    )
