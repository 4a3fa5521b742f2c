"""The outcome values of a period: each episode's first and later score on one
scale, as arrays (the period rule is in this package's docstring).

A measure's own scores come from :class:`OutcomeScore` (one covering index,
integer completion times, already in episode and time order; values only, run on
the database cursor so no per-row model or conversion); a derived measure also
reads its source measures' answers from ``Administration``. The services are
applied afterwards (the organisation's scores are read, then the episodes in scope
kept), and numpy does the grouping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from django.db import connections
from django.db.models import Q

from openproms.accounts.models import Organisation
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration, OutcomeScore, PlanRule
from openproms.people.models import Episode
from openproms.reports.selectors.raw import (
    LocalDays,
    completion_time,
    day_after,
    day_start,
    fetch,
    fetch_table,
    micros,
    sort_keys,
)
from openproms.reports.selectors.scope import Audience, EpisodeScope, episode_scope
from openproms.scoring import MeasureDefinition, score_derived_table
from openproms.stats import (
    FollowUpCapture,
    ScoreArrays,
    follow_up_capture,
)

Pairing = Literal["latest", "exit"]


@dataclass(slots=True)
class _Scores:
    episode: np.ndarray  # int64
    at: np.ndarray  # int64 micros
    admin: np.ndarray  # int64: orders rows of one time (derived rows negative)
    value: np.ndarray  # float64
    is_exit: np.ndarray  # bool
    in_order: bool = False  # already sorted by (episode, at, admin)

    @classmethod
    def empty(cls) -> _Scores:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, np.zeros(0), np.zeros(0, dtype=bool))

    @classmethod
    def concat(cls, parts: Iterable[_Scores]) -> _Scores:
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("episode", "at", "admin", "value", "is_exit")
            )
        )


def _administration_filter(
    *,
    organisation: Organisation,
    measure_id: str,
    before: dt.datetime,
    include_pilot: bool,
) -> Q:
    """A source measure's administrations in episodes, completed before ``before``."""
    q = Q(
        organisation=organisation,
        measure_id=measure_id,
        episode__isnull=False,
        completed_at__lt=before,
    )
    if not include_pilot:
        q &= Q(is_pilot=False)
    return q


def _direct_scores(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    before: dt.datetime,
    include_pilot: bool,
    pairing: Pairing,
    services: tuple[int, ...] | None = None,
) -> _Scores:
    """The measure's own scores, from :class:`OutcomeScore`: one index holds every
    column read, in episode, time and administration order (no join, no sort).

    SQLite returns the rows in that order, so ``admin`` is each row's position
    (the ids are not read: fewer values to convert), which keeps the order when
    derived scores are merged in. PostgreSQL's rows come packed in one value
    (:func:`fetch_table`), with the ids, and their order is checked."""
    postgres = connections[OutcomeScore.objects.db].vendor == "postgresql"
    fields = ["episode_id", "completed_us", "value"]
    dtype = [("episode", "i8"), ("at", "i8"), ("value", "f8")]
    if pairing == "exit":
        fields.append("is_exit")
        dtype.append(("exit", "?"))
    if postgres:
        fields.append("administration_id")
        dtype.append(("admin", "i8"))
    qs = OutcomeScore.objects.filter(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        completed_us__lt=micros(before),
    )
    if not include_pilot:
        qs = qs.filter(is_pilot=False)
    if postgres and services is not None:
        # A merge join with the services' episodes (in the index's order); the
        # caller keeps only those episodes in any case.
        qs = qs.filter(
            episode_id__in=Episode.objects.filter(
                organisation=organisation, service__in=services
            ).values("id")
        )
    qs = qs.order_by("episode_id", "completed_us", "administration_id")
    table = fetch_table(qs.values_list(*fields), dtype)
    n = len(table)
    if n == 0:
        return _Scores.empty()
    episode = np.ascontiguousarray(table["episode"])
    at = np.ascontiguousarray(table["at"])
    if postgres:
        admin = np.ascontiguousarray(table["admin"])
        d_ep, d_at, d_admin = np.diff(episode), np.diff(at), np.diff(admin)
        in_order = bool(
            np.all(
                (d_ep > 0)
                | ((d_ep == 0) & ((d_at > 0) | ((d_at == 0) & (d_admin > 0))))
            )
        )
    else:
        admin = np.arange(n, dtype=np.int64)
        in_order = True
    return _Scores(
        episode,
        at,
        admin,
        np.ascontiguousarray(table["value"]),
        np.ascontiguousarray(table["exit"])
        if pairing == "exit"
        else np.zeros(n, dtype=bool),
        in_order=in_order,
    )


def _source_rows(
    *, source: str, items: Sequence[str], pairing: Pairing, **filters: Any
) -> list[tuple[Any, ...]]:
    fields = ["episode_id", "at", "id"]
    fields += [f"answers__{item}" for item in items]
    if pairing == "exit":
        fields.append("time_point__rule__kind")
    qs = (
        Administration.objects.filter(
            _administration_filter(measure_id=source, **filters)
        )
        .annotate(at=completion_time("completed_at"))
        .values_list(*fields)
    )
    return fetch(qs.order_by("id"))


def _answer_column(values: Sequence[Any]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            out[i] = -1.0  # not an allowed answer: the scoring marks the row invalid
    return out


def _derived_scores(
    *, target: MeasureDefinition, scale_id: str, pairing: Pairing, **filters: Any
) -> _Scores:
    """Scores of ``target`` derived from its source measures' answers.

    With one source each source administration gives one score. With several
    sources (PHQ-4 from PHQ-9 and GAD-7) the source administrations of the same
    episode completed on the same local day are combined (the latest of each that
    day); the score takes the later completion time and the first source's id.
    """
    sources: dict[str, list[str]] = {}
    for d in target.derivations:
        sources.setdefault(d.from_measure, []).extend(d.item_map.values())
    local_day = LocalDays()
    fetched = {
        source: _source_rows(source=source, items=items, pairing=pairing, **filters)
        for source, items in sources.items()
    }
    names = list(sources)
    first = names[0]
    # Row key -> per-source row; combine on (episode, local day) for several sources.
    combined: list[dict[str, tuple[Any, ...]]] = []
    if len(names) == 1:
        combined = [{first: row} for row in fetched[first]]
    else:
        by_day: dict[str, dict[tuple[int, dt.date], tuple[Any, ...]]] = {}
        for source in names:
            rows = fetched[source]
            keys = sort_keys([r[1] for r in rows])
            table: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
            for row, m in zip(rows, keys.tolist(), strict=True):
                key = (row[0], local_day(m))
                if key not in table or m >= table[key][-1]:
                    table[key] = (*row, m)
            by_day[source] = table
        for key, row in by_day[first].items():
            others = [by_day[s].get(key) for s in names[1:]]
            if all(o is not None for o in others):
                combined.append(
                    {first: row[:-1]}
                    | {s: o[:-1] for s, o in zip(names[1:], others, strict=True) if o}
                )
    if not combined:
        return _Scores.empty()
    columns: dict[str, dict[str, np.ndarray]] = {}
    for source, items in sources.items():
        columns[source] = {
            item: _answer_column([c[source][3 + j] for c in combined])
            for j, item in enumerate(items)
        }
    table = score_derived_table(target, columns)
    values = table.scales[scale_id].value
    micros = sort_keys([c[first][1] for c in combined])
    for s in names[1:]:
        other = sort_keys([c[s][1] for c in combined])
        micros = np.where(other > micros, other, micros)
    is_exit = np.zeros(len(combined), dtype=bool)
    if pairing == "exit":
        is_exit = np.array(
            [any(c[s][-1] == PlanRule.Kind.EXIT for s in names) for c in combined],
            dtype=bool,
        )
    scores = _Scores(
        np.array([c[first][0] for c in combined], dtype=np.int64),
        micros,
        # Negative ids keep derived rows apart from direct administrations.
        -np.array([c[first][2] for c in combined], dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        is_exit,
    )
    keep = np.isfinite(scores.value)
    return _Scores(
        scores.episode[keep],
        scores.at[keep],
        scores.admin[keep],
        scores.value[keep],
        scores.is_exit[keep],
    )


@dataclass(frozen=True, slots=True)
class OutcomeValues:
    """The first and later scores of the episodes counting for a period, as
    arrays (no breakdown keys), and the follow-up capture behind them: what a
    report needs when it breaks nothing down (:func:`outcome_values`)."""

    scores: ScoreArrays
    capture: FollowUpCapture


@dataclass(frozen=True, slots=True)
class PairedArrays:
    """What :func:`pair_scores` reads: each pair's first and later value, its
    episode and the two completion keys, in the same order; and the capture."""

    first: np.ndarray  # values
    latest: np.ndarray
    episode: np.ndarray  # int64 ids
    first_at: np.ndarray  # int64 micros
    latest_at: np.ndarray
    capture: FollowUpCapture

    @classmethod
    def empty(cls) -> PairedArrays:
        z = np.zeros(0, dtype=np.int64)
        return cls(np.zeros(0), np.zeros(0), z, z, z, follow_up_capture(0, 0))


def pair_scores(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool,
    pairing: Pairing,
    scope: EpisodeScope,
) -> PairedArrays:
    """Pair each episode's first and later score (the period rule of the package
    docstring) of the episodes in ``scope``."""
    if pairing not in ("latest", "exit"):
        raise ValueError("pairing must be 'latest' or 'exit'")
    defn = measure_definition(organisation=organisation, measure_id=measure_id)
    filters: dict[str, Any] = {
        "organisation": organisation,
        "before": day_after(end),
        "include_pilot": include_pilot,
    }
    parts = [
        _direct_scores(
            scale_id=scale_id,
            pairing=pairing,
            measure_id=measure_id,
            services=scope.service_ids,
            **filters,
        )
    ]
    if defn.derivations:
        parts.append(
            _derived_scores(target=defn, scale_id=scale_id, pairing=pairing, **filters)
        )
    in_order = len(parts) == 1 and parts[0].in_order
    scores = _Scores.concat(parts)
    if not scope.everything:
        # The scope is applied here (services on SQLite only here: joining every
        # score to its episode costs more than reading the organisation's scores
        # and dropping some; PostgreSQL also filters them in SQL, with a merge
        # join). Keeping rows keeps their order.
        keep = scope.keep(scores.episode)
        scores = _Scores(
            scores.episode[keep],
            scores.at[keep],
            scores.admin[keep],
            scores.value[keep],
            scores.is_exit[keep],
        )
    if scores.episode.size == 0:
        return PairedArrays.empty()
    start_us = micros(day_start(start))

    if in_order:
        ep, at, value, is_exit = (
            scores.episode,
            scores.at,
            scores.value,
            scores.is_exit,
        )
    else:
        order = np.lexsort((scores.admin, scores.at, scores.episode))
        ep = scores.episode[order]
        at = scores.at[order]
        value = scores.value[order]
        is_exit = scores.is_exit[order]
    n = ep.size
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    new_group[1:] = ep[1:] != ep[:-1]
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:] - 1, n - 1)

    # Episodes counting for the period: latest score (on or before end) in period.
    in_period = at[ends] >= start_us
    with_baseline = int(in_period.sum())
    if pairing == "latest":
        first_idx = starts
        later_idx = ends
        paired = in_period & (ends > starts)
    else:
        exit_rows = np.flatnonzero(is_exit)
        exit_ep = ep[exit_rows]
        last_of_ep = (
            np.append(exit_ep[1:] != exit_ep[:-1], True)
            if exit_ep.size
            else exit_ep.astype(bool)
        )
        exit_last = exit_rows[last_of_ep]
        group_of = np.searchsorted(ep[starts], ep[exit_last])
        later_idx = np.full(starts.size, -1, dtype=np.int64)
        later_idx[group_of] = exit_last
        first_idx = starts
        # Count episodes whose exit score, or failing that latest score, is in period.
        has_exit = later_idx >= 0
        exit_in = np.zeros(starts.size, dtype=bool)
        exit_in[has_exit] = at[later_idx[has_exit]] >= start_us
        in_period = np.where(has_exit, exit_in, in_period)
        with_baseline = int(in_period.sum())
        paired = in_period & has_exit & (later_idx != first_idx)

    chosen = np.flatnonzero(paired)
    first_rows = first_idx[chosen]
    later_rows = later_idx[chosen]
    return PairedArrays(
        value[first_rows],
        value[later_rows],
        ep[first_rows],
        at[first_rows],
        at[later_rows],
        follow_up_capture(with_baseline, int(chosen.size)),
    )


def outcome_values(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    scope: EpisodeScope | None = None,
    audience: Audience = "funders",
) -> OutcomeValues:
    """:func:`outcome_pairs_with_capture` without the breakdown keys: the first
    and later scores as arrays (for :func:`openproms.stats.paired_change`).

    ``scope``: :func:`episode_scope` for the services and the audience, read once
    by a caller that asks for several measures; None: every service, for
    ``audience``."""
    if scope is None:
        scope = episode_scope(organisation, None, audience=audience)
    elif scope.audience != audience:
        raise ValueError("the scope was read for another audience")
    p = pair_scores(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        scope=scope,
    )
    return OutcomeValues(ScoreArrays(p.first, p.latest), p.capture)
