"""The gate every API and FHIR request passes: the bearer token, its organisation,
its rate limit, what it may do, and the audit of its use (decision 0023).

A request names its organisation in the URL and carries ``Authorization: Bearer
<secret>``. The gate finds the token by its visible prefix, compares the SHA-256
of the secret, and refuses (401) a missing, unknown, revoked or expired token;
a token of another organisation gets 404, as a page would. It then counts the
request in the token's minute window (429 with ``Retry-After`` past the limit),
names the organisation on the database connection (row-level security, decision
0016) and lets the view run. After the view, one audit event records the use:
the token, the method and path, the answer's status and the people shown.

Sessions and CSRF play no part: the views are CSRF-exempt and never read
``request.user``; a browser's cookies give an API request nothing.
"""

from __future__ import annotations

import functools
import hmac
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from openproms.accounts.models import Membership
from openproms.accounts.policy import Action, role_may
from openproms.api.models import ApiToken
from openproms.api.services import prefix_of, secret_hash
from openproms.audit.services import log_action
from openproms.core.access import Access
from openproms.core.row_security import organisation_set

View = Callable[..., HttpResponse]
ErrorResponse = Callable[[int, str, dict[str, str]], HttpResponse]

USE_ACTION = "api.use"
_PEOPLE = "_openproms_api_people"


def rate_limit() -> int:
    """Requests one token may make in a minute."""
    return int(getattr(settings, "API_RATE_LIMIT_PER_MINUTE", 120))


class Refusal(Exception):
    def __init__(
        self, status: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _unauthorised(message: str) -> Refusal:
    return Refusal(401, message, {"WWW-Authenticate": 'Bearer realm="openproms"'})


def token_find(request: HttpRequest, org_slug: str) -> ApiToken:
    """The request's token, checked (raises :class:`Refusal`)."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorised(
            "Send an API token in the Authorization header: Bearer <token>."
        )
    secret = secret.strip()
    prefix = prefix_of(secret)
    # One query: the token, its organisation and its maker's role (the role
    # the token acts with; None once they are no longer a member).
    token = (
        ApiToken.objects.select_related("organisation")
        .annotate(
            maker_role=Subquery(
                Membership.objects.filter(
                    organisation_id=OuterRef("organisation_id"),
                    user_id=OuterRef("created_by_id"),
                ).values("role")[:1]
            )
        )
        .filter(prefix=prefix)
        .first()
        if prefix
        else None
    )
    if token is None or not hmac.compare_digest(token.secret_hash, secret_hash(secret)):
        raise _unauthorised("This API token is not known.")
    if token.organisation.slug != org_slug:
        raise Refusal(404, "Not found.")
    if token.revoked_at is not None:
        raise _unauthorised("This API token was revoked.")
    if token.is_expired():
        raise _unauthorised(
            f"This API token expired on {token.expires_on.day} {token.expires_on:%B %Y}."
        )
    return token


def _count(token: ApiToken) -> None:
    """Count this request in the token's minute window: one UPDATE that gives
    back the new count, so every worker process shares the count."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ApiToken._meta.db_table} SET"  # noqa: S608 (fixed names)
            " window_count = CASE WHEN window_start = %s"
            " THEN window_count + 1 ELSE 1 END,"
            " window_start = %s, last_used_at = %s"
            " WHERE id = %s RETURNING window_count",
            [adapt(minute), adapt(minute), adapt(now), token.pk],
        )
        count = cursor.fetchone()[0]
    if count > rate_limit():
        wait = max(1, math.ceil(60 - (now - minute).total_seconds()))
        raise Refusal(
            429,
            f"Too many requests: this token may make {rate_limit()} a minute. "
            f"Try again in {wait} seconds.",
            {"Retry-After": str(wait)},
        )


def creator_role(token: ApiToken) -> str | None:
    """The role of the admin who made the token, while they are still a member
    (read with the token by :func:`token_find`)."""
    if token.created_by_id is None:
        return None
    if hasattr(token, "maker_role"):
        return token.maker_role  # type: ignore[no-any-return]
    return (
        Membership.objects.filter(
            organisation_id=token.organisation_id, user_id=token.created_by_id
        )
        .values_list("role", flat=True)
        .first()
    )


def token_may(token: ApiToken, action: Action, role: str | None) -> bool:
    """The same policy as the pages: the token acts with its maker's role, and a
    read-only token takes only the ``*.view`` actions."""
    if not token.may_write and not action.value.endswith(".view"):
        return False
    return role is not None and role_may(role, action)


def require(request: HttpRequest, action: Action) -> None:
    """Raise a 403 :class:`Refusal` unless the request's token may take ``action``."""
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    if not token_may(token, action, request.api_role):  # type: ignore[attr-defined]
        if not token.may_write and not action.value.endswith(".view"):
            raise Refusal(403, "This API token may only read.")
        raise Refusal(
            403,
            "The role of the admin who made this API token does not allow this.",
        )


def shown(request: HttpRequest, people: Iterable[Any]) -> None:
    """Note the people (keys or rows) this answer shows, for the audit of its use."""
    keys: list[int] = getattr(request, _PEOPLE, [])
    keys.extend(int(getattr(p, "pk", p)) for p in people)
    setattr(request, _PEOPLE, keys)


def use_record(request: HttpRequest, token: ApiToken, status: int) -> None:
    """The audit event of one use of a token."""
    people = sorted(set(getattr(request, _PEOPLE, [])))
    log_action(
        action=USE_ACTION,
        organisation=token.organisation,
        obj=token,
        request=request,
        actor_label=str(token),
        detail={
            "method": request.method,
            "path": request.path[:200],
            "status": status,
            "people": len(people),
        },
        people=people,
    )


def token_view(error: ErrorResponse) -> Callable[[View], View]:
    """Wrap a view (a plain one, or django-ninja's) in the gate; ``error`` makes
    the refusal in the API's own format (JSON, or an OperationOutcome)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, org_slug: str, **kwargs: Any
        ) -> HttpResponse:
            try:
                token = token_find(request, org_slug)
            except Refusal as refusal:
                return error(refusal.status, refusal.message, refusal.headers)
            request.api_token = token  # type: ignore[attr-defined]
            request.organisation = token.organisation  # type: ignore[attr-defined]
            # The database's own wall, as org_view names it for a page.
            organisation_set(token.organisation_id)
            try:
                _count(token)
                request.api_role = creator_role(token)  # type: ignore[attr-defined]
                if request.api_role is None:  # type: ignore[attr-defined]
                    raise Refusal(
                        403,
                        "The admin who made this API token is no longer a member; "
                        "make a new token.",
                    )
                response = view(request, *args, **kwargs)
            except Refusal as refusal:
                response = error(refusal.status, refusal.message, refusal.headers)
            use_record(request, token, response.status_code)
            return response

        wrapped.openproms_access = Access("token")  # type: ignore[attr-defined]
        return csrf_exempt(wrapped)

    return decorate
