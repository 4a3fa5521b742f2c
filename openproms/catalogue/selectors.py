"""The measure definitions an organisation uses, with its own licensed wording applied.

Every feature that shows, prints or scores a measure for an organisation gets the
definition from here, so an organisation's wording reaches its forms and never
another organisation's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from openproms.accounts.models import Organisation
from openproms.catalogue.models import (
    BespokeMeasure,
    MeasureWording,
    OrganisationMeasure,
)
from openproms.scoring import (
    MeasureDefinition,
    MeasureNotFound,
    default_library,
    definition_from_dict,
    definition_with_wording,
    get_measure,
)


def organisation_measures(
    organisation: Organisation, *, active_only: bool = True
) -> QuerySet[OrganisationMeasure]:
    measures = OrganisationMeasure.objects.filter(organisation=organisation)
    return measures.filter(is_active=True) if active_only else measures


def measure_definition(
    *, organisation: Organisation, measure_id: str, version: str | None = None
) -> MeasureDefinition:
    """The definition as this organisation uses it: its bespoke measure, or the library
    measure with the organisation's licensed wording applied when it has supplied some.

    Raises Http404 when neither the library nor the organisation has the measure.
    """
    bespoke = BespokeMeasure.objects.filter(
        organisation=organisation,
        measure_id=measure_id,
        status=BespokeMeasure.Status.PUBLISHED,
    )
    if version is not None:
        bespoke = bespoke.filter(measure_version=version)
    own = bespoke.order_by("-created_at").first()
    if own is not None:
        return definition_from_dict(own.definition)
    try:
        definition = get_measure(measure_id, version)
    except MeasureNotFound:
        raise Http404("No such measure.") from None
    wording = MeasureWording.objects.filter(
        organisation=organisation,
        measure_id=definition.id,
        measure_version=definition.version,
    ).first()
    return _with_wording(definition, wording)


def _with_wording(
    definition: MeasureDefinition, wording: MeasureWording | None
) -> MeasureDefinition:
    if wording is not None and not definition.licence.wording_shipped:
        return definition_with_wording(definition, wording.wording)
    return definition


def measure_definitions(
    *, organisation: Organisation, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], MeasureDefinition | None]:
    """:func:`measure_definition` for many (measure id, version) pairs in two
    queries (a list of answers names a few measures): None for a pair neither
    the library nor the organisation has."""
    wanted = set(keys)
    if not wanted:
        return {}
    ids = {measure_id for measure_id, _ in wanted}
    own = {
        (m.measure_id, m.measure_version): m
        for m in BespokeMeasure.objects.filter(
            organisation=organisation,
            measure_id__in=ids,
            status=BespokeMeasure.Status.PUBLISHED,
        )
    }
    wordings = {
        (w.measure_id, w.measure_version): w
        for w in MeasureWording.objects.filter(
            organisation=organisation, measure_id__in=ids
        )
    }
    found: dict[tuple[str, str], MeasureDefinition | None] = {}
    for key in wanted:
        if key in own:
            found[key] = definition_from_dict(own[key].definition)
            continue
        try:
            definition = get_measure(*key)
        except MeasureNotFound:
            found[key] = None
            continue
        found[key] = _with_wording(
            definition, wordings.get((definition.id, definition.version))
        )
    return found


def organisation_uses_measure(
    *, organisation: Organisation, measure_id: str, version: str | None = None
) -> bool:
    measures = organisation_measures(organisation).filter(measure_id=measure_id)
    if version is not None:
        measures = measures.filter(measure_version=version)
    return measures.exists()


def library_measure(*, measure_id: str, version: str) -> MeasureDefinition:
    """A measure exactly as the library ships it (no organisation's wording)."""
    try:
        return get_measure(measure_id, version)
    except MeasureNotFound:
        raise Http404("No such measure.") from None


def measure_wording_for(
    *, organisation: Organisation, measure_id: str, version: str
) -> MeasureWording | None:
    """The wording this organisation supplied for a measure, if any."""
    return MeasureWording.objects.filter(
        organisation=organisation, measure_id=measure_id, measure_version=version
    ).first()


def measure_catalogue(organisation: Organisation) -> list[dict[str, object]]:
    """Every measure an organisation could use: the library and its own bespoke
    measures, each marked with whether the organisation uses it and whether its
    wording is available to this organisation."""
    in_use = set(
        organisation_measures(organisation).values_list("measure_id", "measure_version")
    )
    supplied = set(
        MeasureWording.objects.filter(organisation=organisation).values_list(
            "measure_id", "measure_version"
        )
    )
    rows: list[dict[str, object]] = []
    for definition in default_library():
        key = (definition.id, definition.version)
        rows.append(
            {
                "definition": definition,
                "bespoke": False,
                "in_use": key in in_use,
                "wording": "shipped"
                if definition.licence.wording_shipped
                else ("supplied" if key in supplied else "missing"),
            }
        )
    published = BespokeMeasure.objects.filter(
        organisation=organisation, status=BespokeMeasure.Status.PUBLISHED
    )
    for own in published.order_by("measure_id", "measure_version"):
        rows.append(
            {
                "definition": definition_from_dict(own.definition),
                "bespoke": True,
                "in_use": (own.measure_id, own.measure_version) in in_use,
                "wording": "shipped",
            }
        )
    return rows


def version_order(version: str) -> tuple[int, int, str]:
    """Newest first when sorted: designed versions are whole numbers; any other
    version (a ladder made elsewhere) sorts after them."""
    return (0, -int(version), "") if version.isdigit() else (1, 0, version)


def own_measures(organisation: Organisation) -> list[dict[str, Any]]:
    """The organisation's own measures, one row per measure: its versions
    (newest first), the newest published one and the draft, if any."""
    rows: dict[str, dict[str, Any]] = {}
    versions = BespokeMeasure.objects.filter(organisation=organisation)
    for own in sorted(versions, key=lambda b: version_order(b.measure_version)):
        row = rows.setdefault(
            own.measure_id,
            {"measure_id": own.measure_id, "versions": [], "draft": None},
        )
        row["versions"].append(own)
        if own.is_draft:
            row["draft"] = own
        row.setdefault("published", None)
        if not own.is_draft and row["published"] is None:
            row["published"] = own
    for row in rows.values():
        row["title"] = row["versions"][0].definition["title"]
    return sorted(rows.values(), key=lambda r: str(r["title"]).lower())


def own_measure_get(
    *, organisation: Organisation, measure_id: str, version: str
) -> BespokeMeasure:
    """One version of the organisation's own measure (404 for anyone else's)."""
    own = BespokeMeasure.objects.filter(
        organisation=organisation, measure_id=measure_id, measure_version=version
    ).first()
    if own is None:
        raise Http404("No such measure.")
    return own


def design_definition(
    *, organisation: Organisation, measure_id: str, version: str
) -> MeasureDefinition:
    """A version of the organisation's own measure, draft or published (for the
    designer's previews: nothing else reads drafts)."""
    own = own_measure_get(
        organisation=organisation, measure_id=measure_id, version=version
    )
    return definition_from_dict(own.definition)


def own_measure_versions(*, organisation: Organisation, measure_id: str) -> list[str]:
    """The published versions of one of the organisation's own measures."""
    return sorted(
        BespokeMeasure.objects.filter(
            organisation=organisation,
            measure_id=measure_id,
            status=BespokeMeasure.Status.PUBLISHED,
        ).values_list("measure_version", flat=True),
        key=version_order,
        reverse=True,
    )
