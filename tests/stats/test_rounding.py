"""Figures rounded for reading: a rounded zero is 0, never "-0.0" (a change that
reads as a tiny worsening when it is nothing at all)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from openproms.scoring.phrasing import score_text
from openproms.stats import (
    NHS_RULE,
    ONS_RULE,
    Mean,
    Statistic,
    disclose_cell,
    fixed,
    rounded,
)
from openproms.stats.paired import _fmt as bin_edge_text


def test_a_small_negative_number_rounds_to_plain_zero() -> None:
    assert round(-0.04, 1) == 0 and math.copysign(1, round(-0.04, 1)) == -1
    assert math.copysign(1, rounded(-0.04, 1)) == 1
    assert str(rounded(-0.04, 1)) == "0.0"
    assert str(rounded(-0.0, 2)) == "0.0"
    assert fixed(-0.004, 2) == "0.00"
    assert fixed(-0.005001, 2) == "-0.01"
    assert rounded(-7.25, 1) == -7.2  # round half to even, as round() does


@given(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(0, 4))
def test_rounded_is_round_without_a_negative_zero(value: float, places: int) -> None:
    result = rounded(value, places)
    assert result == round(value, places)
    assert math.copysign(1, result) == 1 or result < 0
    assert not fixed(value, places).startswith("-0") or result < 0


def test_a_disclosed_statistic_that_rounds_to_zero_is_shown_as_0_0() -> None:
    for rule in (NHS_RULE, ONS_RULE):
        for cell in (Statistic(-0.004, 12, 1), Mean(-0.04, 12, 1)):
            shown = disclose_cell(cell, rule)
            assert shown == 0.0 and str(shown) == "0.0", (cell, rule.key)
    assert disclose_cell(Statistic(-0.4, 12, 0)) == 0
    assert str(disclose_cell(Statistic(-0.4, 12, 0))) == "0"


def test_scores_and_bin_edges_read_0_not_minus_0() -> None:
    assert score_text(-0.001) == "0"
    assert score_text(-0.0) == "0"
    assert bin_edge_text(-0.0) == "0"
    assert bin_edge_text(-0.001) == "0"
