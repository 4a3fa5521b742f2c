"""The outcome pairs of a period with each pair's breakdown keys (service, key
worker, sex, ethnic group, age band, quarter) as coded columns: what the dashboards'
breakdowns and fair comparisons and the commissioner report's fair comparison of
services read (decision 0040).

The episodes' facts are read once a page or report, as arrays sorted by episode,
and each scale's pairs take theirs by ``numpy.searchsorted``; age bands and
quarters are worked out on whole arrays (at full size, 100,000 pairs a scale,
working them out pair by pair took most of a page's time). This is the one place
the labels are worked out: :mod:`.outcome_pairs` makes one
:class:`~openproms.stats.PairedScore` per pair from these columns, and a test
holds both to labels worked out by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from openproms.accounts.models import Organisation, Service, User
from openproms.people.categories import (
    AGE_BAND_LABELS,
    ETHNICITY_GROUP_OF,
    Sex,
    age_band_codes,
)
from openproms.people.models import Episode
from openproms.reports.selectors.outcome_values import (
    PairedArrays,
    Pairing,
    pair_scores,
)
from openproms.reports.selectors.raw import LocalDays, fetch
from openproms.reports.selectors.scope import EpisodeScope
from openproms.stats import (
    NOT_RECORDED,
    Factor,
    FollowUpCapture,
    ScoreArrays,
    quarter_of,
)

#: The keys of :attr:`OutcomeFactors.factors`: every key of :data:`.GROUP_KEYS`.
FACTOR_KEYS = ("sex", "ethnicity_group", "age_band", "worker", "service", "quarter")
_SEX_LABELS = dict(Sex.choices)


@dataclass(frozen=True)
class EpisodeFactors:
    """Each episode's service, key worker, sex and ethnic group (as
    :class:`~openproms.stats.Factor`) and date of birth (``datetime64[D]``, NaT
    when not recorded), in the order of ``ids`` (sorted)."""

    ids: np.ndarray
    factors: dict[str, Factor]
    born: np.ndarray


@dataclass(frozen=True)
class OutcomeFactors:
    """The pairs of a period as columns: ``scores`` as :func:`.outcome_values`
    gives them, and for each key of :data:`FACTOR_KEYS` one label per pair (a
    :class:`~openproms.stats.Factor`), in the same order; ``capture`` the
    follow-up capture of the same episodes; ``later_at`` the time of each
    pair's later score (as :func:`.pair_scores` gives it)."""

    scores: ScoreArrays
    capture: FollowUpCapture
    factors: dict[str, Factor]
    later_at: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)


def episode_rows(
    organisation: Organisation, services: Iterable[Service] | None
) -> list[tuple[Any, ...]]:
    """Each episode of ``services`` (None: every service) with its breakdown facts:
    ``(id, service, key worker, sex, ethnicity, date of birth)``, raw from the
    cursor (a date of birth is text on SQLite)."""
    qs = Episode.objects.filter(organisation=organisation)
    if services is not None:
        qs = qs.filter(service__in=[s.pk for s in services])
    return fetch(
        qs.order_by().values_list(
            "id",
            "service_id",
            "key_worker_id",
            "service_user__sex",
            "service_user__ethnicity",
            "service_user__date_of_birth",
        )
    )


def episode_factors(
    organisation: Organisation, services: Iterable[Service] | None
) -> EpisodeFactors:
    """The episodes of ``services`` (None: every service) with their facts, read
    once for every scale of a page or report."""
    rows = sorted(episode_rows(organisation, services))
    service_names = dict(
        Service.objects.filter(organisation=organisation).values_list("id", "name")
    )
    worker_ids = {r[2] for r in rows if r[2] is not None}
    workers = {u.pk: u.display_name for u in User.objects.filter(pk__in=worker_ids)}
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    factors = {
        "service": Factor.of(service_names.get(r[1], NOT_RECORDED) for r in rows),
        "worker": Factor.of(workers.get(r[2], NOT_RECORDED) for r in rows),
        "sex": Factor.of(
            _SEX_LABELS.get(r[3], NOT_RECORDED) if r[3] else NOT_RECORDED for r in rows
        ),
        "ethnicity_group": Factor.of(
            ETHNICITY_GROUP_OF.get(r[4] or "", NOT_RECORDED) for r in rows
        ),
    }
    born = np.array([_day(r[5]) for r in rows], dtype="datetime64[D]")
    return EpisodeFactors(ids=ids, factors=factors, born=born)


def _day(value: object) -> object:
    """A date of birth as numpy reads it: the date, its ISO text, or NaT."""
    if value is None or value == "":
        return "NaT"
    if isinstance(value, dt.date):
        return value
    return str(value)[:10]


def outcome_factors(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool,
    pairing: Pairing,
    scope: EpisodeScope,
    episodes: EpisodeFactors,
) -> OutcomeFactors:
    """The pairs of the period (:func:`.pair_scores`; the rules are in
    :func:`.outcome_pairs`) for the episodes in ``scope`` (which must lie within
    ``episodes``), as columns."""
    paired = pair_scores(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        scope=scope,
    )
    return with_factors(paired, episodes)


def _taken(factor: Factor, at: np.ndarray, known: np.ndarray) -> Factor:
    """``factor``'s codes at ``at``; :data:`NOT_RECORDED` where not ``known``."""
    levels = factor.levels
    if NOT_RECORDED not in levels:
        levels = (*levels, NOT_RECORDED)
    codes = factor.codes[at] if factor.codes.size else np.zeros(at.size, np.intp)
    return Factor(np.where(known, codes, levels.index(NOT_RECORDED)), levels)


def with_factors(paired: PairedArrays, episodes: EpisodeFactors) -> OutcomeFactors:
    """:func:`.pair_scores`' pairs with their episodes' factors: for a caller that
    reads the pairs and the episodes at the same time (the report). A pair whose
    episode is not in ``episodes`` gets :data:`NOT_RECORDED` for every factor and
    "Not known" for its age band."""
    p = paired
    scores = ScoreArrays(p.first, p.latest)
    size = episodes.ids.size
    at = np.minimum(np.searchsorted(episodes.ids, p.episode), max(size - 1, 0))
    known = (episodes.ids[at] == p.episode) if size else np.zeros(at.size, bool)
    factors = {
        key: _taken(factor, at, known) for key, factor in episodes.factors.items()
    }
    born = episodes.born[at] if size else np.full(at.size, "NaT", "datetime64[D]")
    born[~known] = np.datetime64("NaT")
    local = LocalDays()
    factors["age_band"] = Factor(
        age_band_codes(born, local.days(p.first_at)), AGE_BAND_LABELS
    )
    factors["quarter"] = _quarters(local.days(p.latest_at))
    return OutcomeFactors(scores, p.capture, factors, p.latest_at)


def _quarters(days: np.ndarray) -> Factor:
    """The financial quarter of each local date (worked out once a date)."""
    unique, inverse = np.unique(days, return_inverse=True)
    labels = Factor.of(quarter_of(d) for d in unique.astype(dt.date).tolist())
    return Factor(labels.codes[inverse] if unique.size else inverse, labels.levels)
