"""This app's parts of other pages: the lead's alerts on the organisation home
page, and reminders (agreement and delivery) on the person page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openproms.accounts.policy import Action, role_may
from openproms.people.models import ServiceUser
from openproms.reminders.models import CaptureAlert, Reminder
from openproms.reminders.services import agreement_in_force, reminder_address


def capture_alerts_panel(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    alerts = CaptureAlert.objects.filter(
        organisation=membership.organisation,
        lead=membership.user,
        resolved_at__isnull=True,
    ).select_related("service")
    found = list(alerts[:20])
    if not found:
        return {}
    return {"capture_alerts": found}


def person_reminders_panel(
    request: HttpRequest, person: ServiceUser
) -> dict[str, Any] | None:
    membership = request.membership  # type: ignore[attr-defined]
    agreement = agreement_in_force(person)
    address = reminder_address(agreement, person) if agreement else ""
    return {
        "template": "reminders/_person_panel.html",
        "agreement": agreement,
        "address": address,
        # They agreed with another address: reminders follow their record's.
        "agreed_elsewhere": bool(
            agreement and agreement.address and address != agreement.address
        ),
        # Their record says not to contact them, yet they agreed to reminders.
        "only_in_person": bool(
            address
            and person.contact_preference == ServiceUser.ContactPreference.IN_PERSON
        ),
        "reminders": list(
            Reminder.objects.filter(service_user=person).select_related("time_point")[
                :10
            ]
        ),
        "may_manage": role_may(membership.role, Action.PERSON_MANAGE),
    }
