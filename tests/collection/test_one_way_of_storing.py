"""One way of storing answers (decision 0033): the same answers saved one at a time
(``administration_submit``) and in bulk (``administrations_submit``, an import)
store the same rows, field by field, apart from the keys and the moments of
writing that must differ."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models, transaction

from openproms.audit.models import AuditEvent
from openproms.collection.bulk_submit import Submission, administrations_submit
from openproms.collection.models import (
    Administration,
    OutcomeScore,
    RiskAlert,
    ScaleResult,
    TimePoint,
)
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, get_measure
from tests.conftest import Tenant

PHQ9 = get_measure("phq9")
GAD7 = get_measure("gad7")
# Item 9 of the PHQ-9 answered: a risk alert for the key worker; one item left
# blank.
PHQ9_ANSWERS: dict[str, int | None] = {
    **dict.fromkeys(PHQ9.item_ids, 2),
    PHQ9.item_ids[0]: None,
}
GAD7_ANSWERS: dict[str, int | None] = dict.fromkeys(GAD7.item_ids, 3)
COMPLETED = dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)

# Keys and the moment a row is written: the only fields allowed to differ.
KEYS_AND_MOMENTS = {"id", "created_at", "at", "administration", "object_id"}


def _fields(row: models.Model, *leave_out: str) -> dict[str, Any]:
    skip = KEYS_AND_MOMENTS | set(leave_out)
    return {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.name not in skip and f.attname not in skip
    }


def _stored(person: ServiceUser, episode: Episode) -> dict[str, Any]:
    """Every row stored for this person's answers, keys and moments left out."""
    administrations = Administration.objects.filter(service_user=person).order_by(
        "measure_id"
    )
    ids = [a.pk for a in administrations]
    return {
        "administrations": [_fields(a) for a in administrations],
        "scale_results": sorted(
            (_fields(r) for r in ScaleResult.objects.filter(administration_id__in=ids)),
            key=lambda r: r["scale_id"],
        ),
        "outcome_scores": sorted(
            (
                _fields(o, "administration_id")
                for o in OutcomeScore.objects.filter(administration_id__in=ids)
            ),
            key=lambda o: (o["measure_id"], o["scale_id"]),
        ),
        "risk_alerts": [
            _fields(r, "administration_id")
            for r in RiskAlert.objects.filter(administration_id__in=ids).order_by(
                "item_id"
            )
        ],
        "time_points": [
            _fields(t) for t in TimePoint.objects.filter(episode=episode).order_by("id")
        ],
        "alert_events": [
            _fields(e)
            for e in AuditEvent.objects.filter(
                organisation=person.organisation, action="alert.raise"
            ).order_by("id")
        ],
    }


def _person(tenant: Tenant) -> tuple[ServiceUser, Episode]:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference="P-1"
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 1, 5),
        key_worker=tenant.members["worker"].user,
    )
    return person, episode


ANSWERS: list[tuple[MeasureDefinition, dict[str, int | None], str]] = [
    (PHQ9, PHQ9_ANSWERS, "import-phq9"),
    (GAD7, GAD7_ANSWERS, "import-gad7"),
]


@pytest.mark.django_db
def test_one_at_a_time_and_in_bulk_store_the_same_rows(tenant_a: Tenant) -> None:
    person, episode = _person(tenant_a)
    actor = tenant_a.members["manager"].user
    with transaction.atomic():
        for measure, answers, submission_id in ANSWERS:
            administration_submit(
                organisation=tenant_a.organisation,
                service_user=person,
                measure=measure,
                answers=answers,
                mode=Administration.Mode.IMPORT,
                submission_id=submission_id,
                collected_by=actor,
                episode=episode,
                completed_at=COMPLETED,
            )
        one_at_a_time = _stored(person, episode)
        transaction.set_rollback(True)
    assert not Administration.objects.filter(service_user=person).exists()

    administrations_submit(
        organisation=tenant_a.organisation,
        submissions=[
            Submission(
                service_user=person,
                measure=measure,
                answers=answers,
                submission_id=submission_id,
                episode=episode,
                completed_at=COMPLETED,
            )
            for measure, answers, submission_id in ANSWERS
        ],
        mode=Administration.Mode.IMPORT,
        collected_by=actor,
    )
    in_bulk = _stored(person, episode)

    # Something of every kind was stored, so the comparison compares something.
    assert len(in_bulk["administrations"]) == 2
    assert in_bulk["scale_results"] and in_bulk["outcome_scores"]
    assert len(in_bulk["risk_alerts"]) == 1 and len(in_bulk["alert_events"]) == 1
    assert any(r["items_missing"] for r in in_bulk["scale_results"])
    for kind, rows in in_bulk.items():
        assert rows == one_at_a_time[kind], kind


@pytest.mark.django_db
def test_the_audit_says_each_answer_one_at_a_time_and_each_person_in_bulk(
    tenant_a: Tenant,
) -> None:
    """The one difference, by design (decision 0024): an import writes one event
    per person naming their answers, not one per answer."""
    person, episode = _person(tenant_a)
    administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=GAD7,
        answers=GAD7_ANSWERS,
        mode=Administration.Mode.SELF,
        submission_id="one",
        episode=episode,
    )
    created = AuditEvent.objects.get(action="administration.create")
    assert created.actor_label == "the person answering"
    assert created.detail == {"measure": GAD7.key, "mode": "self"}
    results = administrations_submit(
        organisation=tenant_a.organisation,
        submissions=[
            Submission(
                service_user=person,
                measure=measure,
                answers=answers,
                submission_id=submission_id,
                episode=episode,
            )
            for measure, answers, submission_id in ANSWERS
        ],
        mode=Administration.Mode.IMPORT,
        collected_by=tenant_a.members["manager"].user,
    )
    imported = AuditEvent.objects.get(action="administration.import")
    assert imported.detail["administrations"] == [r.administration.pk for r in results]
    assert imported.object_repr == "2 completed measure(s)"
