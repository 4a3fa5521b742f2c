"""Which of an organisation's episodes a report reads: those of the services
chosen, less those of people whose data is restricted and, in anything a funder
sees, those of people who have said no to sharing their answers with funders
(their decision in force now: people.consent).

Every outcome read takes its episodes from an :class:`EpisodeScope`, and every
collection count leaves the same people out, so no commissioner output (page, PDF,
Excel, CSV or chart data, all built from one report) can count them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from django.db.models import QuerySet

from openproms.accounts.models import Organisation, Service
from openproms.people.consent import declined_sharing_with_funders, not_counted
from openproms.people.models import Episode, ServiceUser
from openproms.reports.selectors.raw import fetch

Audience = Literal["organisation", "funders"]
"""Who the figures are for: the organisation itself (everyone counts but
restricted people) or funders (people who said no to sharing with funders are
left out too). The selectors default
to funders, so a caller that forgets can only leave people out, never show them."""

AUDIENCES: tuple[Audience, ...] = ("organisation", "funders")


def narrowing(
    organisation: Organisation, services: Iterable[Service] | None
) -> list[Service] | None:
    """``services`` as a list, or None when they leave nothing of the
    organisation out (so no query needs to filter by service)."""
    if services is None:
        return None
    chosen = list(services)
    every = set(
        Service.objects.filter(organisation=organisation).values_list("pk", flat=True)
    )
    return None if {s.pk for s in chosen} >= every else chosen


def left_out_people(
    organisation: Organisation, audience: Audience
) -> QuerySet[ServiceUser] | None:
    """The people whose answers ``audience`` may not see, or None when there are
    none (so no query needs to leave anyone out)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    people = not_counted(organisation, funders=audience == "funders")
    return people if people.exists() else None


@dataclass(frozen=True, slots=True)
class EpisodeScope:
    """The episodes a report reads: those of some services (``service_ids`` and
    their ``episode_ids``, sorted; None: every service), less ``left_out`` (the
    sorted episode ids of people whose answers the audience may not see)."""

    audience: Audience
    service_ids: tuple[int, ...] | None
    episode_ids: np.ndarray | None
    left_out: np.ndarray

    @property
    def everything(self) -> bool:
        """True when every episode of the organisation is read."""
        return self.episode_ids is None and self.left_out.size == 0

    def keep(self, episodes: np.ndarray) -> np.ndarray:
        """Which of ``episodes`` are in scope (a mask)."""
        keep = (
            np.isin(episodes, self.episode_ids)
            if self.episode_ids is not None
            else np.ones(episodes.size, dtype=bool)
        )
        if self.left_out.size:
            keep &= ~np.isin(episodes, self.left_out)
        return keep


def _ids(qs: QuerySet[Episode]) -> np.ndarray:
    rows = fetch(qs.order_by().values_list("id"))
    return np.sort(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))


def episode_scope(
    organisation: Organisation,
    services: Iterable[Service] | None,
    *,
    audience: Audience = "funders",
    episode_ids: Iterable[int] | None = None,
) -> EpisodeScope:
    """The scope of ``services`` (None: every service) for ``audience``.
    ``episode_ids``: the services' episodes, when the caller has read them."""
    services = narrowing(organisation, services)
    service_ids = None if services is None else tuple(s.pk for s in services)
    ids = None
    if service_ids is not None:
        if episode_ids is not None:
            ids = np.sort(np.fromiter(episode_ids, dtype=np.int64))
        else:
            ids = _ids(
                Episode.objects.filter(
                    organisation=organisation, service__in=service_ids
                )
            )
    people = left_out_people(organisation, audience)
    left_out = (
        np.zeros(0, dtype=np.int64)
        if people is None
        else _ids(
            Episode.objects.filter(
                organisation=organisation, service_user__in=people.values("pk")
            )
        )
    )
    return EpisodeScope(audience, service_ids, ids, left_out)


def funders_left_out(
    organisation: Organisation, services: Iterable[Service] | None
) -> int:
    """How many people with an episode in ``services`` (None: any) are left out of
    funders' figures, having said no to sharing their answers with funders."""
    people = declined_sharing_with_funders(organisation)
    if not people.exists():
        return 0
    episodes = Episode.objects.filter(organisation=organisation)
    services = narrowing(organisation, services)
    if services is not None:
        episodes = episodes.filter(service__in=[s.pk for s in services])
    return people.filter(pk__in=episodes.values("service_user_id")).count()
