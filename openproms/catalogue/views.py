"""Pages for the organisation's measures: the library, one measure, wording."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.catalogue import descriptions, selectors, services
from openproms.catalogue.forms import CSV_COLUMNS, MeasureUseForm, WordingForm
from openproms.core.access import org_view
from openproms.scoring import MeasureDefinition, display_title


def _data(request: HttpRequest) -> Any:
    """The posted data, even when empty (so an empty form is checked, not shown)."""
    return request.POST if request.method == "POST" else None


@org_view(Action.MEASURE_VIEW)
def measure_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    rows = selectors.measure_catalogue(organisation)
    return render(
        request,
        "catalogue/measure_list.html",
        {
            "in_use": [row for row in rows if row["in_use"]],
            "others": [row for row in rows if not row["in_use"]],
        },
    )


def _item_rows(definition: MeasureDefinition) -> list[dict[str, Any]]:
    rows = []
    for item in definition.items:
        name = descriptions.question_name(definition, item)
        response_set = item.response_set
        if response_set.is_range:
            options = [
                {"code": response_set.min, "label": response_set.min_label},
                {"code": response_set.max, "label": response_set.max_label},
            ]
        else:
            options = [{"code": o.code, "label": o.label} for o in response_set.options]
        rows.append(
            {"item": item, "name": name, "options": options, "range": response_set}
        )
    return rows


def _scale_rows(definition: MeasureDefinition) -> list[dict[str, Any]]:
    return [
        {
            "scale": scale,
            "method": descriptions.method_words(definition, scale),
            "between_bands": descriptions.between_bands(scale),
            **descriptions.measurement_error(scale),
        }
        for scale in definition.scales
    ]


@org_view(Action.MEASURE_VIEW)
def measure_detail(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    definition = selectors.measure_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    return render(
        request,
        "catalogue/measure_detail.html",
        {
            "definition": definition,
            "title": display_title(definition),
            "items": _item_rows(definition),
            "scales": _scale_rows(definition),
            "wording_missing": descriptions.missing_wording(definition),
            "why_for_person": descriptions.why_for_person(definition, organisation),
            "in_use": selectors.organisation_uses_measure(
                organisation=organisation,
                measure_id=definition.id,
                version=definition.version,
            ),
            "supplied": selectors.measure_wording_for(
                organisation=organisation,
                measure_id=definition.id,
                version=definition.version,
            )
            if definition.wording_supplied
            else None,
        },
    )


@org_view(Action.MEASURE_MANAGE)
@require_POST
def measure_use(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    definition = selectors.measure_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    form = MeasureUseForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "catalogue/measure_use_error.html",
            {"form": form, "definition": definition},
            status=400,
        )
    use = form.cleaned_data["use"]
    services.organisation_measure_set_use(
        organisation=organisation,
        definition=definition,
        use=use,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    messages.success(
        request,
        f"Your organisation {'now uses' if use else 'no longer uses'} "
        f"{definition.short_name}.",
    )
    return redirect(
        "catalogue:measure_detail",
        org_slug=organisation.slug,
        measure_id=definition.id,
        measure_version=definition.version,
    )


@org_view(Action.WORDING_MANAGE)
@require_http_methods(["GET", "POST"])
def wording_supply(
    request: HttpRequest, measure_id: str, measure_version: str
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    current = selectors.measure_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    if current.kind == "bespoke" or current.licence.wording_shipped:
        return render(
            request, "catalogue/wording_not_needed.html", {"definition": current}
        )
    definition = selectors.library_measure(
        measure_id=measure_id, version=measure_version
    )
    existing = selectors.measure_wording_for(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    initial: dict[str, Any] = {}
    if existing is not None:
        initial["licence_reference"] = existing.licence_reference
        initial["instructions"] = existing.wording.get("instructions", "")
        for item_id, text in existing.wording.get("items", {}).items():
            initial[f"item__{item_id}"] = text
        for response_set, labels in existing.wording.get("options", {}).items():
            for code, label in labels.items():
                initial[f"option__{response_set}__{code}"] = label
    form = WordingForm(
        _data(request),
        request.FILES if request.method == "POST" else None,
        definition=definition,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and form.wording is not None:
        services.measure_wording_supply(
            organisation=organisation,
            definition=definition,
            wording=form.wording,
            licence_reference=form.cleaned_data["licence_reference"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"Wording for {definition.short_name} saved. Only your organisation "
            "can see it.",
        )
        return redirect(
            "catalogue:measure_detail",
            org_slug=organisation.slug,
            measure_id=definition.id,
            measure_version=definition.version,
        )
    return render(
        request,
        "catalogue/wording_form.html",
        {
            "form": form,
            "definition": definition,
            "existing": existing,
            "csv_columns": ",".join(CSV_COLUMNS),
            "example_item": definition.items[0].id,
            "example_set": next(iter(definition.response_sets.values())),
        },
        status=400 if form.errors else 200,
    )
