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
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet
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


class WeekStart(TruncWeek):
    """The Monday of a date's week. On SQLite, SQLite's own ``date()`` instead of
    the Python function Django registers for ``TruncWeek`` (called once for every
    row, the largest part of the grouped count at 100,000 people: benchmarks/
    README.md, "Weekly collection at full size"); elsewhere ``TruncWeek``."""

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        sql, params = compiler.compile(self.lhs)
        # "weekday 0": on to the Sunday ending the week (or stay), then back 6 days.
        return f"date({sql}, 'weekday 0', '-6 days')", params


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


Cell = tuple[StateCounts, int, int]  # a week's counts, answered starts, followed up


def _cells(
    organisation: Organisation,
    *,
    today: dt.date,
    starts: list[dt.date],
    service: Service | None = None,
    worker: User | None = None,
) -> dict[tuple[Any, Any, dt.date], Cell]:
    """Each (service, key worker, week)'s counts, in two grouped queries whatever
    the number of services, workers and weeks: the state counts
    (``counts.count_states_by_keys``) and the follow-up of answered starts, with
    the conditions ``collection_rates`` uses (a test checks the two agree week by
    week). An episode has one service and one key worker, so the distinct
    episodes of a cell add up exactly over workers or over services."""
    points = _points(
        organisation, service, worker, starts[0], starts[-1] + dt.timedelta(days=6)
    ).annotate(week=WeekStart("due_date", output_field=DateField()))
    keys = ("episode__service", "episode__key_worker", "week")
    counted = count_states_by_keys(points, keys, today)
    answered = state_conditions(today)[states.ANSWERED]
    # The start rules as a list of ids, tested on the time point itself and written
    # before "answered": with the rules joined, SQLite looked up the answers of
    # every time point of the weeks before it looked at the rule; now its plan
    # checks the list first (decision 0039).
    start_rules = PlanRule.objects.filter(
        plan__organisation=organisation, kind=PlanRule.Kind.START
    ).values("pk")
    later = (
        TimePoint.objects.filter(episode=OuterRef("episode"))
        .exclude(rule__in=start_rules)
        .filter(answered)
    )
    follow = (
        points.filter(rule__in=start_rules)
        .filter(answered)
        .order_by()
        .values(*keys)
        .annotate(
            baseline=Count("episode", distinct=True),
            followed=Count("episode", distinct=True, filter=Q(Exists(later))),
        )
    )
    cells: dict[tuple[Any, Any, dt.date], Cell] = {
        (s, w, _day(week)): (found, 0, 0) for (s, w, week), found in counted.items()
    }
    for row in follow:
        key = (row[keys[0]], row[keys[1]], _day(row["week"]))
        found = cells.get(key, (StateCounts(), 0, 0))[0]
        cells[key] = (found, row["baseline"], row["followed"])
    return cells


def _sum(counts: list[StateCounts]) -> StateCounts:
    return StateCounts(
        **{
            field.name: sum(getattr(c, field.name) for c in counts)
            for field in fields(StateCounts)
        }
    )


def _series_by(
    cells: dict[tuple[Any, Any, dt.date], Cell],
    starts: list[dt.date],
    group: Callable[[tuple[Any, Any, dt.date]], Any],
) -> dict[Any, list[Week]]:
    """The weeks of each group of cells (``group`` gives a cell's group from its
    key: its service, its key worker, or one for all), each week the sum of the
    group's cells; a group with nothing due has no entry."""
    grouped: dict[Any, dict[dt.date, list[Cell]]] = {}
    for key, cell in cells.items():
        grouped.setdefault(group(key), {}).setdefault(key[2], []).append(cell)
    return {
        name: [
            Week(
                start,
                _sum([c[0] for c in by_week.get(start, [])]),
                baseline_answered=sum(c[1] for c in by_week.get(start, [])),
                followed_up=sum(c[2] for c in by_week.get(start, [])),
            )
            for start in starts
        ]
        for name, by_week in grouped.items()
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
    starts = week_starts(today, weeks)
    if not starts:
        return []
    cells = _cells(
        organisation, today=today, starts=starts, service=service, worker=worker
    )
    return _series_by(cells, starts, lambda key: None).get(None) or [
        Week(s, StateCounts()) for s in starts
    ]


def _day(value: dt.date | dt.datetime | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def workers_of(
    organisation: Organisation, service: Service | None = None
) -> list[User]:
    """Key workers with episodes in the organisation (or the service)."""
    # One filter() call: a second one on the same many-valued relation would
    # join the episodes twice (every episode with every other of its worker).
    where: dict[str, object] = {"key_worker_episodes__organisation": organisation}
    if service is not None:
        where["key_worker_episodes__service"] = service
    return list(User.objects.filter(**where).distinct().order_by("full_name", "email"))


def capture_overview(
    organisation: Organisation,
    *,
    today: dt.date,
    service: Service | None = None,
    weeks: int = WEEKS_SHOWN,
) -> dict[str, list[Series]]:
    """Each service's weekly series and each key worker's (within ``service``
    when one is chosen), from one grouping by service, worker and week: two
    queries for the figures, whatever the size."""
    services = (
        [service]
        if service is not None
        else list(Service.objects.filter(organisation=organisation, is_active=True))
    )
    starts = week_starts(today, weeks)
    empty = [Week(s, StateCounts()) for s in starts]
    cells = (
        _cells(organisation, today=today, starts=starts, service=service)
        if starts
        else {}
    )
    by_service = _series_by(cells, starts, lambda key: key[0])
    by_worker = _series_by(cells, starts, lambda key: key[1])
    return {
        "services": [
            Series(s.name, by_service.get(s.pk, empty), service=s) for s in services
        ],
        "workers": [
            Series(w.display_name, by_worker.get(w.pk, empty), worker=w)
            for w in workers_of(organisation, service)
        ],
    }
