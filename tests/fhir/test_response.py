"""QuestionnaireResponse out and in: our own responses round-trip for every
measure; the shared fixtures import (or are refused, or corrected, with the defect
named); every kind of defect is named with where it is."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openproms.fhir import (
    FhirInputError,
    Identifier,
    operation_outcome,
    questionnaire_response,
    read_questionnaire_response,
    score_questionnaire_response,
    validation_issues,
)
from openproms.fhir.response_in import parse_datetime
from openproms.scoring import default_library, get_measure, score_response
from tests.fhir.helpers import (
    LHC_QUESTIONNAIRE,
    LHC_RESPONSE,
    SDC_QUESTIONNAIRE,
    SDC_RESPONSE,
    fixture,
    made_up_wording,
    some_answers,
)

WHEN = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)


def _response(measure: str = "phq9", **answers: int) -> dict[str, Any]:
    defn = get_measure(measure)
    given_answers = some_answers(defn) | answers
    return questionnaire_response(
        defn,
        given_answers,
        resource_id="response.1",
        authored=WHEN,
        subject="Patient/person.1",
        identifier=Identifier("https://example.test/ids", "abc-1"),
    )


def _refusal(resource: dict[str, Any], **kwargs: Any) -> list[str]:
    with pytest.raises(FhirInputError) as caught:
        read_questionnaire_response(resource, **kwargs)
    return [i.line() for i in caught.value.issues]


@st.composite
def _measure_and_answers(draw: st.DrawFn) -> tuple[str, dict[str, int | None]]:
    defn = draw(st.sampled_from(list(default_library())))
    answers: dict[str, int | None] = {}
    for item in defn.items:
        codes = sorted(item.response_set.codes)
        answers[item.id] = draw(st.one_of(st.none(), st.sampled_from(codes)))
    return defn.key, answers


@settings(max_examples=150, deadline=None)
@given(_measure_and_answers())
def test_any_answers_to_any_measure_come_back_as_they_went_out(
    case: tuple[str, dict[str, int | None]],
) -> None:
    key, answers = case
    defn = get_measure(*key.split("@"))
    resource = questionnaire_response(
        defn, answers, resource_id="response.9", authored=WHEN
    )
    assert validation_issues(resource) == []
    read = read_questionnaire_response(resource)
    assert read.measure.key == defn.key
    assert dict(read.answers) == answers
    assert read.authored == WHEN
    scored = score_questionnaire_response(resource)
    assert scored.score == score_response(defn, answers)


def test_the_response_names_our_questionnaire_and_version_and_leaves_out_unanswered() -> (
    None
):
    resource = questionnaire_response(
        get_measure("phq9"),
        {"phq9_1": 2, "phq9_2": None},
        resource_id="response.1",
        authored=WHEN,
    )
    assert (
        resource["questionnaire"] == "https://openproms.org/fhir/Questionnaire/phq9|1"
    )
    assert [i["linkId"] for i in resource["item"]] == ["phq9_1"]
    assert resource["item"][0]["answer"] == [
        {
            "valueCoding": {
                "system": "https://openproms.org/fhir/CodeSystem/phq9/frequency",
                "code": "2",
                "display": "More than half the days",
            }
        }
    ]
    assert resource["authored"] == "2025-03-04T09:30:00+00:00"


def test_a_licensed_measure_response_carries_no_wording_unless_supplied() -> None:
    defn = get_measure("wemwbs")
    bare = questionnaire_response(
        defn, some_answers(defn), resource_id="r", authored=WHEN
    )
    assert all("text" not in i for i in bare["item"])
    assert all("display" not in i["answer"][0]["valueCoding"] for i in bare["item"])
    own = questionnaire_response(
        made_up_wording(defn), some_answers(defn), resource_id="r", authored=WHEN
    )
    assert own["item"][0]["text"] == "Made-up question 1"


# ------------------------------------------------------------ shared fixtures


def test_the_hl7_sdc_example_scores_10_and_says_its_stored_13_was_not_kept() -> None:
    scored = score_questionnaire_response(fixture(SDC_RESPONSE))
    assert scored.read.measure.key == "phq9@1"
    assert scored.score["total"].value == 10
    assert scored.score["total"].band == "Moderate"
    warnings = [i for i in scored.issues if i.severity == "warning"]
    assert len(warnings) == 1
    assert "PHQ-9 total as 13" in warnings[0].message
    assert "add up to 10" in warnings[0].message
    assert "13 was not kept" in warnings[0].message
    assert warnings[0].expression == "QuestionnaireResponse.item[0].item[9]"
    assert [s.value for s in scored.read.stored_scores] == [13]


def test_the_hl7_sdc_example_reads_the_same_with_its_questionnaire_given() -> None:
    scored = score_questionnaire_response(
        fixture(SDC_RESPONSE), questionnaire=fixture(SDC_QUESTIONNAIRE)
    )
    assert scored.score["total"].value == 10
    assert dict(scored.read.answers) == {
        "phq9_1": 0,
        "phq9_2": 0,
        "phq9_3": 0,
        "phq9_4": 1,
        "phq9_5": 2,
        "phq9_6": 1,
        "phq9_7": 3,
        "phq9_8": 2,
        "phq9_9": 1,
        "phq9_difficulty": None,
    }


def test_the_lhc_forms_response_scores_8_with_its_questionnaire() -> None:
    scored = score_questionnaire_response(
        fixture(LHC_RESPONSE), questionnaire=fixture(LHC_QUESTIONNAIRE)
    )
    assert scored.read.measure.key == "phq9@1"
    assert [scored.read.answers[f"phq9_{n}"] for n in range(1, 10)] == [
        1, 0, 2, 3, 1, 0, 1, 0, 0,
    ]  # fmt: skip
    assert scored.score["total"].value == 8
    agreed = [i for i in scored.issues if i.severity == "information"]
    assert [i.message for i in agreed] == [
        "the response's PHQ-9 total, 8, agrees with its answers"
    ]


def test_the_lhc_forms_questionnaire_defects_are_named_and_not_read() -> None:
    scored = score_questionnaire_response(
        fixture(LHC_RESPONSE), questionnaire=fixture(LHC_QUESTIONNAIRE)
    )
    defects = [i for i in scored.issues if i.severity == "warning"]
    assert len(defects) == 10  # q1_value ... q9_value, any_questions_answered
    assert all("valueExpression.name" in i.message for i in defects)
    assert "'q1_value'" in defects[0].message
    assert (
        defects[0].expression
        == "Questionnaire.item[9].extension[3].valueExpression.name"
    )


def test_the_lhc_forms_response_alone_is_refused_saying_which_questionnaire_is_needed() -> (
    None
):
    (line,) = _refusal(fixture(LHC_RESPONSE))
    assert "does not name the Questionnaire it answers" in line
    assert "QuestionnaireResponse.questionnaire" in line


def test_a_foreign_questionnaire_with_no_matching_codes_is_refused() -> None:
    q = fixture(LHC_QUESTIONNAIRE)
    q["code"] = []
    for item in q["item"]:
        item["code"] = [{"system": "http://loinc.org", "code": "0000-0"}]
    (line,) = _refusal(fixture(LHC_RESPONSE), questionnaire=q)
    assert "match no single measure" in line


def test_an_answer_whose_ordinal_disagrees_with_the_questionnaire_is_refused() -> None:
    response = fixture(LHC_RESPONSE)
    response["item"][0]["answer"][0]["valueCoding"]["extension"][0]["valueDecimal"] = 3
    (line,) = _refusal(response, questionnaire=fixture(LHC_QUESTIONNAIRE))
    assert "question 1 of PHQ-9" in line
    assert "ordinalValue 3 disagrees with the Questionnaire's 1" in line


# ---------------------------------------------------------------- defects


def test_an_item_that_is_not_a_question_of_the_measure_is_named() -> None:
    response = _response()
    response["item"].append({"linkId": "phq9_99", "answer": [{"valueInteger": 1}]})
    (line,) = _refusal(response)
    assert "item 'phq9_99' is not a question of PHQ-9" in line
    assert "QuestionnaireResponse.item[10]" in line


def test_an_answer_outside_the_allowed_codes_is_named() -> None:
    response = _response()
    response["item"][2]["answer"][0]["valueCoding"]["code"] = "7"
    (line,) = _refusal(response)
    assert "question 3 of PHQ-9" in line
    assert "'7'" in line or "7" in line
    assert "one of 0, 1, 2, 3" in line or "from 0 to 3" in line


def test_an_answer_in_another_code_system_is_named() -> None:
    response = _response()
    response["item"][0]["answer"][0]["valueCoding"]["system"] = "http://loinc.org"
    (line,) = _refusal(response)
    assert "code system 'http://loinc.org'" in line


def test_two_answers_to_one_question_are_refused() -> None:
    response = _response()
    response["item"][0]["answer"].append(
        copy.deepcopy(response["item"][0]["answer"][0])
    )
    (line,) = _refusal(response)
    assert "question 1 of PHQ-9 has 2 answers" in line


def test_a_question_answered_twice_under_one_link_id_is_refused() -> None:
    response = _response()
    response["item"].append(copy.deepcopy(response["item"][0]))
    (line,) = _refusal(response)
    assert "linkId 'phq9_1' appears twice" in line


def test_a_response_still_in_progress_is_not_scored() -> None:
    response = _response()
    response["status"] = "in-progress"
    (line,) = _refusal(response)
    assert "status is 'in-progress'" in line


def test_invalid_fhir_is_refused_with_the_validators_words_and_place() -> None:
    response = _response("ons4")
    response["item"][0]["answer"][0]["valueInteger"] = "seven"
    response["colour"] = "blue"
    lines = _refusal(response)
    assert any(
        "QuestionnaireResponse.item[0].answer[0].valueInteger" in x and "'seven'" in x
        for x in lines
    )
    assert any("QuestionnaireResponse.colour" in x for x in lines)


def test_a_range_answer_must_be_a_whole_number_in_value_integer() -> None:
    response = _response("ons4")
    response["item"][0]["answer"][0] = {"valueDecimal": 7.5}
    (line,) = _refusal(response)
    assert "question 1 of ONS4 needs a whole number from 0 to 10" in line
    response["item"][0]["answer"][0] = {"valueInteger": 11}
    (line,) = _refusal(response)
    assert "question 1 of ONS4" in line and "from 0 to 10" in line


def test_not_a_questionnaire_response_is_refused() -> None:
    (line,) = _refusal({"resourceType": "Observation", "status": "final"})
    assert "not 'QuestionnaireResponse'" in line


def test_an_unknown_measure_or_version_is_named() -> None:
    response = _response()
    response["questionnaire"] = "https://openproms.org/fhir/Questionnaire/phq9|7"
    (line,) = _refusal(response)
    assert "has no version '7'" in line


def test_a_response_naming_no_version_is_read_as_the_latest_and_says_so() -> None:
    response = _response()
    response["questionnaire"] = "https://openproms.org/fhir/Questionnaire/phq9"
    read = read_questionnaire_response(response)
    assert [i.message for i in read.issues] == [
        "the response names no version of the Questionnaire; read as phq9@1, the latest"
    ]


def test_a_measure_named_by_the_caller_reads_a_response_that_names_none() -> None:
    response = _response()
    del response["questionnaire"]
    read = read_questionnaire_response(response, measure="phq9")
    assert read.answers["phq9_1"] == some_answers(get_measure("phq9"))["phq9_1"]


def test_the_operation_outcome_names_each_issue_and_is_valid_fhir() -> None:
    response = _response()
    response["item"][2]["answer"][0]["valueCoding"]["code"] = "7"
    with pytest.raises(FhirInputError) as caught:
        read_questionnaire_response(response)
    outcome = operation_outcome(caught.value.issues)
    assert validation_issues(outcome) == []
    assert outcome["issue"][0]["severity"] == "error"
    assert outcome["issue"][0]["expression"] == [
        "QuestionnaireResponse.item[2].answer[0]"
    ]
    assert operation_outcome([])["issue"][0]["diagnostics"] == "No problems found."


def test_identifier_and_authored_are_read() -> None:
    read = read_questionnaire_response(_response())
    assert read.identifier == Identifier("https://example.test/ids", "abc-1")
    assert read.subject == "Patient/person.1"
    assert read.digest == read_questionnaire_response(_response()).digest


def test_partial_dates_are_the_first_moment_of_their_day_in_utc() -> None:
    assert parse_datetime("2024-05") == dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert parse_datetime("2024-05-06T10:00:00+01:00").utcoffset() == dt.timedelta(
        hours=1
    )


def test_the_sdc_fixture_is_unchanged_by_reading() -> None:
    resource = fixture(SDC_RESPONSE)
    before = json.dumps(resource, sort_keys=True)
    score_questionnaire_response(resource)
    assert json.dumps(resource, sort_keys=True) == before


def test_a_crosswalk_naming_items_or_answers_the_measure_lacks_is_refused() -> None:
    from openproms.fhir.crosswalk import crosswalk_from_dict

    data = json.loads(
        (
            Path(__file__).resolve().parents[2]
            / "openproms/fhir/crosswalks/hl7-sdc-phq9.json"
        ).read_text()
    )
    data["items"]["H1/T1/Q1"] = "phq9_42"
    data["answers"]["codes"]["Always"] = 4
    data["scores"]["H1/TS"] = "grand_total"
    with pytest.raises(ValueError) as caught:
        crosswalk_from_dict(data)
    message = str(caught.value)
    assert "'phq9_42', not an item of phq9@1" in message
    assert "answer 'Always' maps to 4" in message
    assert "'grand_total', not a scale of phq9@1" in message
