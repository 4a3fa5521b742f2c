"""Test-retest ICC and responsiveness, pinned to R's psych ``ICC()`` and to the
values Shrout & Fleiss (1979) printed.

Reference values: tests/stats/data/psych_reference.json, written by
psych_reference.R (psych 2.2.9, ``ICC(x, lmer = FALSE)``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openproms.stats.psychometrics import NotEnoughData
from openproms.stats.retest import (
    RetestAnswer,
    icc_agreement,
    retest_agreement,
    retest_pairs,
    standardised_response_mean,
)

REFERENCE: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "psych_reference.json").read_text(
        encoding="utf-8"
    )
)


@pytest.mark.parametrize("label", ["shrout_fleiss", "sleep"])
def test_icc_a1_and_its_interval_match_psych_icc2(label: str) -> None:
    ref = REFERENCE[label]
    result = icc_agreement(np.array(ref["data"]))
    value, low, high = ref["ICC2"]
    assert result.form == "ICC(A,1)"
    assert result.value == pytest.approx(value, abs=1e-12)
    assert result.interval is not None
    assert result.interval.low == pytest.approx(low, abs=1e-10)
    assert result.interval.high == pytest.approx(high, abs=1e-10)
    assert result.ms_rows == pytest.approx(ref["MSB"], rel=1e-12)
    assert result.ms_columns == pytest.approx(ref["MSJ"], rel=1e-12)
    assert result.ms_error == pytest.approx(ref["MSE"], rel=1e-12)


def test_icc_reproduces_shrout_and_fleiss_1979_table() -> None:
    # Shrout & Fleiss (1979), Psychol Bull 86:420, Table 2 data (6 targets, 4
    # judges) and the values printed in the paper: ICC(2,1) = .29.
    result = icc_agreement(np.array(REFERENCE["shrout_fleiss"]["data"]))
    assert round(result.value, 2) == 0.29
    assert (result.n, result.k) == (6, 4)


def test_retest_on_two_occasions_is_icc_a1_with_k_2() -> None:
    data = np.array(REFERENCE["sleep"]["data"])
    result = retest_agreement(list(data[:, 0]), list(data[:, 1]))
    assert result.value == pytest.approx(REFERENCE["sleep"]["ICC2"][0], abs=1e-12)
    assert result.k == 2
    assert "Only 10 people answered twice" in result.warnings[0]


def test_absolute_agreement_counts_a_shift_as_disagreement() -> None:
    rng = np.random.default_rng(3)
    first = rng.normal(20, 5, size=200)
    same = icc_agreement(np.column_stack([first, first + rng.normal(0, 1, 200)]))
    shifted = icc_agreement(np.column_stack([first, first + 5 + rng.normal(0, 1, 200)]))
    assert same.value > 0.9
    assert shifted.value < same.value - 0.2
    assert same.warnings == ()


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(min_value=3, max_value=80),
    k=st.integers(min_value=2, max_value=5),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_icc_interval_contains_the_estimate(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 1)) + rng.normal(scale=0.7, size=(n, k))
    result = icc_agreement(x)
    assert result.interval is not None
    assert result.interval.low <= result.value <= result.interval.high


def test_icc_refuses_what_it_cannot_compute() -> None:
    with pytest.raises(NotEnoughData):
        icc_agreement(np.array([[1.0, 2.0]]))
    with pytest.raises(NotEnoughData, match="nobody's scores differ"):
        icc_agreement(np.full((4, 2), 3.0))
    with pytest.raises(ValueError, match="finite"):
        icc_agreement(np.array([[1.0, np.nan], [2.0, 3.0]]))
    perfect = icc_agreement(np.array([[1.0, 1.0], [2.0, 2.0], [5.0, 5.0]]))
    assert perfect.value == 1.0 and perfect.interval is None


def test_srm_matches_r_on_the_sleep_data() -> None:
    data = np.array(REFERENCE["sleep"]["data"])
    ref = REFERENCE["sleep_srm"]
    result = standardised_response_mean(list(data[:, 0]), list(data[:, 1]))
    assert result is not None
    assert result.mean_change == pytest.approx(ref["mean_change"], abs=1e-12)
    assert result.sd_change == pytest.approx(ref["sd_change"], abs=1e-12)
    assert result.srm == pytest.approx(ref["srm"], abs=1e-12)
    assert result.interval is not None and result.interval.value == result.srm
    assert "Only 10 people" in result.warnings[0]


def test_srm_is_none_without_spread_or_pairs() -> None:
    assert standardised_response_mean([1.0], [2.0]) is None
    assert standardised_response_mean([1.0, 2.0], [2.0, 3.0]) is None
    with pytest.raises(ValueError, match="pair up"):
        standardised_response_mean([1.0, 2.0], [2.0])


def test_retest_pairs_take_each_persons_first_two_answers_within_the_window() -> None:
    answers = [
        RetestAnswer("ann", date(2026, 1, 1), 10),
        RetestAnswer("ann", date(2026, 1, 1), 11),  # same day: not a retest
        RetestAnswer("ann", date(2026, 1, 8), 12),
        RetestAnswer("ann", date(2026, 1, 9), 20),  # a third answer: not used
        RetestAnswer("bob", date(2026, 2, 1), 5),
        RetestAnswer("bob", date(2026, 3, 1), 7),  # 28 days: too far apart
        RetestAnswer("cat", date(2026, 1, 20), 9),  # given out of order
        RetestAnswer("cat", date(2026, 1, 6), 8),
    ]
    assert retest_pairs(answers) == [(11, 12), (8, 9)]
    assert retest_pairs(answers, max_days=30) == [(11, 12), (5, 7), (8, 9)]
    assert retest_pairs(answers, min_days=0) == [(10, 11), (8, 9)]
    with pytest.raises(ValueError, match="min_days"):
        retest_pairs(answers, min_days=5, max_days=2)
