"""Writing audit events. Every service that touches personal data, logins,
permissions or exports calls :func:`log_action`."""

from __future__ import annotations

from collections.abc import Iterable
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


def people_keys(keys: Iterable[int]) -> str | None:
    """People's keys as stored on an event: ``|12|45|`` (None for no one)."""
    ordered = sorted({int(key) for key in keys})
    if not ordered:
        return None
    return "|" + "|".join(str(key) for key in ordered) + "|"


def person_marker(person_pk: int) -> str:
    """What an event about this person holds in ``people`` (for a LIKE)."""
    return f"|{int(person_pk)}|"


def _people_of(obj: models.Model | None) -> list[int]:
    """The person a record is about: the person, or the one it names.

    Duck-typed (the audit floor imports no app above it): a service user is
    itself; a record with ``service_user_id`` (episode, consent, answers, time
    point, printed form, link) names one, and a record whose episode is
    already loaded (time point, contact) names the episode's person.
    """
    if obj is None:
        return []
    if obj._meta.label_lower == "people.serviceuser":
        return [int(obj.pk)]
    person = getattr(obj, "service_user_id", None)
    if person is None:
        # A time point or contact names its episode; read it only if loaded.
        episode = obj._state.fields_cache.get("episode")
        person = getattr(episode, "service_user_id", None)
    return [int(person)] if person is not None else []


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
    people: Iterable[int] | None = None,
) -> AuditEvent:
    """Append one audit event.

    ``action`` is a dotted code such as ``service.create`` or ``auth.login_failed``.
    ``detail`` holds what changed (never answers to questionnaires or secrets,
    and never a person's name, NHS number, date of birth, reference or free
    text: audit events are append-only, so erasing a person must find nothing
    of theirs here). The record is stored as its type and key, with the text
    of :func:`record_text`, or ``object_repr`` when given.
    ``people`` are the keys of the people the event is about; by default the
    person ``obj`` is or names, so "every event about this person" finds it.
    """
    event = _event(
        action=action,
        actor=actor,
        organisation=organisation,
        obj=obj,
        request=request,
        detail=detail,
        actor_label=actor_label,
        object_repr=object_repr,
        people=people,
    )
    event.save(force_insert=True)
    return event


def log_actions(events: Iterable[dict[str, Any]]) -> int:
    """Append many events at once (an import of many records): each dict holds
    :func:`log_action`'s keyword arguments. Returns how many were written."""
    built = [_event(**kwargs) for kwargs in events]
    AuditEvent.objects.bulk_create(built, batch_size=2000)
    return len(built)


def _event(
    *,
    action: str,
    actor: User | None = None,
    organisation: Organisation | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
    object_repr: str | None = None,
    people: Iterable[int] | None = None,
) -> AuditEvent:
    label = actor_label
    if label is None:
        label = actor.email if actor is not None else ""
    return AuditEvent(
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
        people=people_keys(_people_of(obj) if people is None else people),
    )
