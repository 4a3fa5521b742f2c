"""The addresses FHIR resources use: our own canonical URLs and code systems, and
the standard systems and extensions we read and write.

Our own addresses live under ``https://openproms.org/fhir``: a measure's
Questionnaire is ``BASE/Questionnaire/<measure id>`` (with ``version`` beside it),
its answer codes are ``BASE/CodeSystem/<measure id>/<response set id>``, a scale's
own code (when the definition has no LOINC or SNOMED code for it) is in
``BASE/CodeSystem/<measure id>/scales`` and its bands in
``BASE/CodeSystem/<measure id>/<scale id>/bands``.
"""

from __future__ import annotations

import re

BASE = "https://openproms.org/fhir"
QUESTIONNAIRE_BASE = f"{BASE}/Questionnaire/"

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
ITEM_CONTROL = "http://hl7.org/fhir/questionnaire-item-control"

# An answer's number for scoring: ordinalValue in R4, itemWeight from R5 on (its
# extension is usable in R4 too); we write both and read either.
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ITEM_WEIGHT = "http://hl7.org/fhir/StructureDefinition/itemWeight"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ITEM_CONTROL_EXTENSION = (
    "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
)

SYSTEMS = {"loinc": LOINC, "snomed_ct": SNOMED}

_NOT_ID = re.compile(r"[^A-Za-z0-9\-.]")


def questionnaire_url(measure_id: str) -> str:
    """The canonical URL of a measure's Questionnaire (its version goes beside it)."""
    return f"{QUESTIONNAIRE_BASE}{measure_id}"


def answer_system(measure_id: str, response_set_id: str) -> str:
    """The code system of one response set's answers."""
    return f"{BASE}/CodeSystem/{measure_id}/{response_set_id}"


def scale_system(measure_id: str) -> str:
    """The code system of a measure's scales (used when a scale has no LOINC or
    SNOMED CT code)."""
    return f"{BASE}/CodeSystem/{measure_id}/scales"


def band_system(measure_id: str, scale_id: str) -> str:
    """The code system of one scale's bands (code: the band's number from 0)."""
    return f"{BASE}/CodeSystem/{measure_id}/{scale_id}/bands"


def submission_system(organisation: str) -> str:
    """The identifier system of the answers one organisation stored (its value is
    the submission id, unique within the organisation)."""
    return f"{BASE}/sid/submission/{organisation}"


def person_system(organisation: str) -> str:
    """The identifier system of an organisation's own references for people."""
    return f"{BASE}/sid/person/{organisation}"


def fhir_id(*parts: str) -> str:
    """A FHIR resource id (``[A-Za-z0-9-.]{1,64}``) from our ids, joined by dots;
    underscores (and anything else outside the pattern) become hyphens."""
    joined = ".".join(_NOT_ID.sub("-", p) for p in parts)
    if not joined or len(joined) > 64:
        raise ValueError(f"{joined!r} cannot be a FHIR id (1 to 64 characters)")
    return joined
