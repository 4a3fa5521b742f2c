"""Who is due and missed measures: the time points a member may see, filtered.

Reads only. The lists are plain indexed queries over the ``TimePoint`` rows that
:mod:`openproms.collection.scheduling` keeps; workers see their caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.accounts.policy import CASELOAD_ONLY_ROLES
from openproms.collection import counts
from openproms.collection.models import TimePoint
from openproms.collection.states import StateCounts
from openproms.people.models import Contact, Episode


@dataclass(frozen=True)
class DueFilters:
    worker: User | None = None  # key worker; None: everyone I may see
    service: Service | None = None
    day: dt.date | None = None  # people with a contact or group session that day


def default_worker_is_me(membership: Membership) -> bool:
    """Whether the lists start with the people this member is key worker for
    (a worker's daily work) rather than everyone in their services (the work of
    a manager, a data officer or an admin, who see their whole organisation)."""
    return membership.role in CASELOAD_ONLY_ROLES


def default_filters(membership: Membership) -> DueFilters:
    """The filters the due and missed lists start with for this member."""
    return DueFilters(
        worker=membership.user if default_worker_is_me(membership) else None
    )


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
        counts.with_unscored(time_points_visible(membership)).select_related(
            "episode__service_user", "episode__service", "rule__plan"
        ),
        pk=pk,
    )


def _with_people(points: QuerySet[TimePoint]) -> QuerySet[TimePoint]:
    return points.select_related(
        "episode__service_user", "episode__service", "episode__key_worker"
    )


def _group_keys_on(organisation: Organisation, day: dt.date) -> set[tuple[int, str]]:
    from openproms.people.models import GroupSession

    return set(
        GroupSession.objects.filter(organisation=organisation, date=day).values_list(
            "service_id", "title"
        )
    )


def due_list(
    *, membership: Membership, filters: DueFilters, today: dt.date | None = None
) -> QuerySet[TimePoint]:
    """Time points due now, overdue or due soon on ``filters.day`` or today
    (:mod:`openproms.collection.states`), of people whose support is not paused.

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
    points = points.filter(counts.on_due_list(day))
    points = points.exclude(episode__status=Episode.Status.PAUSED)
    # A restricted person's data is not processed (people.consent.restricted).
    points = points.exclude(episode__service_user__restricted_at__isnull=False)
    if filters.worker is not None:
        points = points.filter(episode__key_worker=filters.worker)
    if filters.service is not None:
        points = points.filter(episode__service=filters.service)
    if filters.day is not None:
        groups = _group_keys_on(membership.organisation, filters.day)
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


def missed_list(
    *,
    membership: Membership,
    filters: DueFilters,
    unrecorded_only: bool = False,
) -> QuerySet[TimePoint]:
    points = time_points_visible(membership).filter(status=TimePoint.Status.MISSED)
    points = points.exclude(episode__service_user__restricted_at__isnull=False)
    if unrecorded_only:
        points = points.filter(missed_reason="")
    if filters.worker is not None:
        points = points.filter(episode__key_worker=filters.worker)
    if filters.service is not None:
        points = points.filter(episode__service=filters.service)
    return _with_people(points).order_by("-due_date", "-id")


@dataclass(frozen=True)
class WorkSummary:
    """The home page's figures: the due and missed lists as this member first
    sees them (their default filters), counted by the same definitions."""

    mine: bool  # the people I am key worker for; else everyone in my services
    due: StateCounts  # the time points on "Who is due", by state
    missed_unrecorded: int  # on "Missed measures", no reason recorded yet


def work_summary(
    *, membership: Membership, today: dt.date | None = None
) -> WorkSummary:
    """How many time points the member's "Who is due" and "Missed measures"
    list with their default filters, by state. As those pages do, the caller
    closes passed windows first (``scheduling.time_points_close_missed``)."""
    today = today or timezone.localdate()
    filters = default_filters(membership)
    points = due_list(membership=membership, filters=filters, today=today)
    missed = missed_list(membership=membership, filters=filters, unrecorded_only=True)
    return WorkSummary(
        mine=filters.worker is not None,
        due=counts.count_states(points, today),
        missed_unrecorded=missed.count(),
    )
