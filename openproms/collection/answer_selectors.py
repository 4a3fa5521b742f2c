"""Reads behind the answering pages: the time points, administrations and paper
entries a member may reach (scoped like people: workers see their caseload only,
anything else is a 404), a person's current episode, a service's collection
settings, new submission ids, and measures' short names.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import (
    Administration,
    CollectionSettings,
    PaperEntry,
    TimePoint,
)
from openproms.people.models import Episode, ServiceUser
from openproms.people.selectors import person_scope


def time_points_for(membership: Membership) -> QuerySet[TimePoint]:
    """Time points of the people this member may see."""
    return TimePoint.objects.filter(
        person_scope(membership, "episode__service_user"),
        organisation=membership.organisation,
    ).select_related("episode", "episode__service_user", "episode__service")


def time_point_get(*, membership: Membership, pk: int) -> TimePoint:
    try:
        return time_points_for(membership).get(pk=pk)
    except TimePoint.DoesNotExist:
        raise Http404("No such time point.") from None


def due_time_points(service_user: ServiceUser) -> QuerySet[TimePoint]:
    """A person's time points that are due now or overdue (pending, window open
    today), as every count reads them (collection.counts)."""
    from openproms.collection import counts, states

    conditions = counts.state_conditions(timezone.localdate())
    return (
        TimePoint.objects.filter(
            organisation=service_user.organisation, episode__service_user=service_user
        )
        .filter(conditions[states.DUE_NOW] | conditions[states.OVERDUE])
        .select_related("episode", "episode__service")
        .order_by("due_date", "id")
    )


def pending_time_points(service_user: ServiceUser) -> QuerySet[TimePoint]:
    """Every pending time point of a person (paper forms can be typed early)."""
    return (
        TimePoint.objects.filter(
            organisation=service_user.organisation,
            episode__service_user=service_user,
            status=TimePoint.Status.PENDING,
        )
        .select_related("episode", "episode__service")
        .order_by("due_date", "id")
    )


def administration_get(*, membership: Membership, pk: int) -> Administration:
    try:
        return Administration.objects.select_related(
            "service_user", "episode", "episode__service", "time_point"
        ).get(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            pk=pk,
        )
    except Administration.DoesNotExist:
        raise Http404("No such answers.") from None


def paper_entry_get(*, membership: Membership, pk: int) -> PaperEntry:
    try:
        return PaperEntry.objects.select_related("service_user", "time_point").get(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            pk=pk,
        )
    except PaperEntry.DoesNotExist:
        raise Http404("No such paper entry.") from None


def paper_entries_open(membership: Membership) -> QuerySet[PaperEntry]:
    """Typed forms waiting for a second person, or with differences to resolve."""
    return (
        PaperEntry.objects.filter(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            status__in=[PaperEntry.Status.AWAITING_SECOND, PaperEntry.Status.CONFLICT],
        )
        .select_related("service_user", "time_point", "first_by")
        .order_by("first_at")
    )


def people_search(membership: Membership, query: str) -> QuerySet[ServiceUser]:
    """People this member may see whose reference, name or NHS number match."""
    from openproms.people.selectors import service_users_search

    return service_users_search(membership=membership, query=query)[:20]


def current_episode(service_user: ServiceUser) -> Episode | None:
    """The person's most recent active episode, if any."""
    return (
        service_user.episodes.filter(status=Episode.Status.ACTIVE)
        .select_related("service")
        .order_by("-start_date", "-id")
        .first()
    )


def settings_for(service: Service | None) -> CollectionSettings | None:
    if service is None:
        return None
    found, _ = CollectionSettings.objects.get_or_create(service=service)
    return found


def new_submission_id() -> str:
    return str(uuid.uuid4())


class MeasureNames:
    """Measures' short names as an organisation shows them (its own bespoke measures
    included), each read once: ``names("core10")`` -> ``"CORE-10"``."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._names: dict[tuple[str, str | None], str] = {}

    def __call__(self, measure_id: str, version: str | None = None) -> str:
        key = (measure_id, version)
        if key not in self._names:
            try:
                self._names[key] = measure_definition(
                    organisation=self.organisation,
                    measure_id=measure_id,
                    version=version,
                ).short_name
            except Http404:
                # A measure gone from the library: its stored id is all there is.
                self._names[key] = measure_id
        return self._names[key]

    def of(self, time_point: TimePoint) -> str:
        """The name of a time point's measure, at the version it was scheduled."""
        return self(time_point.measure_id, time_point.measure_version)
