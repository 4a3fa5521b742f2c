"""Access declarations for views: every view says who may reach it.

Each view in openproms is wrapped by exactly one of these decorators, which records
an :class:`Access` on the view function. A test walks every URL pattern and fails
on any route without one, then checks role x route x (own / other organisation)
against :mod:`openproms.accounts.policy`.

- :func:`public_view`: anyone, signed in or not (sign-in page, invitation links).
- :func:`password_view`: signed in with a password, second factor not yet given
  (the two-factor set-up and verification pages).
- :func:`signed_in_view`: any fully signed-in user (account pages, home).
- :func:`org_view`: a member of the organisation named by ``org_slug`` whose role
  the policy allows ``action``; non-members get 404, members without the role 403.
- :func:`commissioner_view`: a user of the commissioner body named by ``body_slug``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from openproms.accounts import selectors
from openproms.accounts.policy import Action, role_may
from openproms.audit.services import log_action
from openproms.core.row_security import organisation_set

View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Access:
    kind: str  # public | password | signed_in | org | commissioner
    action: Action | None = None


def _declare(view: View, access: Access) -> View:
    view.openproms_access = access  # type: ignore[attr-defined]
    return view


def access_of(view: Any) -> Access | None:
    """The access declaration of a view callable (or its class-based wrapper)."""
    for candidate in (
        view,
        getattr(view, "view_class", None),
        getattr(view, "cls", None),
    ):
        access = getattr(candidate, "openproms_access", None)
        if access is not None:
            return access
    return None


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(
        f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
    )


def _second_factor_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where a signed-in user must go before anything else, if anywhere."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return None
    query = urlencode({"next": request.get_full_path()})
    if selectors.user_has_two_factor(user):  # type: ignore[arg-type]
        return redirect(f"{reverse('accounts:two_factor_verify')}?{query}")
    if selectors.user_requires_two_factor(user):  # type: ignore[arg-type]
        return redirect(f"{reverse('accounts:two_factor_setup')}?{query}")
    return None


def public_view(view: View) -> View:
    return _declare(view, Access("public"))


def password_view(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("password"))


def signed_in_view(view: View) -> View:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        pending = _second_factor_redirect(request)
        if pending is not None:
            return pending
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("signed_in"))


def forbidden(
    request: HttpRequest, *, action: str, organisation: Any = None
) -> HttpResponse:
    """A friendly 403 page, with the denial written to the audit log."""
    log_action(
        action="authz.denied",
        actor=request.user,  # type: ignore[arg-type]
        organisation=organisation,
        request=request,
        detail={"needed": action, "path": request.path[:200]},
    )
    return render(request, "core/403.html", {"action": action}, status=403)


def org_view(action: Action) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, org_slug: str, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                return _login_redirect(request)
            pending = _second_factor_redirect(request)
            if pending is not None:
                return pending
            membership = selectors.membership_for_org_slug(
                user=request.user,  # type: ignore[arg-type]
                org_slug=org_slug,
            )
            request.membership = membership  # type: ignore[attr-defined]
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            # The database's own wall: from here on this request's connection sees
            # only this organisation's rows (emptied when the request finishes).
            organisation_set(membership.organisation_id, user_id=request.user.pk)
            if not role_may(membership.role, action):
                return forbidden(
                    request, action=str(action), organisation=membership.organisation
                )
            return view(request, *args, **kwargs)

        return _declare(wrapped, Access("org", action))

    return decorate


def commissioner_view(view: View) -> View:
    @functools.wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, body_slug: str, **kwargs: Any
    ) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login_redirect(request)
        pending = _second_factor_redirect(request)
        if pending is not None:
            return pending
        request.commissioner_body = selectors.commissioner_body_for_slug(  # type: ignore[attr-defined]
            user=request.user,  # type: ignore[arg-type]
            body_slug=body_slug,
        )
        return view(request, *args, **kwargs)

    return _declare(wrapped, Access("commissioner"))
