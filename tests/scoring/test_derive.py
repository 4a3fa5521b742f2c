"""Derived scores: PHQ-2 and PHQ-4 from PHQ-9/GAD-7, GAD-2 from GAD-7, SWEMWBS from WEMWBS."""

from __future__ import annotations

import numpy as np
import pytest

from openproms.scoring import (
    ResponseInvalid,
    derived_answers,
    get_measure,
    score_derived,
    score_derived_table,
)

PHQ9 = {f"phq9_{i}": c for i, c in enumerate([3, 2, 1, 1, 0, 0, 2, 1, 0], start=1)}
GAD7 = {f"gad7_{i}": c for i, c in enumerate([1, 2, 3, 0, 0, 1, 1], start=1)}


def test_phq2_is_phq9_items_1_and_2() -> None:
    r = score_derived(get_measure("phq2"), {"phq9": PHQ9})
    assert r["total"].value == 5
    assert r["total"].case is True


def test_gad2_is_gad7_items_1_and_2() -> None:
    assert score_derived(get_measure("gad2"), {"gad7": GAD7})["total"].value == 3


def test_phq4_takes_anxiety_from_gad7_and_depression_from_phq9() -> None:
    answers = derived_answers(get_measure("phq4"), {"phq9": PHQ9, "gad7": GAD7})
    assert answers == {"phq4_1": 1, "phq4_2": 2, "phq4_3": 3, "phq4_4": 2}
    r = score_derived(get_measure("phq4"), {"phq9": PHQ9, "gad7": GAD7})
    assert (r["total"].value, r["anxiety"].value, r["depression"].value) == (8, 3, 5)


def test_phq4_needs_both_sources() -> None:
    with pytest.raises(ValueError, match="answers for gad7 were not given"):
        score_derived(get_measure("phq4"), {"phq9": PHQ9})


def test_swemwbs_from_wemwbs_uses_items_1_2_3_6_7_9_11_and_the_conversion_table() -> (
    None
):
    wemwbs = {f"wemwbs_{i}": 1 for i in range(1, 15)}
    for i in (1, 2, 3, 6, 7, 9, 11):
        wemwbs[f"wemwbs_{i}"] = 3  # raw 21 -> 19.25
    r = score_derived(get_measure("swemwbs"), {"wemwbs": wemwbs})
    assert r["metric"].value == 19.25


def test_a_bad_source_answer_is_reported_against_the_derived_item() -> None:
    with pytest.raises(ResponseInvalid) as e:
        score_derived(get_measure("phq2"), {"phq9": {"phq9_1": 5, "phq9_2": 0}})
    assert e.value.errors[0].item_id == "phq2_1"


def test_vectorised_derivation_matches_one_at_a_time() -> None:
    phq9 = {k: np.array([v, 0, 3]) for k, v in PHQ9.items()}
    gad7 = {k: np.array([v, 3, 0]) for k, v in GAD7.items()}
    table = score_derived_table(get_measure("phq4"), {"phq9": phq9, "gad7": gad7})
    for i in range(3):
        one = score_derived(
            get_measure("phq4"),
            {
                "phq9": {k: int(v[i]) for k, v in phq9.items()},
                "gad7": {k: int(v[i]) for k, v in gad7.items()},
            },
        )
        assert table.row(i) == one
