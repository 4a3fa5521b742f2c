"""Shared by the FHIR tests: the fixtures in ../shared/data/fhir-fixtures, made-up
wording for licensed measures (never their real wording), and answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openproms.scoring import MeasureDefinition, definition_with_wording

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "data" / "fhir-fixtures"
SDC_RESPONSE = "hl7-sdc-PHQ9.QuestionnaireResponse.json"
SDC_QUESTIONNAIRE = "hl7-sdc-PHQ9.Questionnaire.json"
LHC_RESPONSE = "lhcforms-40.1.3-rendered-phq9.QuestionnaireResponse.json"
LHC_QUESTIONNAIRE = "lhcforms-R4-phq9.Questionnaire.json"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def made_up_wording(defn: MeasureDefinition) -> MeasureDefinition:
    """The definition with invented wording, as an organisation would supply its
    licensed copy (the real wording of a licensed measure never enters the
    repository)."""
    return definition_with_wording(
        defn,
        {
            "items": {
                i.id: f"Made-up question {n}" for n, i in enumerate(defn.items, 1)
            },
            "options": {
                rid: (
                    {str(rs.min): "Made-up low end", str(rs.max): "Made-up high end"}
                    if rs.is_range
                    else {str(o.code): f"Made-up answer {o.code}" for o in rs.options}
                )
                for rid, rs in defn.response_sets.items()
            },
            "instructions": "Made-up instructions.",
        },
    )


def some_answers(defn: MeasureDefinition, shift: int = 0) -> dict[str, int]:
    """A full set of allowed answers that differs from item to item."""
    answers = {}
    for n, item in enumerate(defn.items):
        codes = sorted(item.response_set.codes)
        answers[item.id] = codes[(n + shift) % len(codes)]
    return answers
