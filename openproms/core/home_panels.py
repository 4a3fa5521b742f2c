"""Panels on an organisation's home page, offered by the apps that own them.

The home page belongs to core, the floor every app stands on, but what it shows
(open alerts, the work due, a caseload) belongs to apps above it. So core does not
import them: each app registers a panel here when it is ready (its AppConfig), and
the home page asks every registered panel for its part of the page. A panel is a
function of the request (its organisation and membership resolved by ``org_view``)
returning context for ``core/org_home.html``; panels run in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

HomePanel = Callable[[HttpRequest], dict[str, Any]]

_PANELS: list[tuple[int, HomePanel]] = []


def register(panel: HomePanel, *, order: int) -> HomePanel:
    """Add ``panel`` to the home page (once, however often the app is made ready)."""
    if all(existing is not panel for _, existing in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda entry: entry[0])
    return panel


def home_panels_context(request: HttpRequest) -> dict[str, Any]:
    """What every registered panel adds to the home page for this request."""
    context: dict[str, Any] = {}
    for _, panel in _PANELS:
        context.update(panel(request))
    return context
