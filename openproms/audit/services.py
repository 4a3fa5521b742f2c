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


def record_text(obj: models.Model) -> str:
    """The text an event keeps about its record. A model whose text would name a
    person (a service user, an uploaded file's name) says what it keeps with an
    ``audit_text()`` method (usually nothing: its type and key are enough);
    other records keep their text, which names no one."""
    audit_text = getattr(obj, "audit_text", None)
    if callable(audit_text):
        return str(audit_text())
    return str(obj)


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
    ``detail`` holds what changed (never answers to questionnaires or secrets,
    and never a person's name, NHS number, date of birth, reference or free
    text: audit events are append-only, so erasing a person must find nothing
    of theirs here). The record is stored as its type and key, with the text
    of :func:`record_text`, or ``object_repr`` when given.
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
            else (record_text(obj)[:200] if obj is not None else "")
        ),
        ip_address=client_ip(request),
        detail=detail or {},
    )
