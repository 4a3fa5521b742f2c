"""The collection app's panel on the organisation home page: the work due, counted
as every list counts it (registered with core.home_panels when the app is ready).
Missed windows are closed first, so the figures match the lists they link to."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openproms.accounts.policy import Action, role_may
from openproms.collection.due_lists import work_summary
from openproms.collection.scheduling import time_points_close_missed


def work_panel(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    if not role_may(membership.role, Action.DUE_VIEW):
        return {}
    time_points_close_missed(organisation=membership.organisation)
    return {
        "work": work_summary(membership=membership),
        "show_missed": role_may(membership.role, Action.MISSED_RECORD),
    }
