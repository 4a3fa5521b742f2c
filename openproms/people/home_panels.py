"""The people app's panels on the organisation home page: the member's open alerts
and their caseload (registered with core.home_panels when the app is ready)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openproms.accounts.policy import Action, Role, role_may
from openproms.people.selectors import caseload_summary, open_alerts_for


def alerts_panel(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    if not role_may(membership.role, Action.ALERT_MANAGE):
        return {}
    return {"my_alerts": list(open_alerts_for(membership, mine_only=True)[:20])}


def caseload_panel(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    if not role_may(membership.role, Action.CASELOAD_VIEW):
        return {}
    caseload = caseload_summary(membership=membership)
    # A manager or admin with nobody on a caseload has no caseload to show.
    if caseload["people"] or membership.role == Role.WORKER:
        return {"caseload": caseload}
    return {}
