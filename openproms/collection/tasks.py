"""Background tasks of collection: schedule refreshes and the daily missed-window job.

No task sends reminders yet. A reminder job belongs here, and it must choose whom
to remind from ``openproms.people.consent.people_who_may_be_contacted`` (people
who have withdrawn from taking part are never contacted).
"""

from __future__ import annotations

from django_tasks import task

from openproms.accounts.models import Service
from openproms.collection import scheduling
from openproms.core.row_security import organisation_scope


@task()
def refresh_service_schedules(service_pk: int) -> int:
    """Refresh the time points of every open episode of a service (after a plan
    change touching many people). Returns how many episodes were refreshed."""
    service = Service.objects.filter(pk=service_pk).first()
    if service is None:
        return 0
    with organisation_scope(service.organisation_id):
        return scheduling.service_schedule_refresh(service=service)


@task()
def close_missed_time_points() -> dict[str, int]:
    """The daily job: bring new occasions into view, then mark closed windows missed."""
    advanced = scheduling.schedules_advance()
    missed = scheduling.time_points_close_missed()
    return {"episodes_refreshed": advanced, "time_points_missed": missed}
