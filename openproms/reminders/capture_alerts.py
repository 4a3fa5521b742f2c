"""Alerts for implementation leads (decision 0030).

Two kinds, checked once a week for every service with a named lead:

* capture below target: completion (:mod:`openproms.reminders.capture`) was
  below the lead's target in each of the last ``weeks_below`` whole weeks that
  had measures due (a week with nothing due says nothing and breaks the run);
* a worker stopped collecting: a key worker in the service had measures due for
  their people in the last ``quiet_weeks`` whole weeks and none was answered.

An alert is raised once per service, worker, kind and week; it shows on the
lead's home page until the run ends, and is emailed to the lead when raised.
Practice organisations raise none.
"""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.collection.counts import count_states_by
from openproms.collection.models import TimePoint
from openproms.core.row_security import organisation_scope
from openproms.reminders.capture import week_starts, weekly_series
from openproms.reminders.models import CaptureAlert, ImplementationLead


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _below_target(lead: ImplementationLead, today: dt.date) -> str:
    weeks = weekly_series(
        lead.service.organisation,
        today=today,
        weeks=lead.weeks_below,
        service=lead.service,
    )
    target = lead.capture_target / 100
    if not weeks or any(w.completion is None or w.completion >= target for w in weeks):
        return ""
    shown = ", ".join(_percent(w.completion or 0) for w in weeks)
    return (
        f"{lead.service.name}: completion stayed below the target of "
        f"{lead.capture_target}% for {len(weeks)} weeks ({shown})."
    )


def _stopped_workers(
    lead: ImplementationLead, today: dt.date
) -> list[tuple[object, str]]:
    """Key workers in the service with measures due in the quiet weeks and none
    answered: the states of their time points (``counts.count_states_by``, the
    counts ``collection_rates`` gives per worker) in one query."""
    starts = week_starts(today, lead.quiet_weeks)
    if not starts:
        return []
    points = TimePoint.objects.filter(
        organisation=lead.organisation,
        episode__service=lead.service,
        due_date__gte=starts[0],
        due_date__lte=starts[-1] + dt.timedelta(days=6),
    ).exclude(status=TimePoint.Status.CANCELLED)
    by_worker = count_states_by(points, "episode__key_worker", today)
    quiet = {pk: c for pk, c in by_worker.items() if c.counted and not c.answered}
    workers = User.objects.filter(pk__in=quiet).order_by("full_name", "email")
    return [
        (
            worker,
            f"{lead.service.name}: {worker.display_name} had "
            f"{quiet[worker.pk].counted} measures due in the last "
            f"{lead.quiet_weeks} weeks and none was answered.",
        )
        for worker in workers
    ]


def _raise(
    lead: ImplementationLead, *, kind: str, worker: object, message: str, week: dt.date
) -> CaptureAlert | None:
    exists = CaptureAlert.objects.filter(
        service=lead.service, worker=worker, kind=kind, week_of=week
    ).exists()
    if exists:
        return None
    alert = CaptureAlert.objects.create(
        organisation=lead.organisation,
        service=lead.service,
        worker=worker,
        lead=lead.lead,
        kind=kind,
        message=message,
        week_of=week,
    )
    if lead.lead.email:
        send_mail(
            subject=f"Collection needs attention: {lead.service.name}",
            message=(
                f"Hello {lead.lead.display_name},\n\n{message}\n\nYou are named as "
                f"the implementation lead of {lead.service.name} at "
                f"{lead.organisation.name}. Sign in to openproms to see weekly "
                "collection for the service.\n"
            ),
            from_email=None,
            recipient_list=[lead.lead.email],
        )
        alert.emailed_at = timezone.now()
        alert.save(update_fields=["emailed_at"])
    return alert


@transaction.atomic
def alerts_raise(*, organisation: Organisation, today: dt.date) -> int:
    """Check every service of the organisation with a lead; returns alerts raised.
    Alerts of the lead whose condition no longer holds are resolved."""
    if organisation.is_training:
        return 0
    this_week = today - dt.timedelta(days=today.weekday())
    raised = 0
    for lead in ImplementationLead.objects.filter(
        organisation=organisation
    ).select_related("service__organisation", "lead", "organisation"):
        message = _below_target(lead, today)
        open_alerts = CaptureAlert.objects.filter(
            service=lead.service, resolved_at__isnull=True
        )
        if message:
            raised += bool(
                _raise(
                    lead,
                    kind=CaptureAlert.Kind.BELOW_TARGET,
                    worker=None,
                    message=message,
                    week=this_week,
                )
            )
        else:
            open_alerts.filter(kind=CaptureAlert.Kind.BELOW_TARGET).update(
                resolved_at=timezone.now()
            )
        stopped = _stopped_workers(lead, today)
        for worker, text in stopped:
            raised += bool(
                _raise(
                    lead,
                    kind=CaptureAlert.Kind.WORKER_STOPPED,
                    worker=worker,
                    message=text,
                    week=this_week,
                )
            )
        open_alerts.filter(kind=CaptureAlert.Kind.WORKER_STOPPED).exclude(
            worker__in=[worker for worker, _ in stopped]
        ).update(resolved_at=timezone.now())
    return raised


def alerts_raise_all(*, today: dt.date) -> dict[str, int]:
    raised = 0
    organisations = Organisation.objects.filter(is_training=False).filter(
        pk__in=ImplementationLead.objects.values("organisation")
    )
    for organisation in organisations:
        with organisation_scope(organisation.pk):
            raised += alerts_raise(organisation=organisation, today=today)
    return {"alerts_raised": raised}
