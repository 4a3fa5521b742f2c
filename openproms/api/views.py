"""The organisation admin's API token page: make, see and revoke tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.api import selectors, services
from openproms.api.forms import ApiTokenForm
from openproms.api.tokens import rate_limit
from openproms.core.access import org_view


@org_view(Action.ORG_MANAGE)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ApiTokenForm(request.POST or None, organisation=organisation)
    made = None
    if request.method == "POST" and form.is_valid():
        made = services.api_token_create(
            organisation=organisation,
            name=form.cleaned_data["name"],
            access=form.cleaned_data["access"],
            services=form.cleaned_data["services"],
            expires_on=form.cleaned_data["expires_on"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        # The secret is in this one response only: never stored, never redirected.
        form = ApiTokenForm(organisation=organisation)
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "made": made,
            "tokens": selectors.api_tokens_for(organisation),
            "rate_limit": rate_limit(),
        },
        status=400 if form.errors else 200,
    )


@org_view(Action.ORG_MANAGE)
@require_http_methods(["GET"])
def token_detail(request: HttpRequest, api_token_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    token = selectors.api_token_get(organisation=organisation, pk=api_token_pk)
    return render(
        request,
        "api/token_detail.html",
        {"token": token, "uses": selectors.api_token_uses(token)},
    )


@org_view(Action.ORG_MANAGE)
@require_POST
def token_revoke(request: HttpRequest, api_token_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    token = selectors.api_token_get(organisation=organisation, pk=api_token_pk)
    services.api_token_revoke(
        token=token,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(request, f"API token “{token.name}” revoked: it no longer works.")
    return redirect("api:token_list", org_slug=organisation.slug)
