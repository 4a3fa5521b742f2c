"""Not on track: each person's latest score against what the organisation's own
history says people who started where they did score by then
(:mod:`openproms.stats.expected_change`), for the caseload and the clinician
summary.

The band for a measure's scale is fitted on every episode of the organisation
with a first and a later score on it (pilot answers left out), one row per later
score. A fit takes about a second, so it is kept in the cache until the
organisation's scores on that scale change (its key holds their count and newest
row). Reads go through :class:`~openproms.collection.models.OutcomeScore`, the one
copy of scores that reports read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import Http404

from openproms.accounts.models import Organisation
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import OutcomeScore
from openproms.scoring import MeasureDefinition
from openproms.stats.expected_change import (
    MIN_PEOPLE,
    Assessment,
    ExpectedModel,
    assess,
    explanation,
    fit_expected,
    uncertainty,
)
from openproms.stats.psychometrics import NotEnoughData

WEEK_US = 7 * 24 * 3600 * 1_000_000
CACHE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class OnTrack:
    """One scale's verdict for one person: an :class:`Assessment` and its words,
    or the reason there is none (``reason``)."""

    measure_id: str
    scale_id: str
    name: str
    assessment: Assessment | None
    reason: str = ""

    @property
    def not_on_track(self) -> bool:
        return self.assessment is not None and self.assessment.not_on_track

    @property
    def explanation(self) -> str:
        return "" if self.assessment is None else explanation(self.assessment)

    @property
    def uncertainty(self) -> str:
        return "" if self.assessment is None else uncertainty(self.assessment)


def history(
    organisation: Organisation, measure_id: str, scale_id: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every later score of the organisation's episodes on a scale with that
    episode's first score, the weeks between them and the episode: the rows
    :func:`~openproms.stats.expected_change.fit_expected` takes."""
    rows = (
        OutcomeScore.objects.filter(
            organisation=organisation,
            measure_id=measure_id,
            scale_id=scale_id,
            is_pilot=False,
        )
        .order_by("episode_id", "completed_us")
        .values_list("episode_id", "completed_us", "value")
    )
    data = np.array(list(rows), dtype=np.float64).reshape(-1, 3)
    if data.shape[0] == 0:
        empty = np.empty(0)
        return empty, empty, empty, empty
    episode, when, value = data[:, 0], data[:, 1], data[:, 2]
    starts = np.r_[True, episode[1:] != episode[:-1]]
    first_index = np.maximum.accumulate(np.where(starts, np.arange(episode.size), 0))
    later = ~starts
    first = value[first_index][later]
    weeks = (when - when[first_index])[later] / WEEK_US
    return first, weeks, value[later], episode[later]


def _stamps(
    organisation: Organisation, measures: Iterable[str]
) -> dict[tuple[str, str], tuple[int, int]]:
    """Each scale's count of scores and newest row: what the cached band is
    keyed on, so that a new or changed score makes a new fit."""
    rows = (
        OutcomeScore.objects.filter(
            organisation=organisation, measure_id__in=list(measures), is_pilot=False
        )
        .values_list("measure_id", "scale_id")
        .annotate(count=Count("id"), newest=Max("id"))
        .order_by()
    )
    return {(m, sc): (count, newest) for m, sc, count, newest in rows}


def expected_model(
    organisation: Organisation,
    definition: MeasureDefinition,
    scale_id: str,
    stamp: tuple[int, int] | None = None,
) -> ExpectedModel | str:
    """The organisation's band for a scale, or why there is none (a sentence).
    ``stamp``: the scale's entry of :func:`_stamps`, when already read."""
    if stamp is None:
        stamp = _stamps(organisation, [definition.id]).get(
            (definition.id, scale_id), (0, 0)
        )
    key = f"on-track:{organisation.pk}:{definition.id}:{scale_id}:{stamp[0]}:{stamp[1]}"
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    scale = definition.scale(scale_id)
    first, weeks, later, episode = history(organisation, definition.id, scale_id)
    result: ExpectedModel | str
    try:
        result = fit_expected(
            first,
            weeks,
            later,
            episode,
            higher_is_better=scale.higher_is_better,
            min_people=MIN_PEOPLE,
        )
    except NotEnoughData:
        people = int(np.unique(episode).size)
        result = (
            f"No expected range yet: {people} "
            f"{'person has' if people == 1 else 'people have'} a first and a later "
            f"score here, and at least {MIN_PEOPLE} are needed before a latest score "
            "is compared with what is expected, so that the range does not rest on a "
            "handful of people."
        )
    cache.set(key, result, CACHE_SECONDS)
    return result


def on_track_for_people(
    organisation: Organisation, person_ids: Iterable[int]
) -> dict[int, list[OnTrack]]:
    """For each person, each scale with at least two scores in the episode of
    their latest score: the latest score against the band for their first score
    in that episode and the weeks since it."""
    people = list(person_ids)
    rows = (
        OutcomeScore.objects.filter(
            organisation=organisation,
            episode__service_user_id__in=people,
            is_pilot=False,
        )
        .order_by("completed_us", "id")
        .values_list(
            "episode__service_user_id",
            "measure_id",
            "scale_id",
            "episode_id",
            "completed_us",
            "value",
        )
    )
    series: dict[tuple[int, str, str], list[tuple[int, int, float]]] = {}
    for person, measure, scale, episode, when, value in rows:
        series.setdefault((person, measure, scale), []).append((episode, when, value))
    if not series:
        return {}
    stamps = _stamps(organisation, {measure for _, measure, _ in series})
    definitions: dict[str, MeasureDefinition | None] = {}
    models: dict[tuple[str, str], ExpectedModel | str] = {}
    out: dict[int, list[OnTrack]] = {}
    for (person, measure, scale_id), points in sorted(series.items()):
        episode = points[-1][0]
        mine = [p for p in points if p[0] == episode]
        if len(mine) < 2:
            continue
        if measure not in definitions:
            try:
                definitions[measure] = measure_definition(
                    organisation=organisation, measure_id=measure
                )
            except Http404:  # a measure no longer in use: no verdict
                definitions[measure] = None
        definition = definitions[measure]
        if definition is None:
            continue
        try:
            scale = definition.scale(scale_id)
        except KeyError:
            continue
        if scale.method == "profile":
            continue
        if (measure, scale_id) not in models:
            models[(measure, scale_id)] = expected_model(
                organisation,
                definition,
                scale_id,
                stamps.get((measure, scale_id), (0, 0)),
            )
        model = models[(measure, scale_id)]
        name = (
            scale.label
            if scale.label.startswith(definition.short_name)
            else f"{definition.short_name} {scale.label}"
        )
        if isinstance(model, str):
            out.setdefault(person, []).append(
                OnTrack(measure, scale_id, name, None, model)
            )
            continue
        (_, first_us, first), (_, latest_us, latest) = mine[0], mine[-1]
        out.setdefault(person, []).append(
            OnTrack(
                measure,
                scale_id,
                name,
                assess(
                    model,
                    first=first,
                    weeks=(latest_us - first_us) / WEEK_US,
                    latest=latest,
                    score_range=(scale.range_min, scale.range_max),
                ),
            )
        )
    return out
