"""Who is due and missed measures: the time points a member may see, filtered.

Reads only. The lists are plain indexed queries over the ``TimePoint`` rows that
:mod:`openproms.collection.scheduling` keeps; workers see their caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openproms.accounts.models import Membership, Service, User
from openproms.accounts.policy import CASELOAD_ONLY_ROLES
from openproms.collection import schedule
from openproms.collection.models import TimePoint
from openproms.people.models import Contact, Episode


@dataclass(frozen=True)
class DueFilters:
    worker: User | None = None  # key worker; None: everyone I may see
    service: Service | None = None
    day: dt.date | None = None  # people with a contact or group session that day


def time_points_visible(membership: Membership) -> QuerySet[TimePoint]:
    """Time points of the people this member may see (workers: their caseload).

    The caseload test is the one ``people.selectors.service_users_for`` applies (a
    person with an episode I hold, or who came to a group I ran), written as
    correlated EXISTS so a long list never scans the whole organisation.
    """
    points = TimePoint.objects.filter(organisation=membership.organisation)
    if membership.role in CASELOAD_ONLY_ROLES:
        user = membership.user
        person = OuterRef("episode__service_user")
        points = points.filter(
            Exists(Episode.objects.filter(service_user=person, key_worker=user))
            | Exists(
                Contact.objects.filter(
                    episode__service_user=person,
                    group_session__facilitator=user,
                )
            )
        )
    return points


def time_point_get(*, membership: Membership, pk: int) -> TimePoint:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        time_points_visible(membership).select_related(
            "episode__service_user", "episode__service", "rule__plan"
        ),
        pk=pk,
    )


def _with_people(points: QuerySet[TimePoint]) -> QuerySet[TimePoint]:
    return points.select_related(
        "episode__service_user", "episode__service", "episode__key_worker"
    )


def _group_keys_on(day: dt.date) -> set[tuple[int, str]]:
    from openproms.people.models import GroupSession

    return set(GroupSession.objects.filter(date=day).values_list("service_id", "title"))


def due_list(
    *, membership: Membership, filters: DueFilters, today: dt.date | None = None
) -> QuerySet[TimePoint]:
    """Pending time points due, overdue or due soon as of ``filters.day`` or today.

    Ordered by due date; filters run on the indexed (organisation, status,
    due_date) and episode columns, and people come in the same query.
    """
    today = today or timezone.localdate()
    day = filters.day or today
    if filters.worker is not None and filters.worker == membership.user:
        # My own key-worker episodes are on my caseload by definition.
        points = TimePoint.objects.filter(organisation=membership.organisation)
    else:
        points = time_points_visible(membership)
    points = points.filter(
        status=TimePoint.Status.PENDING,
        window_start__lte=day + dt.timedelta(days=schedule.DUE_SOON_DAYS),
    )
    points = points.filter(Q(window_end__isnull=True) | Q(window_end__gte=day))
    points = points.exclude(episode__status=Episode.Status.PAUSED)
    if filters.worker is not None:
        points = points.filter(episode__key_worker=filters.worker)
    if filters.service is not None:
        points = points.filter(episode__service=filters.service)
    if filters.day is not None:
        groups = _group_keys_on(filters.day)
        seen = Exists(
            Contact.objects.filter(episode=OuterRef("episode"), date=filters.day)
        )
        condition = Q(seen)
        if groups:
            regulars = Q()
            for service_id, title in groups:
                regulars |= Q(
                    group_session__service_id=service_id, group_session__title=title
                )
            condition |= Q(
                Exists(
                    Contact.objects.filter(episode=OuterRef("episode")).filter(regulars)
                )
            )
        points = points.filter(condition)
    return _with_people(points).order_by("due_date", "id")


def list_status(point: TimePoint, today: dt.date) -> str:
    return schedule.list_status(
        stored=point.status,
        due=point.due_date,
        window_start=point.window_start,
        window_end=point.window_end,
        today=today,
    )


def missed_list(
    *,
    membership: Membership,
    filters: DueFilters,
    unrecorded_only: bool = False,
) -> QuerySet[TimePoint]:
    points = time_points_visible(membership).filter(status=TimePoint.Status.MISSED)
    if unrecorded_only:
        points = points.filter(missed_reason="")
    if filters.worker is not None:
        points = points.filter(episode__key_worker=filters.worker)
    if filters.service is not None:
        points = points.filter(episode__service=filters.service)
    return _with_people(points).order_by("-due_date", "-id")
