"""Demo (decision 0028): one Riverside person on the worker's caseload reads their questions in
Welsh, with life ladder questions to come and earlier life ladder scores, so their
link, hand-over screen, printed form and progress show the Welsh pages."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from openproms.collection.models import ScaleResult, TimePoint
from openproms.core.demo import DemoContext
from openproms.people.models import ServiceUser

LADDER = "openproms_life_ladder"


def _busy(person: ServiceUser) -> bool:
    """Due or overdue now, or in the loneliness group: the people the other demo
    journeys follow in English (the worker's hand-over, the link on a phone)."""
    today = timezone.localdate()
    return (
        TimePoint.objects.filter(episode__service_user=person)
        .filter(
            Q(status=TimePoint.Status.PENDING, window_start__lte=today)
            | Q(measure_id="ucla3")
        )
        .exists()
    )


def welsh_demo_person() -> ServiceUser | None:
    """The Riverside person (of the worker's caseload, lowest reference first) with
    a life ladder still to come and two or more earlier ladder scores, preferring
    one with nothing due now and no loneliness questions."""
    candidates = ServiceUser.objects.filter(
        organisation__slug="riverside",
        episodes__key_worker__email="worker@riverside.example",
        episodes__time_points__measure_id=LADDER,
        episodes__time_points__status=TimePoint.Status.PENDING,
    ).order_by("reference")
    found = [
        person
        for person in candidates.distinct()
        if ScaleResult.objects.filter(
            administration__service_user=person,
            administration__measure_id=LADDER,
            scale_id="overall",
            value__isnull=False,
        ).count()
        >= 2
    ]
    quiet = [person for person in found if not _busy(person)]
    return (quiet or found or [None])[0]


def seed(context: DemoContext) -> None:
    if ServiceUser.objects.filter(
        organisation__slug="riverside", preferred_language="cy"
    ).exists():
        return
    person = welsh_demo_person()
    if person is not None:
        person.preferred_language = "cy"
        person.save(update_fields=["preferred_language"])
        context.objects["welsh_person"] = person
