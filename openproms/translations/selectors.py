"""A measure's definition in the language a person reads it in.

Every page, printed form and progress sheet a person reads gets its definition from
here: the organisation's definition (catalogue.selectors.measure_definition, its
licensed English wording applied), then the words in the person's language from the
organisation's own translation, else the one openproms ships, else English.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openproms.accounts.models import Organisation
from openproms.catalogue.selectors import measure_definition
from openproms.scoring import MeasureDefinition
from openproms.scoring.translations import (
    TRANSLATION_LANGUAGES,
    definition_translated,
    shipped_translation,
)
from openproms.translations.activation import HasLanguage, person_language
from openproms.translations.models import MeasureTranslation


def translations_for(organisation: Organisation) -> QuerySet[MeasureTranslation]:
    return MeasureTranslation.objects.filter(organisation=organisation)


def translation_wording(
    *, organisation: Organisation, definition: MeasureDefinition, language: str
) -> dict[str, Any] | None:
    """The wording in ``language``: the organisation's own, else the shipped one."""
    supplied = (
        translations_for(organisation)
        .filter(
            measure_id=definition.id,
            measure_version=definition.version,
            language=language,
        )
        .first()
    )
    if supplied is not None:
        return dict(supplied.wording)
    shipped = shipped_translation(definition.id, definition.version, language)
    return dict(shipped) if shipped is not None else None


def definition_in_language(
    *, organisation: Organisation, definition: MeasureDefinition, language: str
) -> MeasureDefinition:
    """``definition`` (as the organisation uses it) with its words in ``language``
    when a translation exists, else unchanged (English)."""
    if language not in TRANSLATION_LANGUAGES:
        return definition
    wording = translation_wording(
        organisation=organisation, definition=definition, language=language
    )
    if wording is None:
        return definition
    return definition_translated(definition, wording, language=language)


def measure_definition_in(
    *,
    organisation: Organisation,
    measure_id: str,
    version: str | None,
    language: str,
) -> MeasureDefinition:
    """The definition with its words in ``language`` when a translation exists;
    otherwise in English (``definition.language`` says which)."""
    definition = measure_definition(
        organisation=organisation, measure_id=measure_id, version=version
    )
    return definition_in_language(
        organisation=organisation, definition=definition, language=language
    )


def measure_definition_for(
    *,
    organisation: Organisation,
    person: HasLanguage | None,
    measure_id: str,
    version: str | None,
) -> MeasureDefinition:
    """The definition in the person's preferred language (where one exists)."""
    return measure_definition_in(
        organisation=organisation,
        measure_id=measure_id,
        version=version,
        language=person_language(person),
    )
