"""The audit of reads: every response that shows identifiable data leaves one event.

A view says what it showed with :func:`record_viewed` (the view in words, the
people it showed, and for a download ``download=True``); nothing is written
then. :class:`ReadAuditMiddleware` writes what the request showed as ONE event,
in one INSERT, after the response is made and only when it succeeded (2xx): a
refused, failed or redirected request shows nothing and writes nothing.

The event holds who (actor), where (organisation), which view (in words), which
people (their keys only, in :attr:`AuditEvent.people`), when, from where (the
address) and from which session (a keyed hash of the session key, never the key
itself). Never a name, NHS number, reference or date of birth (decision 0013).

The people may be given lazily (a generator over rows the page already holds):
they are read after the template has run, so a list page costs no extra query.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse

from openproms.audit.models import AuditEvent
from openproms.audit.services import client_ip, people_keys

VIEW_ACTION = "records.view"
DOWNLOAD_ACTION = "records.download"
_BUFFER = "_openproms_reads"
# Who looked when no one was signed in: the person, through their own link.
NOT_SIGNED_IN = "Not signed in (the person's own link)"


@dataclass
class _Viewed:
    views: list[str] = field(default_factory=list)
    people: list[Iterable[Any]] = field(default_factory=list)
    obj: models.Model | None = None
    organisation: Any = None
    download: bool = False


def record_viewed(
    request: HttpRequest,
    *,
    view: str,
    people: Iterable[Any] = (),
    obj: models.Model | None = None,
    organisation: Any = None,
    download: bool = False,
) -> None:
    """Note that this response shows ``people`` (keys or ServiceUser rows) on ``view``.

    ``obj`` names a record that is not a person (a scanned page whose person is
    not known yet). ``organisation`` (a row or its key) defaults to the one the
    page belongs to.
    Several calls in one request make one event.
    """
    viewed: _Viewed | None = getattr(request, _BUFFER, None)
    if viewed is None:
        viewed = _Viewed()
        setattr(request, _BUFFER, viewed)
    if view not in viewed.views:
        viewed.views.append(view)
    viewed.people.append(people)
    viewed.obj = viewed.obj or obj
    viewed.organisation = (
        organisation or viewed.organisation or getattr(request, "organisation", None)
    )
    viewed.download = viewed.download or download


def session_hash(request: HttpRequest) -> str:
    """A keyed hash of the session key: links one session's events, reveals nothing."""
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None) if session is not None else None
    if not key:
        return ""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256
    ).hexdigest()
    return digest[:20]


def _key(person: Any) -> int:
    return int(getattr(person, "pk", person))


def read_event(request: HttpRequest, viewed: _Viewed) -> AuditEvent:
    """The event for what one request showed (not yet saved)."""
    keys = sorted({_key(p) for group in viewed.people for p in group})
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    obj = viewed.obj
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    elif len(keys) == 1:
        object_type, object_id = "people.serviceuser", str(keys[0])
    else:
        object_type, object_id = "", ""
    return AuditEvent(
        action=DOWNLOAD_ACTION if viewed.download else VIEW_ACTION,
        actor=actor,
        actor_label=actor.email[:254] if actor is not None else NOT_SIGNED_IN,
        organisation_id=getattr(viewed.organisation, "pk", viewed.organisation),
        object_type=object_type,
        object_id=object_id,
        ip_address=client_ip(request),
        people=people_keys(keys),
        detail={
            "view": ", ".join(viewed.views)[:200],
            "people": len(keys),
            "session": session_hash(request),
        },
    )


class ReadAuditMiddleware:
    """Writes the read event of a successful response: one INSERT per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        viewed: _Viewed | None = getattr(request, _BUFFER, None)
        if viewed is not None and 200 <= response.status_code < 300:
            # An error here is a 500: data is not shown without its audit event.
            AuditEvent.objects.bulk_create([read_event(request, viewed)])
        return response
