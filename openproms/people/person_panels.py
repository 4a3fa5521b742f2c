"""Parts of the person page offered by apps above people (reminders: how the
person agreed to be contacted and what was sent). People does not import them:
each app registers a panel when it is ready; a panel is a function of the request
and the person returning ``(template name, context)`` or None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from openproms.people.models import ServiceUser

PersonPanel = Callable[[HttpRequest, ServiceUser], tuple[str, dict[str, Any]] | None]

_PANELS: list[PersonPanel] = []


def register(panel: PersonPanel) -> PersonPanel:
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def person_panels(request: HttpRequest, person: ServiceUser) -> list[dict[str, Any]]:
    """Each registered panel's template and context, for ``{% include %}``."""
    found = []
    for panel in _PANELS:
        part = panel(request, person)
        if part is not None:
            found.append({"template": part[0], "context": part[1]})
    return found
