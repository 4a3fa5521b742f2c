"""Keeping collection going: weekly completion and follow-up capture over time,
per service and per key worker.

Every figure is :func:`openproms.collection.counts.collection_rates` for one
week (Monday to Sunday, by due date), the same definition the collection rates
page and the home page use: completion is the share of the measures due that
week that are answered with a score (as they stand today); follow-up capture is,
of the people whose first measure was due that week and answered, the share
with any later answer. Only whole weeks are shown: the current week is not over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from openproms.accounts.models import Organisation, Service, User
from openproms.collection.counts import CollectionRates, collection_rates

WEEKS_SHOWN = 12


def week_starts(today: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of the ``weeks`` whole weeks before ``today``'s week, oldest
    first."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return [this_monday - dt.timedelta(weeks=n) for n in range(weeks, 0, -1)]


@dataclass(frozen=True)
class Week:
    start: dt.date
    rates: CollectionRates

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def due(self) -> int:
        return self.rates.counts.counted

    @property
    def completion(self) -> float | None:
        return self.rates.answered_rate

    @property
    def follow_up(self) -> float | None:
        return self.rates.follow_up_rate


@dataclass(frozen=True)
class Series:
    label: str
    weeks: list[Week]
    service: Service | None = None
    worker: User | None = None


def weekly_series(
    organisation: Organisation,
    *,
    today: dt.date,
    weeks: int = WEEKS_SHOWN,
    service: Service | None = None,
    worker: User | None = None,
) -> list[Week]:
    return [
        Week(
            start,
            collection_rates(
                organisation,
                service=service,
                worker=worker,
                period=(start, start + dt.timedelta(days=6)),
                today=today,
            ),
        )
        for start in week_starts(today, weeks)
    ]


def workers_of(
    organisation: Organisation, service: Service | None = None
) -> list[User]:
    """Key workers with episodes in the organisation (or the service)."""
    found = User.objects.filter(key_worker_episodes__organisation=organisation)
    if service is not None:
        found = found.filter(key_worker_episodes__service=service)
    return list(found.distinct().order_by("full_name", "email"))


def capture_overview(
    organisation: Organisation,
    *,
    today: dt.date,
    service: Service | None = None,
    weeks: int = WEEKS_SHOWN,
) -> dict[str, list[Series]]:
    """Each service's weekly series and each key worker's (within ``service``
    when one is chosen)."""
    services = (
        [service]
        if service is not None
        else list(Service.objects.filter(organisation=organisation, is_active=True))
    )
    return {
        "services": [
            Series(
                s.name,
                weekly_series(organisation, today=today, weeks=weeks, service=s),
                service=s,
            )
            for s in services
        ],
        "workers": [
            Series(
                w.display_name,
                weekly_series(
                    organisation, today=today, weeks=weeks, service=service, worker=w
                ),
                worker=w,
            )
            for w in workers_of(organisation, service)
        ],
    }
