"""Template context shared by every page: version, organisation switcher, navigation,
and the organisation's own words (``terms``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openproms.accounts.policy import actions_for
from openproms.accounts.terms import role_label, terms_for


def openproms(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "openproms_version": settings.VERSION,
        "terms": terms_for(None),
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    from openproms.accounts import selectors

    context["my_memberships"] = list(selectors.memberships_for_user(user))
    context["my_commissioner_memberships"] = list(
        selectors.commissioner_memberships_for_user(user)
    )
    membership = getattr(request, "membership", None)
    if membership is not None:
        context["current_organisation"] = membership.organisation
        context["terms"] = terms_for(membership.organisation)
        context["current_role"] = role_label(membership.role, membership.organisation)
        context["can"] = {
            str(action).replace(".", "_") for action in actions_for(membership.role)
        }
    body = getattr(request, "commissioner_body", None)
    if body is not None:
        context["current_commissioner"] = body
    return context
