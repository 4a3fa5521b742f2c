"""Collection rates: time points due, completed and missed, baseline and follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from openproms.accounts.models import Organisation, Service, User
from openproms.collection.models import PlanRule, TimePoint


@dataclass(frozen=True)
class CollectionRates:
    due: int
    completed: int
    missed: int
    baseline_episodes: int  # episodes with a start time point due in the period
    baseline_completed: int
    followed_up: int  # of those with a completed baseline, any later completion

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.due if self.due else None

    @property
    def baseline_rate(self) -> float | None:
        if not self.baseline_episodes:
            return None
        return self.baseline_completed / self.baseline_episodes

    @property
    def follow_up_rate(self) -> float | None:
        if not self.baseline_completed:
            return None
        return self.followed_up / self.baseline_completed


def collection_rates(
    organisation: Organisation,
    service: Service | None = None,
    worker: User | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> CollectionRates:
    """Counts of time points due, completed and missed, and baseline and follow-up
    capture, for an organisation (optionally one service, one key worker, and time
    points due within ``period``, both ends included). Cancelled ones never count.
    """
    points = TimePoint.objects.filter(organisation=organisation).exclude(
        status=TimePoint.Status.CANCELLED
    )
    if service is not None:
        points = points.filter(episode__service=service)
    if worker is not None:
        points = points.filter(episode__key_worker=worker)
    if period is not None:
        points = points.filter(due_date__gte=period[0], due_date__lte=period[1])
    counts = points.aggregate(
        due=Count("pk"),
        completed=Count("pk", filter=Q(status=TimePoint.Status.COMPLETED)),
        missed=Count("pk", filter=Q(status=TimePoint.Status.MISSED)),
    )
    starts = points.filter(rule__kind=PlanRule.Kind.START)
    baseline_episodes = starts.values("episode").distinct().count()
    done = starts.filter(status=TimePoint.Status.COMPLETED)
    baseline_done = done.values("episode").distinct().count()
    later = TimePoint.objects.filter(
        episode=OuterRef("episode"), status=TimePoint.Status.COMPLETED
    ).exclude(rule__kind=PlanRule.Kind.START)
    followed = (
        done.filter(Exists(later)).values("episode").distinct().count()
        if baseline_done
        else 0
    )
    return CollectionRates(
        due=counts["due"],
        completed=counts["completed"],
        missed=counts["missed"],
        baseline_episodes=baseline_episodes,
        baseline_completed=baseline_done,
        followed_up=followed,
    )
