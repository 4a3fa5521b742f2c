"""Outcome scores (the copy of scale values reports read) follow the answers:
written with them, replaced when they are corrected or rescored, gone with the
administration or the episode (docs/decisions/0007-outcome-scores.md)."""

from __future__ import annotations

import datetime as dt
import uuid
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    OutcomeScore,
    PlanRule,
    ScaleResult,
    TimePoint,
)
from openproms.collection.outcome_scores import micros
from openproms.collection.services import (
    administration_edit,
    administration_rescore,
    administration_submit,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import get_measure
from tests.conftest import Tenant

PHQ9 = get_measure("phq9")
ONS4 = get_measure("ons4")


def _episode(tenant: Tenant) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference="P-001"
    )
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 1, 5),
    )


def _exit_point(tenant: Tenant, episode: Episode, *, pilot: bool) -> TimePoint:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation, service=tenant.service, name="Plan"
    )
    rule = PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version=PHQ9.version, kind="exit"
    )
    return TimePoint.objects.create(
        organisation=tenant.organisation,
        episode=episode,
        rule=rule,
        sequence=1,
        label="End",
        measure_id="phq9",
        measure_version=PHQ9.version,
        due_date=episode.start_date,
        window_start=episode.start_date,
        window_end=episode.start_date + dt.timedelta(days=14),
        is_pilot=pilot,
    )


def _submit(tenant: Tenant, episode: Episode | None, answers: dict, **kw):  # type: ignore[no-untyped-def]
    person = episode.service_user if episode else kw.pop("person")
    return administration_submit(
        organisation=tenant.organisation,
        service_user=person,
        measure=kw.pop("measure", PHQ9),
        answers=answers,
        mode="assisted",
        submission_id=str(uuid.uuid4()),
        episode=episode,
        **kw,
    ).administration


def _copy(administration: Administration) -> dict[str, float]:
    return dict(
        OutcomeScore.objects.filter(administration=administration).values_list(
            "scale_id", "value"
        )
    )


@pytest.mark.django_db
def test_saved_answers_are_copied_for_reports(tenant_a: Tenant) -> None:
    episode = _episode(tenant_a)
    when = timezone.make_aware(dt.datetime(2026, 3, 1, 14, 30, 5, 123456))
    admin = _submit(
        tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 1), completed_at=when
    )
    [row] = OutcomeScore.objects.filter(administration=admin)
    assert (row.organisation_id, row.episode_id, row.measure_id) == (
        tenant_a.organisation.pk,
        episode.pk,
        "phq9",
    )
    assert (row.scale_id, row.value, row.is_pilot, row.is_exit) == (
        "total",
        9.0,
        False,
        False,
    )
    assert row.completed_us == micros(when)
    # Every scale with a value is copied (ONS4 has four).
    ons = _submit(tenant_a, episode, dict.fromkeys(ONS4.item_ids, 7), measure=ONS4)
    stored = dict(
        ScaleResult.objects.filter(administration=ons, value__isnull=False).values_list(
            "scale_id", "value"
        )
    )
    assert _copy(ons) == stored and len(stored) == 4


@pytest.mark.django_db
def test_exit_and_pilot_time_points_are_marked(tenant_a: Tenant) -> None:
    episode = _episode(tenant_a)
    point = _exit_point(tenant_a, episode, pilot=True)
    admin = _submit(
        tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 2), time_point=point
    )
    [row] = OutcomeScore.objects.filter(administration=admin)
    assert (row.is_exit, row.is_pilot, row.value) == (True, True, 18.0)


@pytest.mark.django_db
def test_answers_without_an_episode_are_not_copied(tenant_a: Tenant) -> None:
    person = ServiceUser.objects.create(
        organisation=tenant_a.organisation, reference="P-002"
    )
    admin = _submit(tenant_a, None, dict.fromkeys(PHQ9.item_ids, 1), person=person)
    assert ScaleResult.objects.filter(administration=admin).exists()
    assert not OutcomeScore.objects.filter(administration=admin).exists()


@pytest.mark.django_db
def test_corrected_and_rescored_answers_replace_the_copy(tenant_a: Tenant) -> None:
    episode = _episode(tenant_a)
    admin = _submit(tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 1))
    admin = administration_edit(
        administration=admin,
        measure=PHQ9,
        answers=dict.fromkeys(PHQ9.item_ids, 3),
        reason="typed from the wrong sheet",
        expected_version=admin.version,
        actor=tenant_a.members["worker"].user,
    )
    assert _copy(admin) == {"total": 27.0}
    assert OutcomeScore.objects.count() == 1
    administration_rescore(administration=admin, measure=PHQ9)
    assert _copy(admin) == {"total": 27.0}
    assert OutcomeScore.objects.count() == 1


@pytest.mark.django_db
def test_the_copy_goes_with_the_administration_or_the_episode(
    tenant_a: Tenant,
) -> None:
    episode = _episode(tenant_a)
    first = _submit(tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 1))
    second = _submit(tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 2))
    first.delete()
    assert list(OutcomeScore.objects.values_list("administration_id", flat=True)) == [
        second.pk
    ]
    # Deleting the episode keeps the answers (they are the person's) but they no
    # longer belong to an episode, so they leave the outcome reports.
    episode.delete()
    second.refresh_from_db()
    assert second.episode_id is None
    assert not OutcomeScore.objects.exists()


@pytest.mark.django_db
def test_the_migration_copies_scores_stored_before_it(tenant_a: Tenant) -> None:
    episode = _episode(tenant_a)
    when = timezone.make_aware(dt.datetime(2026, 2, 2, 9, 0))
    admin = _submit(
        tenant_a, episode, dict.fromkeys(PHQ9.item_ids, 2), completed_at=when
    )
    expected = list(OutcomeScore.objects.values())
    OutcomeScore.objects.all().delete()
    migration = import_module("openproms.collection.migrations.0005_outcome_scores")
    migration.copy_scores(django_apps, None)
    copied = list(OutcomeScore.objects.values())
    assert [{k: v for k, v in r.items() if k != "id"} for r in copied] == [
        {k: v for k, v in r.items() if k != "id"} for r in expected
    ]
    assert copied[0]["administration_id"] == admin.pk
