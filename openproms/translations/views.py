"""The page an organisation supplies a measure's wording in another language on."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.catalogue.selectors import measure_definition
from openproms.core.access import org_view
from openproms.scoring.translations import TRANSLATION_LANGUAGES, shipped_translation
from openproms.translations import services
from openproms.translations.forms import CSV_COLUMNS, TranslationForm
from openproms.translations.selectors import translations_for


def _initial(document: dict[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": document.get("title", ""),
        "instructions": document.get("instructions", ""),
        "recall_period": document.get("recall_period", ""),
    }
    for item_id, text in (document.get("items") or {}).items():
        initial[f"item__{item_id}"] = text
    for rid, labels in (document.get("options") or {}).items():
        for code, label in labels.items():
            initial[f"option__{rid}__{code}"] = label
    for scale_id, label in (document.get("scales") or {}).items():
        initial[f"scale__{scale_id}"] = label
    return initial


@org_view(Action.MEASURE_MANAGE)
@require_http_methods(["GET", "POST"])
def translation_supply(
    request: HttpRequest, measure_id: str, measure_version: str, language: str
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if language not in TRANSLATION_LANGUAGES:
        raise Http404("No such language.")
    definition = measure_definition(
        organisation=organisation, measure_id=measure_id, version=measure_version
    )
    existing = (
        translations_for(organisation)
        .filter(
            measure_id=definition.id,
            measure_version=definition.version,
            language=language,
        )
        .first()
    )
    shipped = shipped_translation(definition.id, definition.version, language)
    document = existing.wording if existing else (dict(shipped) if shipped else {})
    form = TranslationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        definition=definition,
        initial={
            **_initial(document),
            "licence_reference": existing.licence_reference if existing else "",
        },
    )
    if request.method == "POST" and form.is_valid() and form.translation:
        services.measure_translation_supply(
            organisation=organisation,
            definition=definition,
            language=language,
            wording=form.translation,
            licence_reference=form.cleaned_data["licence_reference"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(
            request,
            f"{definition.short_name} in {TRANSLATION_LANGUAGES[language]} saved. "
            "People who read that language now see it; only your organisation "
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
        "translations/translation_form.html",
        {
            "definition": definition,
            "form": form,
            "language_name": TRANSLATION_LANGUAGES[language],
            "existing": existing,
            "shipped": shipped is not None,
            "csv_columns": ",".join(CSV_COLUMNS),
            "example_item": definition.items[0].id,
            "item_fields": form.typed("item__"),
            "option_fields": form.typed("option__"),
            "scale_fields": form.typed("scale__"),
            "band_fields": form.typed("band__"),
        },
        status=400 if form.errors else 200,
    )
