"""Plain English derived from definitions: how many questions an introduction names,
the time period said as a person would say it, and scores as people read them."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openproms.scoring import check_definition, default_library, get_measure
from openproms.scoring.definition_check import definition_from_dict
from openproms.scoring.phrasing import (
    number_word,
    score_text,
    time_period_sentence,
)

LIBRARY_DIR = Path(__file__).resolve().parents[2] / "openproms" / "library"
NUMBER = {number_word(n): n for n in range(1, 21)} | {str(n): n for n in range(1, 99)}
# "<number> questions" or "<number> statements" in running text.
COUNTED = re.compile(r"\b(\w+) (?:questions|statements)\b", re.IGNORECASE)
# Licensed "no derivatives" (CC BY-ND): its instructions are shown as published.
VERBATIM = {"core10"}


def test_the_ucla3_introduction_counts_the_three_questions_below_it() -> None:
    ucla3 = get_measure("ucla3")
    assert len(ucla3.items) == 3
    assert ucla3.instructions is not None
    assert ucla3.instructions.startswith(
        "The next three questions are about relationships with others."
    )
    assert "four" not in ucla3.instructions


def test_the_direct_loneliness_question_is_introduced_as_one_question() -> None:
    lonely = get_measure("ons_loneliness")
    assert len(lonely.items) == 1
    assert lonely.instructions is not None
    assert lonely.instructions.startswith("The next question is about")
    assert "four" not in lonely.instructions


def test_every_count_of_questions_in_an_introduction_matches_the_questions() -> None:
    for definition in default_library():
        for word in COUNTED.findall(definition.instructions or ""):
            if word.lower() in NUMBER:
                assert NUMBER[word.lower()] == len(definition.items), definition.id


def test_no_library_file_types_a_count_it_could_derive() -> None:
    for path in LIBRARY_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["id"] in VERBATIM:
            continue
        typed = [w for w in COUNTED.findall(data["instructions"] or "") if w in NUMBER]
        assert typed == [], f"{path.name}: say {{question_count}}, not {typed}"


def _ucla3_with(instructions: str, items: int | None = None) -> dict:
    raw = copy.deepcopy(dict(get_measure("ucla3").raw))
    raw["instructions"] = instructions
    if items is not None:
        raw["items"] = raw["items"][:items]
        raw["scales"][0]["items"] = [i["id"] for i in raw["items"]]
        raw["scales"][0]["range"] = {"min": items, "max": 3 * items}
    return raw


def test_an_unknown_placeholder_is_refused_by_name() -> None:
    problems = check_definition(_ucla3_with("The next {count} questions"))
    assert problems == [
        "instructions: unknown placeholder {count} (only {question_count})"
    ]


def test_a_count_of_one_question_is_refused_as_it_would_read_one_questions() -> None:
    problems = check_definition(_ucla3_with("The next {question_count} questions", 1))
    assert len(problems) == 1 and '"one questions"' in problems[0]


def test_the_count_follows_the_questions_of_a_bespoke_copy() -> None:
    raw = _ucla3_with("The next {question_count} questions are about you.", 2)
    assert (
        definition_from_dict(raw).instructions
        == "The next two questions are about you."
    )


def test_ons4_says_which_questions_are_about_nowadays_and_which_yesterday() -> None:
    assert time_period_sentence(get_measure("ons4")) == (
        "In questions 1 and 2, think about your life nowadays. "
        "In questions 3 and 4, think about how you felt yesterday."
    )


def test_one_period_for_the_whole_measure_is_said_once() -> None:
    raw = copy.deepcopy(dict(get_measure("ons4").raw))
    for item in raw["items"]:
        item.pop("think_about")
    raw["think_about"] = "the last 2 weeks"
    assert time_period_sentence(definition_from_dict(raw)) == (
        "In these questions, think about the last 2 weeks."
    )
    raw["items"][0]["think_about"] = "today"
    assert time_period_sentence(definition_from_dict(raw)) == (
        "In question 1, think about today. "
        "In questions 2 to 4, think about the last 2 weeks."
    )


def test_a_measure_whose_questions_say_their_own_period_gets_no_sentence() -> None:
    assert time_period_sentence(get_measure("rand36")) is None


@pytest.mark.parametrize("measure_id", ["who5", "k10", "epds", "swemwbs"])
def test_licensed_measures_say_their_period_without_their_wording(
    measure_id: str,
) -> None:
    sentence = time_period_sentence(get_measure(measure_id))
    assert sentence is not None and sentence.startswith("In these questions, think")


def test_every_shipped_form_without_instructions_says_its_time_period() -> None:
    """What a person reads above the questions: instructions, or the time period
    (unless each question says its own, as RAND-36's and PROMIS-10's do)."""
    own_periods = {"rand36", "promis_global10"}
    for definition in default_library():
        if definition.recall_period and not definition.instructions:
            if definition.id in own_periods:
                continue
            assert time_period_sentence(definition), definition.id


@pytest.mark.parametrize(
    ("value", "text"),
    [(14.0, "14"), (3.86, "3.86"), (13.3, "13.3"), (0.5, "0.5"), (21143.0, "21143")],
)
def test_scores_read_as_people_write_them(value: float, text: str) -> None:
    assert score_text(value) == text


@given(st.integers(min_value=-1000, max_value=100000))
def test_whole_scores_never_show_a_decimal_point(n: int) -> None:
    assert score_text(float(n)) == str(n)
