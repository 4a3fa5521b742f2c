"""The answering screen of a measure the organisation is designing: the same form
and templates the answering pages use, from the draft (or any version) of its own
measure, with nothing to save (decision 0026)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openproms.accounts.policy import Action
from openproms.catalogue.design_document import NOT_TESTED
from openproms.catalogue.selectors import design_definition, own_measure_get
from openproms.collection.answer_forms import MeasureAnswerForm
from openproms.collection.answer_pages import template
from openproms.core.access import org_view


@org_view(Action.MEASURE_MANAGE)
def answer_preview(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    own = own_measure_get(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    definition = design_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    form = MeasureAnswerForm(definition=definition)
    return render(
        request,
        template("preview"),
        {
            "own": own,
            "definition": definition,
            "form": form,
            "items": form.item_views(),
            "not_tested": NOT_TESTED,
        },
    )
