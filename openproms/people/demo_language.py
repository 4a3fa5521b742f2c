"""Demo (decision 0028): one Riverside person on the worker's caseload reads their questions in
Welsh, with life ladder questions to come and earlier life ladder scores, so their
link, hand-over screen, printed form and progress show the Welsh pages."""

from __future__ import annotations

from openproms.collection.models import ScaleResult, TimePoint
from openproms.core.demo import DemoContext
from openproms.people.models import ServiceUser

LADDER = "openproms_life_ladder"


def welsh_demo_person() -> ServiceUser | None:
    """The Riverside person (of the worker's caseload, lowest reference first) with
    a life ladder still to come and two or more earlier ladder scores."""
    candidates = ServiceUser.objects.filter(
        organisation__slug="riverside",
        episodes__key_worker__email="worker@riverside.example",
        episodes__time_points__measure_id=LADDER,
        episodes__time_points__status=TimePoint.Status.PENDING,
    ).order_by("reference")
    for person in candidates.distinct():
        scores = ScaleResult.objects.filter(
            administration__service_user=person,
            administration__measure_id=LADDER,
            scale_id="overall",
            value__isnull=False,
        ).count()
        if scores >= 2:
            return person
    return None


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
