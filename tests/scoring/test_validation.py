"""Every answer is checked against the definition; errors name the item and value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openproms.scoring import (
    AnswerError,
    ResponseInvalid,
    get_measure,
    score_response,
    score_table,
    validate_answers,
)


def test_an_out_of_range_answer_is_rejected_naming_item_and_value() -> None:
    with pytest.raises(ResponseInvalid) as e:
        score_response(get_measure("phq9"), {"phq9_1": 4})
    assert e.value.errors == (
        AnswerError(
            "phq9_1", 4, "is not an allowed answer: expected a whole number from 0 to 3"
        ),
    )
    assert "item phq9_1: value 4" in str(e.value)


def test_every_bad_answer_is_reported_not_just_the_first() -> None:
    with pytest.raises(ResponseInvalid) as e:
        score_response(
            get_measure("gad7"), {"gad7_1": "often", "gad7_2": 1.5, "gad7_9": 1}
        )
    assert {(x.item_id, x.value) for x in e.value.errors} == {
        ("gad7_1", "often"),
        ("gad7_2", 1.5),
        ("gad7_9", 1),
    }
    reasons = {x.item_id: x.reason for x in e.value.errors}
    assert reasons["gad7_1"] == "is not a number"
    assert reasons["gad7_9"] == "is for an item not in gad7@1"


def test_numeric_strings_and_integral_floats_are_accepted() -> None:
    codes, errors = validate_answers(
        get_measure("phq2"), {"phq2_1": " 2 ", "phq2_2": 3.0}
    )
    assert errors == []
    assert codes == {"phq2_1": 2, "phq2_2": 3}


def test_empty_none_and_nan_mean_not_answered() -> None:
    codes, errors = validate_answers(
        get_measure("phq4"), {"phq4_1": "", "phq4_2": None, "phq4_3": math.nan}
    )
    assert errors == []
    assert set(codes.values()) == {None}


def test_booleans_are_not_answers() -> None:
    _, errors = validate_answers(get_measure("phq2"), {"phq2_1": True})
    assert errors[0].reason == "is not a number"


def test_codes_outside_a_non_contiguous_set_are_rejected() -> None:
    _, errors = validate_answers(get_measure("ons_loneliness"), {"ons_lonely": 0})
    assert (
        errors[0].reason
        == "is not an allowed answer: expected a whole number from 1 to 5"
    )


def test_table_errors_carry_one_based_row_numbers_with_offset() -> None:
    defn = get_measure("phq2")
    table = score_table(defn, {"phq2_1": np.array([1, 7, 2]), "phq2_2": np.array([0, 0, 9])},
                        row_offset=100)  # fmt: skip
    assert [(e.row, e.item_id, e.value) for e in table.errors] == [
        (102, "phq2_1", 7),
        (103, "phq2_2", 9),
    ]
    assert table.valid.tolist() == [True, False, False]
    assert np.isnan(table.scales["total"].value[1:]).all()


def test_a_table_with_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="expected a 2-D array with 10 columns"):
        score_table(get_measure("phq9"), np.zeros((3, 4)))
    with pytest.raises(ValueError, match="not items of phq2@1"):
        score_table(get_measure("phq2"), {"phq9_1": [1]})
