"""A service's collection settings (results shown to the person, double entry)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts import selectors as account_selectors
from openproms.accounts.policy import Action
from openproms.collection import answer_selectors as reads
from openproms.collection import answer_services as svc
from openproms.collection.answer_forms import CollectionSettingsForm
from openproms.collection.answer_pages import (
    posted_data,
    template,
)
from openproms.core.access import org_view


@org_view(Action.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def collection_settings(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = account_selectors.service_get(organisation=organisation, pk=service_pk)
    current = reads.settings_for(service)
    assert current is not None
    form = CollectionSettingsForm(
        posted_data(request),
        initial={
            "show_results": current.show_results,
            "double_entry": current.double_entry,
        },
    )
    if request.method == "POST" and form.is_valid():
        svc.collection_settings_update(
            service=service,
            show_results=form.cleaned_data["show_results"],
            double_entry=form.cleaned_data["double_entry"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Collection settings for {service.name} saved.")
        return redirect("accounts:service_list", org_slug=organisation.slug)
    return render(
        request,
        template("settings"),
        {"service": service, "form": form},
        status=400 if form.errors else 200,
    )
