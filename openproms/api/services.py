"""Making and revoking API tokens (writes: keyword-only, in a transaction, audited)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.api.models import ApiToken
from openproms.audit.services import log_action

# What every secret starts with, so a leaked one is recognisable in a scan.
SECRET_START = "opk-"  # noqa: S105 (a marker, not a password)
PREFIX_LENGTH = 8


def secret_hash(secret: str) -> str:
    """What is kept of a secret: its SHA-256. The secret has 256 bits of
    randomness, so a fast unsalted hash is enough (nothing to guess)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def prefix_of(secret: str) -> str | None:
    """The visible prefix a secret carries (``opk-<prefix>-<random>``)."""
    if not secret.startswith(SECRET_START):
        return None
    prefix, _, rest = secret[len(SECRET_START) :].partition("-")
    if len(prefix) != PREFIX_LENGTH or not rest:
        return None
    return prefix


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    secret: str  # shown once, never stored


@transaction.atomic
def api_token_create(
    *,
    organisation: Organisation,
    name: str,
    access: str,
    services: Iterable[Service],
    expires_on: dt.date,
    actor: User,
    request: HttpRequest | None = None,
) -> MadeToken:
    """A new token; its secret is returned once and only its hash is kept."""
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"{SECRET_START}{prefix}-{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=secret_hash(secret),
        access=access,
        expires_on=expires_on,
        created_by=actor,
    )
    chosen = list(services)
    token.services.set(chosen)
    log_action(
        action="api_token.create",
        actor=actor,
        organisation=organisation,
        obj=token,
        request=request,
        detail={
            "access": access,
            "services": sorted(s.pk for s in chosen),
            "expires_on": expires_on.isoformat(),
        },
    )
    return MadeToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, actor: User, request: HttpRequest | None = None
) -> ApiToken:
    """Stop a token working from now on (already revoked: nothing changes)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
        log_action(
            action="api_token.revoke",
            actor=actor,
            organisation=token.organisation,
            obj=token,
            request=request,
        )
    return token
