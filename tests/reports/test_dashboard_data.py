"""Hand-made scored administrations for the dashboard and selector tests (helpers
only: no tests here; named to sit with the tests it serves)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    ScaleResult,
    TimePoint,
)
from openproms.collection.outcome_scores import replace_outcome_scores
from openproms.people.models import Episode
from openproms.scoring import get_measure, score_response


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def phq9_answers(total: int) -> dict[str, Any]:
    """PHQ-9 answers adding up to ``total`` (items filled 3, 3, ... then the rest)."""
    answers: dict[str, Any] = {}
    left = total
    for n in range(1, 10):
        answers[f"phq9_{n}"] = min(3, left)
        left -= answers[f"phq9_{n}"]
    answers["phq9_difficulty"] = 1
    return answers


def gad7_answers(total: int) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    left = total
    for n in range(1, 8):
        answers[f"gad7_{n}"] = min(3, left)
        left -= answers[f"gad7_{n}"]
    return answers


def exit_point(episode: Episode, measure_id: str = "phq9") -> TimePoint:
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=episode.organisation, service=episode.service, name="Plan"
    )
    rule, _ = PlanRule.objects.get_or_create(
        plan=plan, measure_id=measure_id, measure_version="1", kind=PlanRule.Kind.EXIT
    )
    return TimePoint.objects.create(
        organisation=episode.organisation,
        episode=episode,
        rule=rule,
        sequence=TimePoint.objects.filter(episode=episode, rule=rule).count() + 1,
        label="At the end",
        measure_id=measure_id,
        measure_version="1",
        due_date=episode.start_date,
        window_start=episode.start_date,
        status=TimePoint.Status.COMPLETED,
    )


def scored(
    episode: Episode,
    answers: dict[str, Any],
    day: dt.date,
    *,
    measure_id: str = "phq9",
    pilot: bool = False,
    time_point: TimePoint | None = None,
    hour: int = 12,
) -> Administration:
    defn = get_measure(measure_id)
    admin = Administration.objects.create(
        organisation=episode.organisation,
        service_user=episode.service_user,
        episode=episode,
        time_point=time_point,
        measure_id=measure_id,
        measure_version=defn.version,
        answers=answers,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        payload_hash="x",
        completed_at=at(day, hour),
        scored_with=defn.key,
        is_pilot=pilot,
    )
    result = score_response(defn, answers)
    results = [
        ScaleResult.objects.create(
            organisation_id=admin.organisation_id,
            administration=admin,
            scale_id=scale_id,
            value=score.value,
        )
        for scale_id, score in result.scales.items()
    ]
    replace_outcome_scores(admin, results)
    return admin


def phq9(episode: Episode, total: int, day: dt.date, **kw: Any) -> Administration:
    return scored(episode, phq9_answers(total), day, **kw)
