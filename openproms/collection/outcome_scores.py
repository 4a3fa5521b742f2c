"""Outcome scores: the copy of each stored scale value that outcome reports read
(:class:`~openproms.collection.models.OutcomeScore`, docs/decisions/0007).

:func:`replace_outcome_scores` is called wherever scale results are stored or
replaced, in the same transaction, so the copy always matches them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from openproms.collection.models import (
    Administration,
    OutcomeScore,
    PlanRule,
    ScaleResult,
    TimePoint,
)

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(moment: dt.datetime) -> int:
    """Microseconds since 1970 UTC, exactly (a naive time is taken as UTC)."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def outcome_score_rows(
    administration: Administration, results: Iterable[ScaleResult], *, is_exit: bool
) -> list[OutcomeScore]:
    """Unsaved outcome scores for an administration's results (none when it has
    no episode; results without a value are left out)."""
    if administration.episode_id is None:
        return []
    at = micros(administration.completed_at)
    return [
        OutcomeScore(
            organisation_id=administration.organisation_id,
            episode_id=administration.episode_id,
            administration_id=administration.pk,
            measure_id=administration.measure_id,
            scale_id=r.scale_id,
            completed_us=at,
            value=r.value,
            is_pilot=administration.is_pilot,
            is_exit=is_exit,
        )
        for r in results
        if r.value is not None
    ]


def replace_outcome_scores(
    administration: Administration, results: Iterable[ScaleResult]
) -> None:
    """Make the administration's outcome scores those of ``results``."""
    OutcomeScore.objects.filter(administration=administration).delete()
    is_exit = False
    if administration.time_point_id is not None:
        kind = (
            TimePoint.objects.filter(pk=administration.time_point_id)
            .values_list("rule__kind", flat=True)
            .first()
        )
        is_exit = kind == PlanRule.Kind.EXIT
    rows = outcome_score_rows(administration, results, is_exit=is_exit)
    if rows:
        OutcomeScore.objects.bulk_create(rows)
