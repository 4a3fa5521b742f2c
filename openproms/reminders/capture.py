"""Keeping collection going: weekly completion and follow-up capture over time,
per service and per key worker.

Every figure is what :func:`openproms.collection.counts.collection_rates` gives
for one week (Monday to Sunday, by due date), the same definition the collection rates
page and the home page use: completion is the share of the measures due that
week that are answered with a score (as they stand today); follow-up capture is,
of the people whose first measure was due that week and answered, the share
with any later answer. Only whole weeks are shown: the current week is not over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncWeek

from openproms.accounts.models import Organisation, Service, User
from openproms.collection import states
from openproms.collection.counts import count_states_by_keys, state_conditions
from openproms.collection.models import PlanRule, TimePoint
from openproms.collection.states import StateCounts

WEEKS_SHOWN = 12


def week_starts(today: dt.date, weeks: int) -> list[dt.date]:
    """The Mondays of the ``weeks`` whole weeks before ``today``'s week, oldest
    first."""
    this_monday = today - dt.timedelta(days=today.weekday())
    return [this_monday - dt.timedelta(weeks=n) for n in range(weeks, 0, -1)]


@dataclass(frozen=True)
class Week:
    start: dt.date
    counts: StateCounts
    baseline_answered: int = 0  # episodes whose start, due this week, was answered
    followed_up: int = 0  # of those, any later answer

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=6)

    @property
    def due(self) -> int:
        return self.counts.counted

    @property
    def completion(self) -> float | None:
        return self.counts.answered_rate

    @property
    def follow_up(self) -> float | None:
        """As ``CollectionRates.follow_up_rate``."""
        if not self.baseline_answered:
            return None
        return self.followed_up / self.baseline_answered


@dataclass(frozen=True)
class Series:
    label: str
    weeks: list[Week]
    service: Service | None = None
    worker: User | None = None


def _points(
    organisation: Organisation,
    service: Service | None,
    worker: User | None,
    first: dt.date,
    last: dt.date,
) -> QuerySet[TimePoint]:
    """The time points ``collection_rates`` counts, for these weeks."""
    points = TimePoint.objects.filter(
        organisation=organisation, due_date__gte=first, due_date__lte=last
    ).exclude(status=TimePoint.Status.CANCELLED)
    if service is not None:
        points = points.filter(episode__service=service)
    if worker is not None:
        points = points.filter(episode__key_worker=worker)
    return points


def _weeks_by(
    organisation: Organisation,
    *,
    today: dt.date,
    weeks: int,
    group: str | None,
    service: Service | None = None,
    worker: User | None = None,
) -> dict[object, list[Week]]:
    """Each group's weeks (``group`` a field path such as
    ``"episode__key_worker"``; None: one group, keyed None), as
    ``collection_rates`` gives them for each week, in two queries for every
    group and week: the state counts (``counts.count_states_by_keys``), and the
    follow-up of answered starts with the same conditions ``collection_rates``
    uses (a test checks the two agree week by week)."""
    starts = week_starts(today, weeks)
    if not starts:
        return {}
    points = _points(
        organisation, service, worker, starts[0], starts[-1] + dt.timedelta(days=6)
    ).annotate(
        week=TruncWeek("due_date", output_field=DateField()),
        group=F(group) if group else Value(0),
    )
    counted = count_states_by_keys(points, ("group", "week"), today)
    answered = state_conditions(today)[states.ANSWERED]
    later = (
        TimePoint.objects.filter(episode=OuterRef("episode"))
        .filter(answered)
        .exclude(rule__kind=PlanRule.Kind.START)
    )
    follow = (
        points.filter(rule__kind=PlanRule.Kind.START)
        .filter(answered)
        .order_by()
        .values("group", "week")
        .annotate(
            baseline=Count("episode", distinct=True),
            followed=Count("episode", distinct=True, filter=Q(Exists(later))),
        )
    )
    followed = {(row["group"], _day(row["week"])): row for row in follow}
    counts = {(g, _day(w)): c for (g, w), c in counted.items()}
    groups = {g for g, _ in counts} | {g for g, _ in followed}
    return {
        (None if group is None else g): [
            Week(
                start,
                counts.get((g, start), StateCounts()),
                baseline_answered=followed.get((g, start), {}).get("baseline", 0),
                followed_up=followed.get((g, start), {}).get("followed", 0),
            )
            for start in starts
        ]
        for g in (groups or {0})
    }


def weekly_series(
    organisation: Organisation,
    *,
    today: dt.date,
    weeks: int = WEEKS_SHOWN,
    service: Service | None = None,
    worker: User | None = None,
) -> list[Week]:
    """The weeks of one service, one worker, or the organisation."""
    found = _weeks_by(
        organisation,
        today=today,
        weeks=weeks,
        group=None,
        service=service,
        worker=worker,
    )
    return found.get(None) or [
        Week(s, StateCounts()) for s in week_starts(today, weeks)
    ]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


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
    when one is chosen): four queries in all."""
    services = (
        [service]
        if service is not None
        else list(Service.objects.filter(organisation=organisation, is_active=True))
    )
    empty = [Week(s, StateCounts()) for s in week_starts(today, weeks)]
    by_service = _weeks_by(
        organisation,
        today=today,
        weeks=weeks,
        group="episode__service",
        service=service,
    )
    by_worker = _weeks_by(
        organisation,
        today=today,
        weeks=weeks,
        group="episode__key_worker",
        service=service,
    )
    return {
        "services": [
            Series(s.name, by_service.get(s.pk, empty), service=s) for s in services
        ],
        "workers": [
            Series(w.display_name, by_worker.get(w.pk, empty), worker=w)
            for w in workers_of(organisation, service)
        ],
    }
