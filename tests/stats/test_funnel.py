"""Funnel plots and case-mix adjustment, pinned to a hand-worked example, to scipy
and to R's lm() (tests/stats/data/funnel_reference.R writes
funnel_reference.json; its printed output is funnel_reference.out).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg as sla
from scipy import stats as sps

from openproms.stats.casemix import (
    NOT_RECORDED,
    baseline_funnel,
    casemix_funnel,
    design_matrix,
    fit_casemix,
)
from openproms.stats.funnel import (
    Z95,
    Z998,
    classify,
    funnel_limits,
    unadjusted_funnel,
)
from openproms.stats.psychometrics import NotEnoughData

DATA = Path(__file__).parent / "data"
REFERENCE: dict[str, Any] = json.loads(
    (DATA / "funnel_reference.json").read_text(encoding="utf-8")
)
FIELDS = ("mean", "expected", "lower95", "upper95", "lower998", "upper998")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _assert_groups(groups: Any, expected: list[dict[str, Any]]) -> None:
    assert [g.group for g in groups] == [e["group"] for e in expected]
    for g, e in zip(groups, expected, strict=True):
        assert g.n == e["n"]
        for field in FIELDS:
            assert getattr(g, field) == pytest.approx(e[field], abs=1e-9), field


def test_z_values_are_the_normal_quantiles_to_six_decimals() -> None:
    assert pytest.approx(sps.norm.ppf(0.975), abs=5e-7) == Z95
    assert pytest.approx(sps.norm.ppf(0.999), abs=5e-7) == Z998


def test_hand_worked_unadjusted_funnel() -> None:
    # Values 2, 4, 6 in group A and 8, 10 in group B. Overall mean 30 / 5 = 6;
    # SD = sqrt((16 + 4 + 0 + 4 + 16) / 4) = sqrt(10). Group A: mean 4, n 3,
    # 99.8% limits 6 -/+ 3.090232 sqrt(10 / 3) = 0.3581.. to 11.6419..; group B:
    # mean 9, n 2, 95% limits 6 -/+ 1.959964 sqrt(5) = 1.6174.. to 10.3826...
    f = unadjusted_funnel([2, 4, 6, 8, 10], ["A", "A", "A", "B", "B"])
    assert (f.n, f.df, f.expected) == (5, 4, 6.0)
    assert f.sd == pytest.approx(math.sqrt(10))
    a, b = f.groups
    assert (a.group, a.n, a.mean) == ("A", 3, 4.0)
    assert a.lower998 == pytest.approx(6 - 3.090232 * math.sqrt(10 / 3))
    assert a.upper998 == pytest.approx(6 + 3.090232 * math.sqrt(10 / 3))
    assert (b.group, b.n, b.mean) == ("B", 2, 9.0)
    assert b.lower95 == pytest.approx(6 - 1.959964 * math.sqrt(5))
    assert b.upper95 == pytest.approx(6 + 1.959964 * math.sqrt(5))
    assert a.outlier is None and b.outlier is None


def test_unadjusted_funnel_matches_r_on_chickweight() -> None:
    rows = _rows("chickweight.csv")
    f = unadjusted_funnel([float(r["day21"]) for r in rows], [r["diet"] for r in rows])
    _assert_groups(f.groups, REFERENCE["chickweight_unadjusted"])


def test_baseline_funnel_matches_r_lm_on_chickweight() -> None:
    rows = _rows("chickweight.csv")
    ref = REFERENCE["chickweight_baseline"]
    f = baseline_funnel(
        [float(r["day21"]) for r in rows],
        [r["diet"] for r in rows],
        [float(r["day0"]) for r in rows],
    )
    assert f.sd == pytest.approx(ref["sigma"], abs=1e-9)
    assert f.df == len(rows) - 2
    assert dict(f.coefficients) == pytest.approx(
        {"intercept": ref["intercept"], "baseline": ref["slope"]}, abs=1e-9
    )
    _assert_groups(f.groups, ref["groups"])


def test_baseline_funnel_matches_scipy_linregress() -> None:
    rng = np.random.default_rng(11)
    n = 300
    groups = [f"G{int(i)}" for i in rng.integers(0, 6, n)]
    base = rng.normal(20, 6, n)
    value = 5 + 0.6 * base + rng.normal(0, 4, n)
    value[np.array(groups) == "G3"] += 4  # one group does better
    fit = sps.linregress(base, value)
    residual = value - (fit.intercept + fit.slope * base)
    s = math.sqrt(float(residual @ residual) / (n - 2))
    f = baseline_funnel(list(value), groups, list(base))
    assert f.sd == pytest.approx(s, rel=1e-10)
    labels = np.array(groups)
    for g in f.groups:
        chosen = labels == g.group
        adjusted = value[chosen].mean() - (
            fit.intercept + fit.slope * base[chosen].mean()
        )
        assert g.mean == pytest.approx(adjusted + value.mean(), rel=1e-10)
        assert g.upper998 == pytest.approx(
            value.mean() + 3.090232 * s / math.sqrt(g.n), rel=1e-12
        )
    flagged = {g.group: g.outlier for g in f.groups}
    assert flagged["G3"] == "high"


def test_casemix_funnel_matches_r_lm_with_factors() -> None:
    rows = _rows("casemix.csv")
    ref = REFERENCE["casemix"]
    f = casemix_funnel(
        [float(r["change"]) for r in rows],
        [r["service"] for r in rows],
        numeric={"first score": [float(r["first_score"]) for r in rows]},
        categorical={
            "age band": [r["age_band"] for r in rows],
            "sex": [r["sex"] or None for r in rows],
        },
    )
    assert f.sd == pytest.approx(ref["sigma"], abs=1e-9)
    assert f.df == ref["df"]
    assert "sex: Not recorded" in f.adjusted_for
    _assert_groups(f.groups, ref["groups"])


def test_the_reference_level_does_not_change_adjusted_means() -> None:
    rows = _rows("casemix.csv")
    y = np.array([float(r["change"]) for r in rows])
    first = np.array([float(r["first_score"]) for r in rows])
    ages = [r["age_band"] for r in rows]
    model = fit_casemix(y, numeric={"first": first}, categorical={"age": ages})
    # scipy, with the first level (not the most common) as reference
    levels = sorted(set(ages))
    x = np.column_stack(
        [np.ones(len(y)), first]
        + [np.array([a == lv for a in ages], dtype=float) for lv in levels[1:]]
    )
    coef, *_ = sla.lstsq(x, y)
    assert model.fitted == pytest.approx(x @ coef, abs=1e-9)


def test_design_matrix_names_dummies_and_keeps_not_recorded() -> None:
    x, terms = design_matrix(
        5,
        {"first": [1.0, 2.0, 3.0, 4.0, 5.0]},
        {"sex": ["F", "F", "M", None, "F"]},
    )
    assert terms == ("intercept", "first", "sex: M", f"sex: {NOT_RECORDED}")
    assert x[:, 3].tolist() == [0, 0, 0, 1, 0]


def test_collinear_factors_still_give_unique_fitted_values() -> None:
    y = [1.0, 2.0, 3.0, 5.0, 8.0, 13.0]
    same = ["a", "a", "b", "b", "c", "c"]
    model = fit_casemix(y, categorical={"f1": same, "f2": list(same)})
    assert model.rank == 3
    assert model.df == 3
    assert model.fitted == pytest.approx([1.5, 1.5, 4, 4, 10.5, 10.5])


def test_too_few_people_for_the_model_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData, match="cannot fit"):
        baseline_funnel([1.0, 2.0], ["A", "B"], [3.0, 5.0])
    with pytest.raises(NotEnoughData):
        unadjusted_funnel([1.0], ["A"])
    with pytest.raises(ValueError, match="group name"):
        unadjusted_funnel([1.0, 2.0], ["A", ""])
    with pytest.raises(ValueError, match="finite"):
        unadjusted_funnel([1.0, math.nan], ["A", "B"])


def test_outliers_are_beyond_the_998_limits_only() -> None:
    assert classify(10.0, 0.0, 10.0) is None  # on the limit is not beyond it
    assert classify(10.0001, 0.0, 10.0) == "high"
    assert classify(-0.0001, 0.0, 10.0) == "low"
    low, high = funnel_limits(5.0, 2.0, 4, Z95)
    assert (low, high) == pytest.approx((5 - Z95, 5 + Z95))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=6, max_value=150),
    n_groups=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_adjusted_means_weighted_by_n_average_to_the_expected_value(
    n: int, n_groups: int, seed: int
) -> None:
    # Least squares with an intercept leaves residuals summing to zero, so the
    # groups' adjusted means, weighted by n, average to the overall mean.
    rng = np.random.default_rng(seed)
    groups = [f"G{int(i)}" for i in rng.integers(0, n_groups, n)]
    base = rng.normal(size=n)
    y = base + rng.normal(size=n)
    f = baseline_funnel(list(y), groups, list(base))
    weighted = sum(g.n * g.mean for g in f.groups) / f.n
    assert weighted == pytest.approx(f.expected, abs=1e-9)
    for g in f.groups:
        assert g.lower998 < g.lower95 < g.expected < g.upper95 < g.upper998
