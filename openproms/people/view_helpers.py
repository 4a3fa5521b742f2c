"""What the people app's pages share: the page size, the posted data and a form's
status code."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

PAGE_SIZE = 25


def posted(request: HttpRequest) -> Any:
    """The posted data, even when empty (so an empty form is checked, not shown)."""
    return request.POST if request.method == "POST" else None


def form_status(form: Any, conflict: bool = False) -> int:
    """409 for a conflict, 400 for a bound form with errors, otherwise 200."""
    if conflict:
        return 409
    return 400 if form.is_bound and form.errors else 200
