"""Observation: one scale score of one response.

``code`` is the scale's LOINC and SNOMED CT codes from the definition, followed by
its own code in the measure's scale code system; ``valueQuantity`` the score with
the scale's unit (UCUM ``{score}``, or ``%``); a profile (EQ-5D-5L ``21143``) is
a ``valueString``; ``effectiveDateTime`` when it was answered; ``derivedFrom`` the
QuestionnaireResponse; ``interpretation`` the band (its number from 0 in the
scale's band code system, and its label). A scale with no score (too many items
unanswered) has ``dataAbsentReason`` ``unknown`` and says why in ``note``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openproms.fhir import uris
from openproms.fhir.questionnaire import coding
from openproms.fhir.response_out import fhir_datetime
from openproms.scoring.definitions import MeasureDefinition, Scale
from openproms.scoring.engine import ScaleScore


def scale_code(defn: MeasureDefinition, scale: Scale) -> dict[str, Any]:
    """The scale as a CodeableConcept: its published codes, then our own."""
    codings = [coding(c) for c in scale.codes]
    codings.append(
        {
            "system": uris.scale_system(defn.id),
            "code": scale.id,
            "display": f"{defn.short_name}: {scale.label}"
            if not scale.label.startswith(defn.short_name)
            else scale.label,
        }
    )
    return {"coding": codings, "text": codings[-1]["display"]}


def _quantity(scale: Scale, value: float) -> dict[str, Any]:
    number: float | int = value
    if (scale.decimals in (None, 0)) and float(value).is_integer():
        number = int(value)
    unit = scale.unit or "score"
    code = "%" if unit == "%" else "{score}"
    return {"value": number, "unit": unit, "system": uris.UCUM, "code": code}


def observation(
    defn: MeasureDefinition,
    result: ScaleScore,
    *,
    resource_id: str,
    subject: str,
    response: str,
    effective: dt.datetime,
    status: str = "final",
) -> dict[str, Any]:
    """The Observation for one scale result (see the module docstring).

    ``subject`` and ``response`` are references to the Patient and the
    QuestionnaireResponse. ``status`` is ``amended`` for answers corrected after
    they were first given.
    """
    scale = defn.scale(result.scale_id)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": status,
        "category": [
            {
                "coding": [
                    {
                        "system": uris.OBSERVATION_CATEGORY,
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": scale_code(defn, scale),
        "subject": {"reference": subject},
        "effectiveDateTime": fhir_datetime(effective),
    }
    notes: list[str] = []
    if result.value is None:
        resource["dataAbsentReason"] = {
            "coding": [{"system": uris.DATA_ABSENT_REASON, "code": "unknown"}],
            "text": "No score",
        }
        notes.append(f"No score: {result.reason}.")
    elif scale.method == "profile":
        resource["valueString"] = str(int(result.value))
    else:
        resource["valueQuantity"] = _quantity(scale, result.value)
    if result.band is not None and result.band_index is not None:
        resource["interpretation"] = [
            {
                "coding": [
                    {
                        "system": uris.band_system(defn.id, scale.id),
                        "code": str(result.band_index),
                        "display": result.band,
                    }
                ],
                "text": result.band,
            }
        ]
        if result.band_verified is False:
            notes.append(
                "The band comes from a source openproms has not verified "
                f"({scale.bands.source.citation if scale.bands else 'unknown'})."
            )
    if result.prorated:
        missing = len(result.items_missing)
        notes.append(
            f"Prorated: {missing} question{'s' if missing != 1 else ''} not answered, "
            "as the measure's rules allow."
        )
    resource["derivedFrom"] = [{"reference": response}]
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    return resource
