"""This app's parts of other pages: the lead's alerts on the organisation home
page, and reminders (agreement and delivery) on the person page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openproms.accounts.policy import Action, role_may
from openproms.people.models import ServiceUser
from openproms.reminders.models import CaptureAlert, ContactAgreement, Reminder


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
    return {
        "template": "reminders/_person_panel.html",
        "agreement": ContactAgreement.objects.filter(service_user=person).first(),
        "reminders": list(
            Reminder.objects.filter(service_user=person).select_related("time_point")[
                :10
            ]
        ),
        "may_manage": role_may(membership.role, Action.PERSON_MANAGE),
    }
