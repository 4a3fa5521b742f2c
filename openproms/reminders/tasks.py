"""Background tasks: the reminder round (every few minutes), one try at one
reminder (retried later with back-off by the next round), and the weekly check
of collection that raises alerts for implementation leads."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from openproms.core.row_security import organisation_scope
from openproms.reminders import capture_alerts, services
from openproms.reminders.models import Reminder, ReminderSettings


@task()
def send_reminder(reminder_pk: int) -> str:
    """One try at sending one reminder, walled in its organisation."""
    organisation_id = (
        Reminder.objects.filter(pk=reminder_pk)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if organisation_id is None:
        return "missing"
    with organisation_scope(organisation_id):
        reminder = Reminder.objects.select_related(
            "organisation", "time_point__episode", "service_user"
        ).get(pk=reminder_pk)
        return services.reminder_send(reminder=reminder, now=timezone.now()).status


@task()
def send_reminders() -> dict[str, int]:
    """The reminder round: stop what is no longer due, make new reminders, queue
    a try for each one due (first tries and retries whose back-off has passed),
    and read back delivery from providers that report it."""
    now = timezone.now()
    totals = {"stopped": 0, "made": 0, "queued": 0, "delivery_updates": 0}
    configs = ReminderSettings.objects.filter(enabled=True).select_related(
        "organisation"
    )
    for config in configs:
        organisation = config.organisation
        if organisation.is_training:
            continue
        with organisation_scope(organisation.pk):
            totals["stopped"] += services.reminders_stop_answered(
                organisation=organisation, now=now
            )
            totals["made"] += services.reminders_plan(
                organisation=organisation, now=now
            )
            due = list(
                services.reminders_due(organisation=organisation, now=now).values_list(
                    "pk", flat=True
                )
            )
            totals["delivery_updates"] += services.delivery_refresh(
                organisation=organisation, now=now
            )
        for pk in due:
            send_reminder.enqueue(pk)
            totals["queued"] += 1
    return totals


@task()
def check_collection() -> dict[str, int]:
    """The weekly check: raise alerts for implementation leads (and email them)."""
    return capture_alerts.alerts_raise_all(today=timezone.localdate())
