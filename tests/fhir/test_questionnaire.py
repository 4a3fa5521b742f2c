"""Every measure's Questionnaire: derived from its definition, valid FHIR R4, and
carrying wording only where it may be shipped (or was supplied)."""

from __future__ import annotations

import json

import pytest

from openproms.fhir import questionnaire, uris, validation_issues
from openproms.fhir.questionnaire import computable_name
from openproms.scoring import default_library, get_measure
from tests.fhir.helpers import made_up_wording

MEASURES = [d.key for d in default_library()]


def _definition(key: str):  # type: ignore[no-untyped-def]
    measure_id, version = key.split("@")
    return get_measure(measure_id, version)


def _questions(q: dict) -> list[dict]:  # type: ignore[type-arg]
    return [i for i in q["item"] if i["type"] != "display"]


@pytest.mark.parametrize("key", MEASURES)
def test_every_questionnaire_is_valid_fhir(key: str) -> None:
    assert validation_issues(questionnaire(_definition(key))) == []


@pytest.mark.parametrize("key", MEASURES)
def test_every_item_and_answer_code_comes_from_the_definition(key: str) -> None:
    defn = _definition(key)
    q = questionnaire(defn)
    assert q["url"] == f"https://openproms.org/fhir/Questionnaire/{defn.id}"
    assert q["version"] == defn.version
    questions = _questions(q)
    assert [i["linkId"] for i in questions] == list(defn.item_ids)
    for number, (item, question) in enumerate(
        zip(defn.items, questions, strict=True), 1
    ):
        assert question["prefix"] == str(number)
        assert question["required"] is item.required
        assert [c["code"] for c in question.get("code", [])] == [
            c.code for c in item.codes
        ]
        rs = item.response_set
        if rs.is_range:
            assert question["type"] == "integer"
            bounds = {e["url"]: e["valueInteger"] for e in question["extension"]}
            assert bounds == {uris.MIN_VALUE: rs.min, uris.MAX_VALUE: rs.max}
            continue
        assert question["type"] == "choice"
        codes = [int(o["valueCoding"]["code"]) for o in question["answerOption"]]
        assert codes == [o.code for o in rs.options]
        for option in question["answerOption"]:
            weights = {e["url"]: e["valueDecimal"] for e in option["extension"]}
            code = int(option["valueCoding"]["code"])
            assert weights == {uris.ORDINAL_VALUE: code, uris.ITEM_WEIGHT: code}
            assert option["valueCoding"]["system"] == uris.answer_system(defn.id, rs.id)


def test_the_phq9_carries_its_loinc_codes() -> None:
    q = questionnaire(get_measure("phq9"))
    assert q["code"] == [
        {
            "system": "http://loinc.org",
            "code": "44249-1",
            "display": "PHQ-9 quick depression assessment panel",
        }
    ]
    first = _questions(q)[0]
    assert first["code"][0] == {
        "system": "http://loinc.org",
        "code": "44250-9",
        "display": "PHQ-9 item 1",
    }
    assert first["text"] == "Little interest or pleasure in doing things"
    assert first["answerOption"][1]["valueCoding"]["display"] == "Several days"
    assert q["copyright"].startswith("Copyright © Pfizer Inc.")


@pytest.mark.parametrize(
    "key", [k for k in MEASURES if not _definition(k).licence.wording_shipped]
)
def test_a_licensed_measure_has_structure_codes_and_copyright_but_no_wording(
    key: str,
) -> None:
    defn = _definition(key)
    q = questionnaire(defn)
    text = json.dumps(q)
    assert all(i["type"] != "display" for i in q["item"])  # no instructions
    for question in q["item"]:
        assert "text" not in question
        assert "item" not in question  # no end labels either
        for option in question.get("answerOption", []):
            assert "display" not in option["valueCoding"]
    assert defn.licence.holder in q["copyright"] or (
        defn.licence.attribution and defn.licence.attribution in q["copyright"]
    )
    assert "wording is not included" in q["copyright"]
    assert "Made-up" not in text


def test_wording_an_organisation_supplied_is_included_and_marked() -> None:
    defn = made_up_wording(get_measure("wemwbs"))
    q = questionnaire(defn)
    assert _questions(q)[0]["text"] == "Made-up question 1"
    assert q["item"][0] == {
        "linkId": "instructions",
        "type": "display",
        "text": "Made-up instructions.",
    }
    option = _questions(q)[0]["answerOption"][0]["valueCoding"]
    assert option["display"] == "Made-up answer 1"
    assert "supplied by the organisation" in q["copyright"]
    assert "must not be passed on" in q["copyright"]
    assert validation_issues(q) == []


def test_a_range_has_its_end_labels_as_lower_and_upper_display_items() -> None:
    q = questionnaire(get_measure("ons4"))
    first = _questions(q)[0]
    assert [
        (c["text"], c["extension"][0]["valueCodeableConcept"]["coding"][0]["code"])
        for c in first["item"]
    ] == [
        ("0: Not at all satisfied", "lower"),
        ("10: Completely satisfied", "upper"),
    ]


def test_preambles_come_before_their_question_as_display_items() -> None:
    q = questionnaire(get_measure("rand36"))
    ids = [i["linkId"] for i in q["item"]]
    assert ids.index("rand36_3.preamble") == ids.index("rand36_3") - 1


def test_computable_names_are_letters_and_digits_starting_with_a_capital() -> None:
    for defn in default_library():
        name = computable_name(defn)
        assert name[0].isupper() and name.isalnum(), name
