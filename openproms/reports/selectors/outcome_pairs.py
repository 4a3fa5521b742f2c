"""The outcome pairs of a period: one :class:`~openproms.stats.PairedScore` per
episode, with the keys a dashboard breaks the figures down by (sex, ethnic group,
age band, key worker, service, quarter), made from :mod:`.outcome_factors`'
columns, where the labels are worked out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from openproms.accounts.models import Organisation, Service
from openproms.reports.selectors.outcome_factors import (
    FACTOR_KEYS,
    OutcomeFactors,
    episode_factors,
    outcome_factors,
)
from openproms.reports.selectors.outcome_values import Pairing
from openproms.reports.selectors.raw import LocalDays
from openproms.reports.selectors.scope import Audience, episode_scope
from openproms.stats import FollowUpCapture, PairedScore, ScoreArrays

#: Breakdown keys put in every pair's ``groups``.
GROUP_KEYS: dict[str, str] = {
    "sex": "Sex",
    "ethnicity_group": "Ethnic group",
    "age_band": "Age at first score",
    "worker": "Key worker",
    "service": "Service",
    "quarter": "Quarter of the later score",
}
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True, slots=True)
class OutcomePairs:
    """The pairs for a period, and the follow-up capture behind them.

    ``capture``: of the episodes counting for the period (their latest score on or
    before ``end`` falls inside the period), how many have a pair.
    """

    pairs: list[PairedScore]
    capture: FollowUpCapture
    scores: ScoreArrays
    """The pairs' first and later scores as arrays, in the same order."""


def outcome_pairs_with_capture(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    audience: Audience = "funders",
) -> OutcomePairs:
    """:func:`outcome_pairs` and the follow-up capture of the same episodes.

    ``audience``: who the figures are for (:data:`.scope.Audience`)."""
    services = list(services) if services is not None else None
    episodes = episode_factors(organisation, services)
    scope = episode_scope(
        organisation,
        services,
        audience=audience,
        episode_ids=episodes.ids.tolist() if services is not None else None,
    )
    columns = outcome_factors(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        scope=scope,
        episodes=episodes,
    )
    return OutcomePairs(pairs_of(columns), columns.capture, columns.scores)


def pairs_of(columns: OutcomeFactors) -> list[PairedScore]:
    """One :class:`~openproms.stats.PairedScore` per pair of ``columns``, its
    ``groups`` the pair's labels (one read-only mapping per combination of labels:
    people share them)."""
    keys = FACTOR_KEYS
    levels = [columns.factors[key].levels for key in keys]
    codes = zip(*(columns.factors[key].codes.tolist() for key in keys), strict=True)
    later_on = LocalDays().many(columns.later_at)
    shared: dict[tuple[int, ...], dict[str, str]] = {}
    pairs: list[PairedScore] = []
    for first, latest, on, combination in zip(
        columns.scores.first.tolist(),
        columns.scores.latest.tolist(),
        later_on,
        codes,
        strict=True,
    ):
        groups = shared.get(combination)
        if groups is None:
            groups = shared[combination] = {
                key: level[code]
                for key, level, code in zip(keys, levels, combination, strict=True)
            }
        pairs.append(PairedScore(first, latest, on, groups))
    return pairs


def outcome_pairs(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    audience: Audience = "funders",
) -> list[PairedScore]:
    """One :class:`~openproms.stats.PairedScore` per episode counting for the period.

    For each episode of ``organisation`` (in ``services``; None = all services) with a
    first score and a later score on ``measure_id``/``scale_id``:

    * ``pairing="latest"``: first score vs the latest score completed on or before
      ``end``; the episode counts when that latest score is in [start, end];
    * ``pairing="exit"``: first score vs the latest score at an exit time point
      completed on or before ``end``; the episode counts when that is in [start, end].

    Pilot administrations are left out unless ``include_pilot``. When the measure is
    derivable from others (PHQ-2 from PHQ-9, SWEMWBS from WEMWBS, PHQ-4 from PHQ-9 +
    GAD-7), the source measures' administrations count too, scored with the derived
    measure's own rules. ``latest_on`` is the local date of the later score;
    ``groups`` holds the keys of :data:`GROUP_KEYS` (sex, ethnicity group, age band at
    the first score, key worker, service, financial quarter of the later score).
    For ``audience="funders"`` (the default) the episodes of people who said no to
    sharing their answers with funders are left out; ``"organisation"`` keeps them.
    """
    return outcome_pairs_with_capture(
        organisation=organisation,
        services=services,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        audience=audience,
    ).pairs
