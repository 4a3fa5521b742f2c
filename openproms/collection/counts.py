"""Counts of time points, read in the database by the one definition of
:mod:`openproms.collection.states`; collection rates; the acceptability summary.

:func:`state_conditions` writes each state of ``states.time_point_state`` as a
database condition (a test checks the two agree on random time points), so a count
on the home page, "Who is due", the caseload, the person page and the collection
rates page all mean the same thing, and the parts always add up to the whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.collection import states
from openproms.collection.models import (
    AcceptabilityResponse,
    PlanRule,
    TimePoint,
)


def unscored() -> Q:
    """True for a time point whose answers are stored but made no score at all
    (every scale "no score": too few items answered).

    Read from the time point's own ``no_score``, which every path that writes
    scale results keeps (:func:`~openproms.collection.administration_rows.
    administrations_store` for new answers, ``services._store_results`` for an edit
    or a rescore; decision 0040), so that counting states never looks up the
    answers: the time point's indexes hold it. A test holds the flag to the
    scores stored."""
    return Q(no_score=True)


def state_conditions(today: dt.date) -> dict[str, Q]:
    """One condition per state (and for due soon, a part of not yet due) on
    ``today``, each the database form of :func:`states.time_point_state`."""
    pending = Q(status=TimePoint.Status.PENDING)
    still_open = pending & (Q(window_end__isnull=True) | Q(window_end__gte=today))
    opened = still_open & Q(window_start__lte=today)
    not_yet = still_open & Q(window_start__gt=today)
    completed = Q(status=TimePoint.Status.COMPLETED)
    missed = Q(status=TimePoint.Status.MISSED)
    declined = Q(missed_reason=TimePoint.MissedReason.DECLINED)
    soon = today + dt.timedelta(days=states.DUE_SOON_DAYS)
    return {
        states.ANSWERED: completed & ~unscored(),
        states.NO_SCORE: completed & unscored(),
        states.DECLINED: missed & declined,
        states.MISSED: (missed & ~declined) | (pending & Q(window_end__lt=today)),
        states.OVERDUE: opened & Q(due_date__lt=today),
        states.DUE_NOW: opened & Q(due_date__gte=today),
        states.NOT_YET_DUE: not_yet,
        states.DUE_SOON: not_yet & Q(window_start__lte=soon),
        states.CANCELLED: Q(status=TimePoint.Status.CANCELLED),
    }


def on_due_list(today: dt.date) -> Q:
    """Due now, overdue or due soon on ``today``: what "Who is due" lists.

    Written as one range on the window (pending, the window not closed, and
    opening by the end of the due-soon days) so that it runs on the indexes; a
    test checks it equals the union of the three states' conditions.
    """
    soon = today + dt.timedelta(days=states.DUE_SOON_DAYS)
    return Q(status=TimePoint.Status.PENDING, window_start__lte=soon) & (
        Q(window_end__isnull=True) | Q(window_end__gte=today)
    )


# Answered is "completed and not unscored", no score "completed and unscored"
# (state_conditions): answered is counted as completed less no score, so the
# unscored test (two subqueries) runs once for each completed time point rather
# than once for each of the two states. The same numbers, about half the work
# on a large count (benchmarks/README.md, "Weekly collection at full size").
_COMPLETED = "completed_any"


def _aggregates(today: dt.date) -> dict[str, Count]:
    conditions = state_conditions(today)
    found = {
        name: Count("pk", filter=conditions[name])
        for name in (
            states.NO_SCORE,
            states.DECLINED,
            states.MISSED,
            states.OVERDUE,
            states.DUE_NOW,
            states.NOT_YET_DUE,
            states.DUE_SOON,
        )
    }
    found[_COMPLETED] = Count("pk", filter=Q(status=TimePoint.Status.COMPLETED))
    return found


def _state_counts(row: dict[str, Any]) -> states.StateCounts:
    """A row of :func:`_aggregates` (its other keys already taken out)."""
    completed = row.pop(_COMPLETED)
    return states.StateCounts(answered=completed - row[states.NO_SCORE], **row)


def count_states(points: QuerySet[TimePoint], today: dt.date) -> states.StateCounts:
    """How many of ``points`` are in each state on ``today``, in one query."""
    return _state_counts(points.order_by().aggregate(**_aggregates(today)))


def count_states_and_total(
    points: QuerySet[TimePoint], today: dt.date
) -> tuple[states.StateCounts, int]:
    """:func:`count_states`, and how many ``points`` there are in all, in the same
    query: a list's summary and its paginator's count for one walk of the rows."""
    row = points.order_by().aggregate(all_points=Count("pk"), **_aggregates(today))
    total = row.pop("all_points")
    return _state_counts(row), total


def count_states_by(
    points: QuerySet[TimePoint], key: str, today: dt.date
) -> dict[Any, states.StateCounts]:
    """:func:`count_states` for each value of ``key`` (a field path such as
    ``"episode"``), in one query; values with no time points are absent."""
    rows = points.order_by().values(key).annotate(**_aggregates(today))
    return {row.pop(key): _state_counts(row) for row in rows if row[key] is not None}


def count_states_by_keys(
    points: QuerySet[TimePoint], keys: tuple[str, ...], today: dt.date
) -> dict[tuple[Any, ...], states.StateCounts]:
    """:func:`count_states_by` for each combination of ``keys`` (such as a week
    and a key worker), in one query."""
    rows = points.order_by().values(*keys).annotate(**_aggregates(today))
    return {tuple(row.pop(key) for key in keys): _state_counts(row) for row in rows}


def with_unscored(points: QuerySet[TimePoint]) -> QuerySet[TimePoint]:
    """The time points, each with ``unscored`` for :func:`state_of` (the stored
    ``no_score``: nothing more to read)."""
    return points.annotate(unscored=F("no_score"))


def state_of(point: TimePoint, today: dt.date) -> str:
    """The state of one time point on ``today``; ``point`` must come from
    :func:`with_unscored` unless it is known not to be completed."""
    return states.time_point_state(
        stored=point.status,
        missed_reason=point.missed_reason,
        unscored=bool(getattr(point, "unscored", False)),
        due=point.due_date,
        window_start=point.window_start,
        window_end=point.window_end,
        today=today,
    )


def tag_of(point: TimePoint, today: dt.date) -> str:
    """The list tag of one time point (its state, or due soon)."""
    return states.tag(
        state_of(point, today), window_start=point.window_start, today=today
    )


def label_states(points: Iterable[TimePoint], today: dt.date) -> None:
    """Set ``state_tag`` and ``state_label`` on each time point, for a page."""
    for point in points:
        point.state_tag = tag_of(point, today)  # type: ignore[attr-defined]
        point.state_label = states.LABELS[point.state_tag]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Collection rates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionRates:
    counts: states.StateCounts  # time points due in the period, by state today
    baseline_episodes: int  # episodes with a start time point due in the period
    baseline_answered: int  # of those, episodes whose start was answered
    followed_up: int  # of those answered at the start, any later answer

    @property
    def answered_rate(self) -> float | None:
        return self.counts.answered_rate

    @property
    def baseline_rate(self) -> float | None:
        if not self.baseline_episodes:
            return None
        return self.baseline_answered / self.baseline_episodes

    @property
    def follow_up_rate(self) -> float | None:
        if not self.baseline_answered:
            return None
        return self.followed_up / self.baseline_answered


def collection_rates(
    organisation: Organisation,
    service: Service | None = None,
    worker: User | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    today: dt.date | None = None,
) -> CollectionRates:
    """Time points due within ``period`` (both ends included) by their state on
    ``today``, and baseline and follow-up capture, for an organisation (optionally
    one service and one key worker). "Answered" means answered with a score, here
    as everywhere (:mod:`openproms.collection.states`).
    """
    today = today or timezone.localdate()
    points = TimePoint.objects.filter(organisation=organisation).exclude(
        status=TimePoint.Status.CANCELLED
    )
    if service is not None:
        points = points.filter(episode__service=service)
    if worker is not None:
        points = points.filter(episode__key_worker=worker)
    if period is not None:
        points = points.filter(due_date__gte=period[0], due_date__lte=period[1])
    answered = state_conditions(today)[states.ANSWERED]
    starts = points.filter(rule__kind=PlanRule.Kind.START)
    baseline_episodes = starts.values("episode").distinct().count()
    done = starts.filter(answered)
    baseline_done = done.values("episode").distinct().count()
    later = (
        TimePoint.objects.filter(episode=OuterRef("episode"))
        .filter(answered)
        .exclude(rule__kind=PlanRule.Kind.START)
    )
    followed = (
        done.filter(Exists(later)).values("episode").distinct().count()
        if baseline_done
        else 0
    )
    return CollectionRates(
        counts=count_states(points, today),
        baseline_episodes=baseline_episodes,
        baseline_answered=baseline_done,
        followed_up=followed,
    )


# ---------------------------------------------------------------------------
# Acceptability: "How did you find answering these questions?"
# ---------------------------------------------------------------------------

# The answers offered (collection.answer_forms.AcceptabilityForm), grouped.
EASY = (4, 5)
NEITHER = (3,)
DIFFICULT = (1, 2)


@dataclass(frozen=True)
class AcceptabilityRow:
    service: str
    measure_id: str | None  # None: all the service's measures; "": not known
    easy: int  # "easy" or "very easy"
    neither: int
    difficult: int  # "difficult" or "very difficult"
    rating_sum: int

    @property
    def answers(self) -> int:
        return self.easy + self.neither + self.difficult

    @property
    def mean(self) -> float | None:
        return self.rating_sum / self.answers if self.answers else None


def acceptability_summary(
    organisation: Organisation,
    service: Service | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[AcceptabilityRow]:
    """Answers to the acceptability question given within ``period`` (local
    dates, both ends included): per service, a row for each measure (the one
    answered just before the question), most answers first, then a row for all the
    service's measures together when it has more than one."""
    responses = AcceptabilityResponse.objects.filter(organisation=organisation)
    if service is not None:
        responses = responses.filter(service=service)
    if period is not None:
        responses = responses.filter(
            created_at__date__gte=period[0], created_at__date__lte=period[1]
        )
    tallies = {
        "easy": Count("pk", filter=Q(rating__in=EASY)),
        "neither": Count("pk", filter=Q(rating__in=NEITHER)),
        "difficult": Count("pk", filter=Q(rating__in=DIFFICULT)),
        "rating_sum": Sum("rating"),
    }

    def rows(*keys: str) -> list[AcceptabilityRow]:
        found = responses.order_by().values(*keys).annotate(**tallies)
        return [
            AcceptabilityRow(
                service=row["service__name"] or "No service",
                measure_id=(row["administration__measure_id"] or "")
                if "administration__measure_id" in row
                else None,
                easy=row["easy"],
                neither=row["neither"],
                difficult=row["difficult"],
                rating_sum=row["rating_sum"] or 0,
            )
            for row in found
        ]

    per_measure = rows("service__name", "administration__measure_id")
    per_service = {row.service: row for row in rows("service__name")}
    summary: list[AcceptabilityRow] = []
    for name in sorted(per_service):
        measures = [row for row in per_measure if row.service == name]
        measures.sort(key=lambda r: (-r.answers, r.measure_id or ""))
        summary += measures
        if len(measures) > 1:
            summary.append(per_service[name])
    return summary
