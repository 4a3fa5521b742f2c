"""The audit log page for organisation admins."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openproms.accounts.policy import Action
from openproms.audit.forms import AuditFilterForm
from openproms.audit.people import person_key
from openproms.audit.selectors import audit_events_for_organisation
from openproms.core.access import org_view

PAGE_SIZE = 50


@org_view(Action.AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    person_pk = None
    unknown_person = False
    reference = filters.get("person", "").strip()
    if reference:
        person_pk = person_key(organisation, reference)
        if person_pk is None:
            form.add_error(
                "person", f"No one in {organisation.name} has the reference {reference}"
            )
            unknown_person = True
    events = audit_events_for_organisation(
        organisation,
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        person_pk=person_pk,
    )
    if unknown_person:
        # Never every event, read as if it were theirs.
        events = events.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "reference": reference if person_pk is not None else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )
