"""The outcome pairs of a period: one :class:`~openproms.stats.PairedScore` per
episode, with the keys a dashboard breaks the figures down by (sex, ethnic group,
age band, key worker, service, quarter)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openproms.accounts.models import Organisation, Service, User
from openproms.people.categories import ETHNICITY_GROUP_OF, Sex, age_band
from openproms.people.models import Episode
from openproms.reports.selectors.outcome_values import Pairing, pair_scores
from openproms.reports.selectors.raw import LocalDays, as_date, fetch
from openproms.reports.selectors.scope import Audience, episode_scope
from openproms.stats import (
    FollowUpCapture,
    PairedScore,
    ScoreArrays,
    quarter_of,
)

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
_SEX_LABELS = dict(Sex.choices)


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
    episodes = {r[0]: r[1:] for r in episode_rows(organisation, services)}
    scope = episode_scope(
        organisation,
        services,
        audience=audience,
        episode_ids=episodes.keys() if services is not None else None,
    )
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
    if p.episode.size == 0:
        return OutcomePairs([], p.capture, scores)
    pairs_first = p.first.tolist()
    pairs_later = p.latest.tolist()
    pairs_ep = p.episode.tolist()
    local_day = LocalDays()
    first_at = local_day.many(p.first_at)
    later_at = local_day.many(p.latest_at)

    service_names = dict(
        Service.objects.filter(organisation=organisation).values_list("id", "name")
    )
    worker_ids = {row[1] for row in episodes.values() if row[1] is not None}
    workers = {u.pk: u.display_name for u in User.objects.filter(pk__in=worker_ids)}

    quarters: dict[dt.date, str] = {}
    bands: dict[tuple[Any, dt.date], str] = {}
    # People share breakdown keys: one (read-only) groups mapping per combination
    # rather than a new dict for each of 100,000 pairs.
    shared: dict[tuple[Any, ...], dict[str, str]] = {}
    missing = (None, None, "", "", None)
    pairs: list[PairedScore] = []
    append = pairs.append
    for f, latest, episode_id, first_on, latest_on in zip(
        pairs_first, pairs_later, pairs_ep, first_at, later_at, strict=True
    ):
        service_id, worker_id, sex, ethnicity, dob = episodes.get(episode_id, missing)
        band_key = (dob, first_on)
        band = bands.get(band_key)
        if band is None:
            band = bands[band_key] = age_band(as_date(dob), first_on)
        quarter = quarters.get(latest_on)
        if quarter is None:
            quarter = quarters[latest_on] = quarter_of(latest_on)
        key = (sex, ethnicity, band, worker_id, service_id, quarter)
        groups = shared.get(key)
        if groups is None:
            groups = shared[key] = {
                "sex": _SEX_LABELS.get(sex, NOT_RECORDED) if sex else NOT_RECORDED,
                "ethnicity_group": ETHNICITY_GROUP_OF.get(
                    ethnicity or "", NOT_RECORDED
                ),
                "age_band": band,
                "worker": workers.get(worker_id, NOT_RECORDED),
                "service": service_names.get(service_id, NOT_RECORDED),
                "quarter": quarter,
            }
        append(PairedScore(f, latest, latest_on, groups))
    return OutcomePairs(pairs, p.capture, scores)


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
