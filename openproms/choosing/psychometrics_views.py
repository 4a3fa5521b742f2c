"""The psychometrics page of a measure: its figures on the organisation's own
answers, and recording a bespoke measure as tested for reliability."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openproms.accounts.policy import Action
from openproms.catalogue import selectors as catalogue_selectors
from openproms.catalogue.models import BespokeMeasure
from openproms.choosing import own_data, selectors, services
from openproms.core.access import org_view
from openproms.scoring import display_title


def _figures(request: HttpRequest, measure_id: str, measure_version: str):  # type: ignore[no-untyped-def]
    organisation = request.organisation  # type: ignore[attr-defined]
    definition = catalogue_selectors.measure_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    figures = own_data.measure_figures(
        definition=definition,
        administrations=selectors.measure_administrations(
            organisation, definition.id, definition.version
        ),
    )
    return organisation, definition, figures


def _own(organisation: object, measure_id: str, version: str) -> bool:
    """Whether the measure is the organisation's own (bespoke) measure."""
    return BespokeMeasure.objects.filter(
        organisation=organisation, measure_id=measure_id, measure_version=version
    ).exists()


@org_view(Action.REPORT_VIEW)
@require_GET
def measure_psychometrics(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation, definition, figures = _figures(request, measure_id, measure_version)
    ok, reasons = own_data.adequate(figures)
    return render(
        request,
        "choosing/psychometrics.html",
        {
            "definition": definition,
            "title": display_title(definition),
            "bespoke": _own(organisation, definition.id, definition.version),
            "figures": figures,
            "adequate": ok,
            "reasons": reasons,
            "status": selectors.reliability_status(
                organisation, definition.id, definition.version
            ),
            "rule": {
                "n": own_data.ADEQUATE_N,
                "alpha": own_data.ADEQUATE_ALPHA,
                "low": own_data.ADEQUATE_ALPHA_LOW,
            },
            "window": own_data.RETEST_WINDOW,
        },
    )


@org_view(Action.MEASURE_MANAGE)
@require_POST
def reliability_record(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation, definition, figures = _figures(request, measure_id, measure_version)
    page = redirect(
        "choosing:measure_psychometrics",
        org_slug=organisation.slug,
        measure_id=definition.id,
        measure_version=definition.version,
    )
    if not _own(organisation, definition.id, definition.version):
        messages.error(
            request,
            f"{definition.short_name} is a published measure: its reliability comes "
            "from its published figures, so nothing is recorded.",
        )
        return page
    try:
        services.reliability_record(
            organisation=organisation,
            definition=definition,
            figures=figures,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except services.NotAdequate as problem:
        messages.error(request, f"Not recorded: {problem}")
        return page
    messages.success(
        request,
        f"{definition.short_name} is now shown as tested on your own data.",
    )
    return page
