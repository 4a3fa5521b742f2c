"""Reads of the audit log, always within one organisation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from openproms.accounts.models import Organisation
from openproms.audit.models import AuditEvent
from openproms.audit.services import person_marker


def audit_events_for_organisation(
    organisation: Organisation,
    *,
    action: str = "",
    actor: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    person_pk: int | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's events, newest first; with ``person_pk`` only those
    about that person (reads that showed them, and changes to their records)."""
    events = AuditEvent.objects.filter(organisation=organisation)
    if person_pk is not None:
        events = events.filter(
            Q(people__contains=person_marker(person_pk))
            # Events written before events named their people.
            | Q(object_type="people.serviceuser", object_id=str(person_pk))
        )
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(
            at__gte=dt.datetime.combine(date_from, dt.time.min, zone)
        )
    if date_to:
        events = events.filter(
            at__lt=dt.datetime.combine(
                date_to + dt.timedelta(days=1), dt.time.min, zone
            )
        )
    return events.order_by("-at", "-id")
