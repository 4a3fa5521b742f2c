"""Pages for commissioner users: their home, their body's contracts (across every
organisation they fund) and each contract's disclosure-controlled report. No
person-level data is reachable from here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from openproms.core.access import commissioner_view
from openproms.reports.contract_views import report_response
from openproms.reports.models import Contract


def body_contracts(body: object) -> object:
    return (
        Contract.objects.filter(commissioner=body)
        # Practice organisations' made-up data reaches no funder (decision 0030).
        .exclude(organisation__is_training=True)
        .select_related("organisation", "commissioner")
        .prefetch_related("services", "requirements")
        .order_by("organisation__name", "name")
    )


@commissioner_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A commissioner's home: what their reports are, and their contracts."""
    body = request.commissioner_body  # type: ignore[attr-defined]
    return render(
        request,
        "reports/commissioner/home.html",
        {"body": body, "contracts": body_contracts(body)},
    )


@commissioner_view
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    body = request.commissioner_body  # type: ignore[attr-defined]
    return render(
        request,
        "reports/commissioner/contract_list.html",
        {"body": body, "contracts": body_contracts(body)},
    )


@commissioner_view
@require_GET
def contract_report(request: HttpRequest, contract_pk: int) -> HttpResponse:
    body = request.commissioner_body  # type: ignore[attr-defined]
    contract = get_object_or_404(body_contracts(body), pk=contract_pk)  # type: ignore[arg-type]
    return report_response(
        request,
        contract,
        back_url=reverse(
            "reports:commissioner_contract_list", kwargs={"body_slug": body.slug}
        ),
        template_base="base.html",
        funder=True,
    )
