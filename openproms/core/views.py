"""Home, organisation home, the switcher and error pages.

The commissioner home belongs to the reports app (its contracts and reports): home
sends a commissioner there by URL name, not by importing it, so the floor does not
reach up into a room above it (the layers contract in pyproject.toml). The
organisation home's panels (alerts, work due, caseload) are offered by the apps that
own them through core.home_panels.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openproms.accounts import selectors
from openproms.accounts.policy import Action, role_may
from openproms.core.access import org_view, public_view, signed_in_view
from openproms.core.home_panels import home_panels_context


@signed_in_view
def home(request: HttpRequest) -> HttpResponse:
    """Send a person to their organisation, or let them choose where to go."""
    memberships = list(selectors.memberships_for_user(request.user))  # type: ignore[arg-type]
    bodies = list(selectors.commissioner_memberships_for_user(request.user))  # type: ignore[arg-type]
    if len(memberships) == 1 and not bodies:
        return redirect("core:org_home", org_slug=memberships[0].organisation.slug)
    if len(bodies) == 1 and not memberships:
        return redirect("reports:commissioner_home", body_slug=bodies[0].body.slug)
    return render(
        request, "core/choose.html", {"memberships": memberships, "bodies": bodies}
    )


@signed_in_view
def switch(request: HttpRequest) -> HttpResponse:
    """The organisation switcher: go to the chosen organisation's home (if a member)."""
    slug = request.GET.get("organisation", "")
    memberships = {
        m.organisation.slug for m in selectors.memberships_for_user(request.user)
    }  # type: ignore[arg-type]
    if slug in memberships:
        return redirect("core:org_home", org_slug=slug)
    return redirect("core:home")


@org_view(Action.ORG_VIEW)
def org_home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    role = request.membership.role  # type: ignore[attr-defined]
    context = {
        "services": selectors.services_for_organisation(organisation),
        "show_members": role_may(role, Action.MEMBER_VIEW),
    }
    if context["show_members"]:
        context["members"] = selectors.members_for_organisation(organisation)
        context["invitations"] = selectors.invitations_pending(organisation)
    context.update(home_panels_context(request))
    return render(request, "core/org_home.html", context)


@public_view
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "core/csrf_failure.html", status=403)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def bad_request(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return render(request, "core/400.html", status=400)
