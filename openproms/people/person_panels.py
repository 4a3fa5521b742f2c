"""Parts of a person's page offered by the apps above people (the home page's
pattern, core/home_panels.py: imported scores, reminders): each app registers a panel when it is ready, and
the person page asks every panel for its part. A panel is a function of the
request and the person returning a template and its context, or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from openproms.people.models import ServiceUser

PersonPanel = Callable[[HttpRequest, ServiceUser], dict[str, Any] | None]

_PANELS: list[tuple[int, PersonPanel]] = []


def register(panel: PersonPanel, *, order: int) -> PersonPanel:
    """Add ``panel`` to the person page (once, however often the app is made ready)."""
    if all(existing is not panel for _, existing in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda entry: entry[0])
    return panel


def person_panels(request: HttpRequest, person: ServiceUser) -> list[dict[str, Any]]:
    """Each registered panel's part, in order: ``{"template": ..., **context}``."""
    parts = []
    for _, panel in _PANELS:
        part = panel(request, person)
        if part:
            parts.append(part)
    return parts
