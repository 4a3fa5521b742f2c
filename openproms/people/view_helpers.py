"""What the people app's pages share: the page size, the posted data, a form's
status code, and the service a page is filtered to."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from openproms.accounts.models import Service

PAGE_SIZE = 25


def posted(request: HttpRequest) -> Any:
    """The posted data, even when empty (so an empty form is checked, not shown)."""
    return request.POST if request.method == "POST" else None


def form_status(form: Any, conflict: bool = False) -> int:
    """409 for a conflict, 400 for a bound form with errors, otherwise 200."""
    if conflict:
        return 409
    return 400 if form.is_bound and form.errors else 200


def service_from_query(request: HttpRequest) -> Service | None:
    """The organisation's service named by ``?service=`` (or a posted
    ``service_id``); None when none is named. A made-up or another
    organisation's service id is a 404, like any record."""
    raw = request.GET.get("service") or request.POST.get("service_id") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such service.")
    try:
        return Service.objects.get(
            organisation=request.organisation,  # type: ignore[attr-defined]
            pk=int(raw),
        )
    except Service.DoesNotExist:
        raise Http404("No such service.") from None
