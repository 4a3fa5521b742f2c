"""Opening training mode, and refreshing it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action, role_may
from openproms.core.access import org_view
from openproms.core.row_security import organisation_set
from openproms.reminders import practice


@org_view(Action.ORG_VIEW)
@require_http_methods(["GET", "POST"])
def practice_open(request: HttpRequest) -> HttpResponse:
    """What training mode is; the button that opens it."""
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    if request.method == "POST":
        if organisation.is_training:
            return redirect("core:org_home", organisation.slug)
        # The practice organisation is another organisation: name none while it
        # is made, so the wall lets its rows be written.
        organisation_set(None, user_id=request.user.pk)
        made = practice.practice_open(membership=membership)
        messages.success(request, f"Training mode is open. {_where(membership.role)}")
        return redirect("core:org_home", made.slug)
    return render(
        request,
        "reminders/practice.html",
        {
            "practice": None
            if organisation.is_training
            else practice.practice_for(organisation),
            "where": _where(membership.role),
        },
    )


def _where(role: str) -> str:
    """Where a member in ``role`` finds the made-up people, by the pages that
    role has: a caseload, the list of who is due, or only the reports."""
    people, starters = practice.PEOPLE, practice.NEW_STARTERS
    if role_may(role, Action.CASELOAD_VIEW):
        return (
            f"Your caseload has {people} made-up people; {starters} have just "
            "started and their first measures are due now: find them under Who is due."
        )
    if role_may(role, Action.DUE_VIEW):
        return (
            f"There are {people} made-up people; {starters} have just started and "
            "their first measures are due now: find them under Who is due."
        )
    return (
        f"There are {people} made-up people, some with up to a year of answers: "
        "see them in the dashboard and the reports."
    )


@org_view(Action.ORG_VIEW)
@require_http_methods(["POST"])
def practice_refresh(request: HttpRequest) -> HttpResponse:
    """Wipe the practice organisation's made-up people and make them again."""
    organisation = request.organisation  # type: ignore[attr-defined]
    if not organisation.is_training:
        messages.info(request, "Only a practice organisation can be started again.")
        return redirect("reminders:practice_open", organisation.slug)
    made = practice.practice_refresh(
        practice=organisation,
        actor=request.user,  # type: ignore[arg-type]
    )
    messages.success(request, f"Training mode refreshed: {made} made-up people.")
    return redirect("core:org_home", organisation.slug)
