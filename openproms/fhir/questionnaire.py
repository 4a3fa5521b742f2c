"""A measure definition as a FHIR R4 Questionnaire.

Derived from the one definition (docs/fhir.md, "Questionnaire"):

* one question per item, ``linkId`` = the item id, ``prefix`` = its number, the
  item's LOINC and SNOMED CT codes in ``code``; the measure's codes on the
  Questionnaire;
* coded answers as ``answerOption.valueCoding`` in the measure's own code system
  (code = the stored answer code), each carrying that code as ``ordinalValue``
  (R4) and ``itemWeight`` (R5, usable in R4): the number the scoring rules start
  from, before any scale reverses or recodes it;
* a range of whole numbers (0 to 10, EQ VAS) as an ``integer`` question with
  ``minValue`` and ``maxValue``, its end labels as child display items with the
  SDC item controls ``lower`` and ``upper``;
* instructions and preambles as display items;
* ``copyright`` from the licence. Wording appears only when the definition has it:
  shipped with openproms, or supplied by the organisation under its own licence
  (and then marked as such). Without it, questions keep their structure, codes,
  numbers and answer codes and have no ``text`` (0..1 in R4) and no answer
  ``display``.

The definition has no conditional questions (no ``enableWhen`` to derive).
"""

from __future__ import annotations

import re
from typing import Any

from openproms.fhir import uris
from openproms.scoring.definitions import Code, Item, MeasureDefinition, ResponseSet

INSTRUCTIONS_LINK_ID = "instructions"
PREAMBLE_SUFFIX = ".preamble"


def coding(code: Code) -> dict[str, str]:
    """A definition's LOINC or SNOMED CT code as a FHIR Coding."""
    return {
        "system": uris.SYSTEMS[code.system],
        "code": code.code,
        "display": code.display,
    }


def computable_name(defn: MeasureDefinition) -> str:
    """``Questionnaire.name``: letters and digits starting with a capital
    (``PHQ-9`` -> ``PHQ9``, ``Life ladder`` -> ``LifeLadder``)."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", defn.short_name) if p]
    name = "".join(p[0].upper() + p[1:] for p in parts)
    return name if name[:1].isalpha() else f"M{name}"


def copyright_text(defn: MeasureDefinition) -> str:
    """The licence in words: holder or attribution, terms, and what the wording is."""
    lic = defn.licence
    text = [
        lic.attribution or f"Copyright {lic.holder}.",
        f"Terms: {lic.terms_summary}",
    ]
    if defn.wording_supplied:
        text.append(
            "The question and answer wording was supplied by the organisation that "
            f"exported this Questionnaire, under its own licence from {lic.holder}; "
            "it must not be passed on to anyone that licence does not cover."
        )
    elif not lic.wording_shipped:
        text.append(
            "The question and answer wording is not included: its licence does not "
            "allow openproms to pass it on. Organisations holding a licence use "
            "their own copy."
        )
    return " ".join(text)


def _ordinal_extensions(code: int) -> list[dict[str, Any]]:
    return [
        {"url": uris.ORDINAL_VALUE, "valueDecimal": code},
        {"url": uris.ITEM_WEIGHT, "valueDecimal": code},
    ]


def _answer_options(defn: MeasureDefinition, rs: ResponseSet) -> list[dict[str, Any]]:
    options = []
    for option in rs.options:
        value: dict[str, Any] = {
            "system": uris.answer_system(defn.id, rs.id),
            "code": str(option.code),
        }
        if option.label:
            value["display"] = option.label
        options.append(
            {"extension": _ordinal_extensions(option.code), "valueCoding": value}
        )
    return options


def _end_label(link_id: str, text: str, control: str) -> dict[str, Any]:
    return {
        "linkId": link_id,
        "type": "display",
        "text": text,
        "extension": [
            {
                "url": uris.ITEM_CONTROL_EXTENSION,
                "valueCodeableConcept": {
                    "coding": [{"system": uris.ITEM_CONTROL, "code": control}]
                },
            }
        ],
    }


def _question(defn: MeasureDefinition, item: Item, number: int) -> dict[str, Any]:
    rs = item.response_set
    question: dict[str, Any] = {"linkId": item.id, "prefix": str(number)}
    if item.codes:
        question["code"] = [coding(c) for c in item.codes]
    if item.text:
        question["text"] = item.text
    question["required"] = item.required
    if rs.is_range:
        question["type"] = "integer"
        question["extension"] = [
            {"url": uris.MIN_VALUE, "valueInteger": rs.min},
            {"url": uris.MAX_VALUE, "valueInteger": rs.max},
        ]
        ends = []
        if rs.min_label:
            ends.append(
                _end_label(f"{item.id}.lower", f"{rs.min}: {rs.min_label}", "lower")
            )
        if rs.max_label:
            ends.append(
                _end_label(f"{item.id}.upper", f"{rs.max}: {rs.max_label}", "upper")
            )
        if ends:
            question["item"] = ends
    else:
        question["type"] = "choice"
        question["answerOption"] = _answer_options(defn, rs)
    return question


def display_link_ids(defn: MeasureDefinition) -> frozenset[str]:
    """The linkIds of the display items (instructions, preambles, end labels): a
    response may carry them with no answer."""
    ids = {INSTRUCTIONS_LINK_ID}
    for item in defn.items:
        ids |= {item.id + PREAMBLE_SUFFIX, f"{item.id}.lower", f"{item.id}.upper"}
    return frozenset(ids)


def questionnaire(defn: MeasureDefinition) -> dict[str, Any]:
    """The Questionnaire for a definition (see the module docstring for the rules).

    Pass the definition with the organisation's wording applied
    (``catalogue.selectors.measure_definition``) to export from inside the
    organisation; pass the library definition (``scoring.get_measure``) anywhere
    else, so only wording that may be shipped is included.
    """
    items: list[dict[str, Any]] = []
    if defn.instructions:
        items.append(
            {
                "linkId": INSTRUCTIONS_LINK_ID,
                "type": "display",
                "text": defn.instructions,
            }
        )
    for number, item in enumerate(defn.items, start=1):
        if item.preamble:
            items.append(
                {
                    "linkId": item.id + PREAMBLE_SUFFIX,
                    "type": "display",
                    "text": item.preamble,
                }
            )
        items.append(_question(defn, item, number))
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": uris.fhir_id(defn.id, defn.version),
        "url": uris.questionnaire_url(defn.id),
        "version": defn.version,
        "name": computable_name(defn),
        "title": defn.title,
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "openproms",
        "description": defn.description,
        "purpose": defn.guidance.why_for_workers,
        "copyright": copyright_text(defn),
    }
    if defn.codes:
        resource["code"] = [coding(c) for c in defn.codes]
    resource["item"] = items
    return resource
