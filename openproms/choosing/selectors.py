"""Reads of the choosing app, always scoped to one organisation.

``reliability_status`` is the one read other apps use: whether a bespoke measure
version has been tested for reliability on the organisation's own data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import median
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from openproms.accounts.models import Organisation
from openproms.choosing.models import MeasureTrial, OwnDataReliability
from openproms.collection import counts
from openproms.collection.models import Administration, TimePoint
from openproms.stats.spread import Quartiles, quartiles


def reliability_status(
    organisation: Organisation, measure_id: str, version: str
) -> OwnDataReliability | None:
    """The stored result of testing this measure version on the organisation's own
    answers (its ``tested_on`` date, ``summary`` in words and ``figures``), or None
    when it has not been found reliable. A measure page shows "tested on your own
    data on <tested_on>: <summary>" in place of "not tested for reliability"."""
    return OwnDataReliability.objects.filter(
        organisation=organisation, measure_id=measure_id, measure_version=version
    ).first()


def measure_administrations(
    organisation: Organisation, measure_id: str, version: str
) -> QuerySet[Administration]:
    """Every stored answer to this measure version in the organisation (pilot and
    trial answers included: the figures are about the measure, not a report)."""
    return Administration.objects.filter(
        organisation=organisation, measure_id=measure_id, measure_version=version
    )


def trials_for_organisation(organisation: Organisation) -> QuerySet[MeasureTrial]:
    return MeasureTrial.objects.filter(organisation=organisation).select_related(
        "service", "plan"
    )


def trial_get(*, organisation: Organisation, pk: int) -> MeasureTrial:
    return get_object_or_404(
        MeasureTrial.objects.select_related("service", "plan"),
        organisation=organisation,
        pk=pk,
    )


def trial_administrations(trial: MeasureTrial) -> QuerySet[Administration]:
    """The answers given at the trial plan's time points."""
    return Administration.objects.filter(
        organisation_id=trial.organisation_id, time_point__rule__plan=trial.plan
    )


@dataclass(frozen=True)
class TrialProgress:
    """What a trial's review page counts."""

    states: Any  # collection.states.StateCounts
    occasions: int
    answered: int
    median_days_to_answer: float | None
    # Minutes from the answering screen first shown to the answers saved, over
    # the answers that have a start time (``timed`` of them).
    minutes: Quartiles | None
    timed: int
    items_missing: list[tuple[str, int, int]]  # item id, missing, of answers
    acceptability: list[counts.AcceptabilityRow]


def trial_progress(trial: MeasureTrial, today: dt.date) -> TrialProgress:
    points = TimePoint.objects.filter(rule__plan=trial.plan)
    states = counts.count_states(points, today)
    answered = trial_administrations(trial).select_related("time_point")
    days = []
    minutes: list[float] = []
    missing: dict[str, int] = {}
    total = 0
    for a in answered:
        total += 1
        if a.time_point is not None:
            days.append((a.completed_at.date() - a.time_point.window_start).days)
        if a.minutes_to_complete is not None:
            minutes.append(a.minutes_to_complete)
        for item_id, code in a.answers.items():
            missing.setdefault(item_id, 0)
            if code is None:
                missing[item_id] += 1
    acceptability = [
        row
        for row in counts.acceptability_summary(
            trial.organisation, trial.service, (trial.starts_on, trial.ends_on)
        )
        if row.measure_id == trial.measure_id
    ]
    return TrialProgress(
        states=states,
        occasions=points.count(),
        answered=total,
        median_days_to_answer=median(days) if days else None,
        minutes=quartiles(minutes),
        timed=len(minutes),
        items_missing=[(i, n, total) for i, n in missing.items()],
        acceptability=acceptability,
    )
