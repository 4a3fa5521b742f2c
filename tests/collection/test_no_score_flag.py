"""A time point's stored ``no_score`` (decision 0040) agrees with the scores its
answers made, after every path that writes scores: answers given with and
without enough items, an edit each way, a rescore, and the demo's seeding."""

from __future__ import annotations

import uuid

import pytest
from django.db.models import Exists, OuterRef

from openproms.catalogue.selectors import measure_definition
from openproms.collection import counts, states
from openproms.collection.models import Administration, ScaleResult, TimePoint
from openproms.collection.services import (
    administration_edit,
    administration_rescore,
    administration_submit,
)
from tests.collection.test_counts import TODAY, _person, _plan
from tests.conftest import Tenant

FULL = {f"phq9_{n}": 2 for n in range(1, 10)} | {"phq9_difficulty": 1}
SHORT = {"phq9_1": 1, "phq9_2": 2}


def disagreeing(points: object) -> list[int]:
    """The completed time points whose flag says other than their scores."""
    scored = ScaleResult.objects.filter(
        administration__time_point=OuterRef("pk"), value__isnull=False
    )
    rows = (
        TimePoint.objects.filter(pk__in=points, status=TimePoint.Status.COMPLETED)  # type: ignore[misc]
        .annotate(has_score=Exists(scored))
        .values_list("pk", "no_score", "has_score")
    )
    return [pk for pk, no_score, has_score in rows if no_score == has_score]


def _answer(tenant: Tenant, name: str, answers: dict[str, int]) -> Administration:
    _plan(tenant, {"kind": "start", "window_days": 14})
    episode = _person(tenant, name, TODAY)
    point = TimePoint.objects.get(episode=episode)
    return administration_submit(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        measure=measure_definition(organisation=tenant.organisation, measure_id="phq9"),
        answers=answers,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        time_point=point,
    ).administration


def _state(administration: Administration) -> str:
    point = counts.with_unscored(
        TimePoint.objects.filter(pk=administration.time_point_id)
    ).get()
    return counts.state_of(point, TODAY)


@pytest.mark.parametrize(("answers", "no_score"), [(FULL, False), (SHORT, True)])
def test_answers_given_set_the_flag(tenant_a: Tenant, answers, no_score) -> None:
    administration = _answer(tenant_a, "Given", answers)
    point = TimePoint.objects.get(pk=administration.time_point_id)
    assert (point.status, point.no_score) == (TimePoint.Status.COMPLETED, no_score)
    assert disagreeing([point.pk]) == []
    assert _state(administration) == (states.NO_SCORE if no_score else states.ANSWERED)


def test_an_edit_each_way_keeps_the_flag(tenant_a: Tenant) -> None:
    administration = _answer(tenant_a, "Edited", FULL)
    phq9 = measure_definition(organisation=tenant_a.organisation, measure_id="phq9")
    for answers, no_score in ((SHORT, True), (FULL, False)):
        administration = administration_edit(
            administration=administration,
            measure=phq9,
            answers=answers,
            reason="Entered against the wrong form",
            expected_version=administration.version,
            actor=tenant_a.members["worker"].user,
        )
        point = TimePoint.objects.get(pk=administration.time_point_id)
        assert point.no_score is no_score
        assert disagreeing([point.pk]) == []


def test_a_rescore_sets_the_flag_from_the_new_scores(tenant_a: Tenant) -> None:
    administration = _answer(tenant_a, "Rescored", FULL)
    phq9 = measure_definition(organisation=tenant_a.organisation, measure_id="phq9")
    # A flag gone wrong (say, set by hand) is put right by scoring again.
    TimePoint.objects.filter(pk=administration.time_point_id).update(no_score=True)
    administration_rescore(administration=administration, measure=phq9)
    assert TimePoint.objects.get(pk=administration.time_point_id).no_score is False
    assert disagreeing([administration.time_point_id]) == []


@pytest.mark.django_db
def test_the_flag_agrees_with_the_scores_across_the_demo() -> None:
    from openproms.core.demo import run_seeders

    run_seeders()
    completed = TimePoint.objects.filter(status=TimePoint.Status.COMPLETED)
    assert disagreeing(completed.values("pk")) == []
