"""The chooser's pages: the start page of choosing and trying measures, and the
side-by-side comparison of suitable library measures."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from openproms.accounts.models import Organisation
from openproms.accounts.policy import Action
from openproms.catalogue.selectors import measure_catalogue
from openproms.choosing import chooser_data, forms, selectors
from openproms.collection.models import PlanRule
from openproms.core.access import org_view


def _own_answer_measures(organisation: Organisation) -> list[dict[str, object]]:
    """The measures whose figures on the organisation's own answers it may look
    at: those it uses, and every published version of its own measures (which
    need those figures most: nobody else has tested them)."""
    return [
        row
        for row in measure_catalogue(organisation)
        if row["in_use"] or row["bespoke"]
    ]


@org_view(Action.MEASURE_VIEW)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "choosing/home.html",
        {
            "form": forms.ChooserForm(organisation=organisation),
            "measures": _own_answer_measures(organisation),
            "trials": selectors.trials_for_organisation(organisation),
        },
    )


@org_view(Action.MEASURE_VIEW)
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if not request.GET:  # the form's address with nothing chosen: the form again
        return redirect("choosing:home", org_slug=organisation.slug)
    form = forms.ChooserForm(request.GET, organisation=organisation)
    if not form.is_valid():
        return render(
            request,
            "choosing/home.html",
            {
                "form": form,
                "measures": _own_answer_measures(organisation),
                "trials": selectors.trials_for_organisation(organisation),
            },
            status=400,
        )
    purposes = form.cleaned_data["purposes"]
    populations = form.cleaned_data["populations"]
    service = form.cleaned_data["service"]
    occasions = None
    if service is not None:
        rules = list(
            PlanRule.objects.filter(
                plan__service=service,
                plan__organisation=organisation,
                plan__is_active=True,
            )
        )
        occasions = chooser_data.occasions_per_year(rules)
    columns = chooser_data.compare(
        chooser_data.suitable(purposes, populations),
        purposes=purposes,
        populations=populations,
        occasions=occasions,
    )
    return render(
        request,
        "choosing/compare.html",
        {
            "columns": columns,
            "asked": [chooser_data.LABELS[k] for k in purposes + populations],
            "service": service,
            "occasions": occasions,
            "seconds": chooser_data.SECONDS_PER_QUESTION,
            "not_shipped": chooser_data.NOT_SHIPPED,
        },
    )
