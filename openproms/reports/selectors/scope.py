"""Which of an organisation's episodes a report reads: those of the services
chosen (or all of them, read without any filter)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from openproms.accounts.models import Organisation, Service
from openproms.people.models import Episode
from openproms.reports.selectors.raw import fetch


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


@dataclass(frozen=True, slots=True)
class EpisodeScope:
    """Some of an organisation's services, and the ids of their episodes."""

    service_ids: tuple[int, ...]
    episode_ids: np.ndarray


def episode_scope(
    organisation: Organisation, services: Iterable[Service] | None
) -> EpisodeScope | None:
    """The scope of ``services``, or None when no scoping is needed (no services
    given, or every service of the organisation)."""
    services = narrowing(organisation, services)
    if services is None:
        return None
    ids = tuple(s.pk for s in services)
    rows = fetch(
        Episode.objects.filter(organisation=organisation, service__in=ids)
        .order_by()
        .values_list("id")
    )
    episode_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return EpisodeScope(ids, np.sort(episode_ids))
