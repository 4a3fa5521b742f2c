"""The outcome pairs of a period with each pair's service and case-mix factors,
as columns: what the commissioner report's fair comparison of services reads.

:mod:`.outcome_pairs` builds one :class:`~openproms.stats.PairedScore` with a
mapping of breakdown keys per pair, which the dashboard's breakdown tables need. A
report that only compares services on change adjusted for case-mix needs four of
those keys, and at full size (100,000 pairs a scale) building them pair by pair
took most of the report's time. Here the episodes' facts are read once a report,
as arrays sorted by episode, and each scale's pairs take theirs by
``numpy.searchsorted``; age bands are worked out on whole arrays
(:func:`openproms.people.categories.age_bands`). The labels are the same as
:mod:`.outcome_pairs` gives (a test holds the two to each other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from openproms.accounts.models import Organisation, Service
from openproms.people.categories import ETHNICITY_GROUP_OF, Sex, age_bands
from openproms.reports.selectors.outcome_pairs import episode_rows
from openproms.reports.selectors.outcome_values import Pairing, pair_scores
from openproms.reports.selectors.raw import LocalDays
from openproms.reports.selectors.scope import EpisodeScope
from openproms.stats import NOT_RECORDED, FollowUpCapture, ScoreArrays

#: The keys of :attr:`OutcomeFactors.factors`, as in :data:`.GROUP_KEYS`.
FACTOR_KEYS = ("service", "sex", "ethnicity_group", "age_band")
_SEX_LABELS = dict(Sex.choices)


@dataclass(frozen=True)
class EpisodeFactors:
    """Each episode's service, sex and ethnic group (labels, as object arrays) and
    date of birth (``datetime64[D]``, NaT when not recorded), in the order of
    ``ids`` (sorted)."""

    ids: np.ndarray
    labels: dict[str, np.ndarray]
    born: np.ndarray


@dataclass(frozen=True)
class OutcomeFactors:
    """The pairs of a period as columns: ``scores`` as :func:`.outcome_values`
    gives them, and for each key of :data:`FACTOR_KEYS` one label per pair, in the
    same order; ``capture`` the follow-up capture of the same episodes."""

    scores: ScoreArrays
    capture: FollowUpCapture
    factors: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.scores)


def episode_factors(
    organisation: Organisation, services: Iterable[Service] | None
) -> EpisodeFactors:
    """The episodes of ``services`` (None: every service) with their facts, read
    once for every scale of a report."""
    rows = sorted(episode_rows(organisation, services))
    service_names = dict(
        Service.objects.filter(organisation=organisation).values_list("id", "name")
    )
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    labels = {
        "service": [service_names.get(r[1], NOT_RECORDED) for r in rows],
        "sex": [
            _SEX_LABELS.get(r[3], NOT_RECORDED) if r[3] else NOT_RECORDED for r in rows
        ],
        "ethnicity_group": [
            ETHNICITY_GROUP_OF.get(r[4] or "", NOT_RECORDED) for r in rows
        ],
    }
    born = np.array([_day(r[5]) for r in rows], dtype="datetime64[D]")
    return EpisodeFactors(
        ids=ids,
        labels={k: np.array(v, dtype=object) for k, v in labels.items()},
        born=born,
    )


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
    """The pairs of :func:`.outcome_pairs_with_capture` for the episodes in
    ``scope`` (which must lie within ``episodes``), as columns. A pair whose
    episode is not in ``episodes`` gets :data:`NOT_RECORDED` for every factor and
    "Not known" for its age band."""
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
    scores = ScoreArrays(p.first, p.latest)
    n = int(p.episode.size)
    if episodes.ids.size == 0 or n == 0:
        factors = {k: np.full(n, NOT_RECORDED, dtype=object) for k in FACTOR_KEYS}
        factors["age_band"] = np.full(n, "Not known", dtype=object)
        return OutcomeFactors(scores, p.capture, factors)
    at = np.minimum(np.searchsorted(episodes.ids, p.episode), episodes.ids.size - 1)
    known = episodes.ids[at] == p.episode
    factors = {}
    for key, column in episodes.labels.items():
        values = column[at]
        values[~known] = NOT_RECORDED
        factors[key] = values
    born = episodes.born[at]
    born[~known] = np.datetime64("NaT")
    factors["age_band"] = age_bands(born, LocalDays().days(p.first_at))
    return OutcomeFactors(scores, p.capture, factors)
