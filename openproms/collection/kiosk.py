"""Hand-over (kiosk) mode: a worker hands their signed-in screen to a person.

While kiosk mode is on in a browser session, :class:`KioskMiddleware` sends every
request that is not a kiosk page back to the kiosk, so the person cannot reach
anything else of the worker's account. Leaving needs the worker's password,
checked on the server, with wrong tries limited and written to the audit log.
(A PIN would need a field on the user: the password is used instead.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.people.models import ServiceUser

SESSION_KEY = "openproms_kiosk"
KIOSK_VIEWS = frozenset(
    {"collection:kiosk_answer", "collection:kiosk_exit", "reports:kiosk_progress"}
)
EXIT_ATTEMPT_LIMIT = 5
EXIT_WINDOW_SECONDS = 15 * 60


def kiosk_state(request: HttpRequest) -> dict[str, Any] | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    state = session.get(SESSION_KEY)
    return state if isinstance(state, dict) else None


def kiosk_save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state
    request.session.modified = True


#: Titles a person is called by with their family name ("Dr Reid", not "Dr").
TITLES = frozenset(
    {"dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "nurse"}
)


def name_to_hand_back_to(full_name: str) -> str:
    """What the person calls the member of staff they hand the screen back to:
    their given name ("Wendy Hall": "Wendy"), or with a title, the title and their
    family name ("Dr Tom Reid": "Dr Reid"); empty for no name."""
    words = full_name.split()
    if not words:
        return ""
    if words[0].rstrip(".").lower() in TITLES:
        return f"{words[0]} {words[-1]}" if len(words) > 1 else ""
    return words[0]


def kiosk_start(
    *,
    request: HttpRequest,
    organisation: Organisation,
    service_user: ServiceUser,
    queue: list[dict[str, Any]],
    actor: User,
) -> dict[str, Any]:
    """Turn kiosk mode on in this browser session for the given measures.

    ``queue`` holds one ``{"time_point": pk | None, "measure_id", "version"}`` per
    measure, answered in that order.
    """
    state: dict[str, Any] = {
        "org": organisation.slug,
        "person": service_user.pk,
        "queue": queue,
        "index": 0,
        "done": [],
        "layout": "one",
        "stage": "answer",
        "worker": actor.pk,
        "worker_name": name_to_hand_back_to(actor.full_name),
    }
    kiosk_save(request, state)
    log_action(
        action="kiosk.start",
        actor=actor,
        organisation=organisation,
        obj=service_user,
        request=request,
        detail={"measures": [item["measure_id"] for item in queue]},
    )
    return state


def _attempt_key(user: User) -> str:
    return f"openproms:kiosk-exit:{user.pk}"


def exit_locked(user: User) -> bool:
    return int(cache.get(_attempt_key(user), 0)) >= EXIT_ATTEMPT_LIMIT


def kiosk_exit(
    *, request: HttpRequest, organisation: Organisation, user: User, password: str
) -> bool:
    """Leave kiosk mode if ``password`` is the signed-in worker's; audited either way."""
    if exit_locked(user):
        log_action(
            action="kiosk.exit_refused",
            actor=user,
            organisation=organisation,
            request=request,
            detail={"reason": "too many tries"},
        )
        return False
    if not user.check_password(password):
        key = _attempt_key(user)
        if not cache.add(key, 1, EXIT_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.add(key, 1, EXIT_WINDOW_SECONDS)
        log_action(
            action="kiosk.exit_refused",
            actor=user,
            organisation=organisation,
            request=request,
            detail={"reason": "wrong password"},
        )
        return False
    cache.delete(_attempt_key(user))
    request.session.pop(SESSION_KEY, None)
    log_action(
        action="kiosk.exit", actor=user, organisation=organisation, request=request
    )
    return True


class KioskMiddleware:
    """Send every non-kiosk request back to the kiosk while kiosk mode is on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = kiosk_state(request)
        if state is not None and not request.path.startswith(
            "/" + settings.STATIC_URL.lstrip("/")
        ):
            try:
                match = resolve(request.path_info)
                allowed = match.view_name in KIOSK_VIEWS and match.kwargs.get(
                    "org_slug"
                ) == state.get("org")
            except Resolver404:
                allowed = False
            if not allowed:
                return redirect(
                    reverse(
                        "collection:kiosk_answer", kwargs={"org_slug": state["org"]}
                    )
                )
        return self.get_response(request)
