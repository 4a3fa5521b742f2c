"""Writing audit events. Every service that touches personal data, logins,
permissions or exports calls :func:`log_action`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from openproms.audit.models import AuditEvent

if TYPE_CHECKING:
    from openproms.accounts.models import Organisation, User


def client_ip(request: HttpRequest | None) -> str | None:
    """The address a request came from, as resolved by django-axes (proxy-aware)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    address = get_client_ip_address(request)
    return address or None


def log_action(
    *,
    action: str,
    actor: User | None = None,
    organisation: Organisation | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one audit event.

    ``action`` is a dotted code such as ``service.create`` or ``auth.login_failed``.
    ``detail`` holds what changed (never answers to questionnaires or secrets).
    ``object_repr`` replaces the record's own text (``str(obj)``), for a record
    whose text would name a person: pass ``""`` to keep its type and key only.
    """
    label = actor_label
    if label is None:
        label = actor.email if actor is not None else ""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=label[:254],
        organisation=organisation,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(
            object_repr[:200]
            if object_repr is not None
            else (str(obj)[:200] if obj is not None else "")
        ),
        ip_address=client_ip(request),
        detail=detail or {},
    )
