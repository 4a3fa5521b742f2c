"""Item analysis pinned to R's psych package on public data.

Reference values come from psych 2.2.9 (``alpha()``, ``alpha.ci()``, ``omega(...,
nfactors = 1)``) and are written to tests/stats/data/psych_reference.json by
tests/stats/data/psych_reference.R (its printed output is psych_reference.out).
The data: psych's ``bfi`` Agreeableness and Conscientiousness items (2,800 people,
answers 1-6, some missing; tests/stats/data/bfi_ac.csv) and R's ``attitude`` (30
rows; attitude.csv).
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
from scipy import stats as sps

from openproms.stats.psychometrics import (
    NotEnoughData,
    alpha_interval,
    cronbach_alpha,
    floor_ceiling,
    one_factor_minres,
    scale_analysis,
    subscale_analysis,
)

DATA = Path(__file__).parent / "data"
REFERENCE: dict[str, Any] = json.loads(
    (DATA / "psych_reference.json").read_text(encoding="utf-8")
)


def _columns(name: str, items: list[str]) -> dict[str, list[float | None]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {i: [float(r[i]) if r[i] else None for r in rows] for i in items}


def _analyse(label: str, csv_name: str) -> tuple[Any, dict[str, Any]]:
    ref = REFERENCE[label]
    result = scale_analysis(
        _columns(csv_name, ref["items"]),
        minimum=ref["min"],
        maximum=ref["max"],
        reverse=ref["reverse"],
    )
    return result, ref


CASES = [
    ("agreeableness", "bfi_ac.csv"),
    ("conscientiousness", "bfi_ac.csv"),
    ("attitude", "attitude.csv"),
]


@pytest.mark.parametrize(("label", "csv_name"), CASES)
def test_alpha_and_its_feldt_interval_match_psych(label: str, csv_name: str) -> None:
    result, ref = _analyse(label, csv_name)
    assert result.rows == ref["rows"]
    assert result.n == ref["n"]
    assert result.excluded == ref["rows"] - ref["n"]
    assert result.alpha == pytest.approx(ref["alpha"], abs=1e-12)
    assert result.alpha_ci is not None
    assert result.alpha_ci.low == pytest.approx(ref["alpha_ci"][0], abs=1e-12)
    assert result.alpha_ci.high == pytest.approx(ref["alpha_ci"][1], abs=1e-12)
    assert result.mean_inter_item_correlation == pytest.approx(
        ref["average_r"], abs=1e-12
    )


@pytest.mark.parametrize(("label", "csv_name"), CASES)
def test_omega_total_matches_psych_one_factor_minres(label: str, csv_name: str) -> None:
    # psych fits minres by numerical optimisation (optim, L-BFGS-B); ours iterates
    # principal axes to convergence: the two agree to psych's tolerance.
    result, ref = _analyse(label, csv_name)
    assert result.omega_total == pytest.approx(ref["omega_total"], abs=1e-6)
    assert result.factor is not None and result.factor.converged
    assert result.factor.loadings == pytest.approx(ref["loadings"], abs=1e-5)
    assert result.factor.uniquenesses == pytest.approx(ref["uniquenesses"], abs=1e-5)


@pytest.mark.parametrize(("label", "csv_name"), CASES)
def test_item_statistics_match_psych(label: str, csv_name: str) -> None:
    result, ref = _analyse(label, csv_name)
    stats = result.item_statistics
    assert [s.item for s in stats] == ref["items"]
    assert [s.mean for s in stats] == pytest.approx(ref["mean"], abs=1e-12)
    assert [s.sd for s in stats] == pytest.approx(ref["sd"], abs=1e-12)
    assert [s.corrected_item_total for s in stats] == pytest.approx(
        ref["r_drop"], abs=1e-12
    )
    assert [s.alpha_if_dropped for s in stats] == pytest.approx(
        ref["alpha_if_dropped"], abs=1e-12
    )
    assert [s.floor for s in stats] == pytest.approx(ref["floor"], abs=1e-12)
    assert [s.ceiling for s in stats] == pytest.approx(ref["ceiling"], abs=1e-12)
    assert [s.missing for s in stats] == ref["missing"]
    assert result.floor == pytest.approx(ref["total_floor"], abs=1e-12)
    assert result.ceiling == pytest.approx(ref["total_ceiling"], abs=1e-12)
    assert np.array(result.inter_item_correlations, dtype=float) == pytest.approx(
        np.array(ref["correlations"]), abs=1e-12
    )


def test_agreeableness_reads_as_psych_prints_it() -> None:
    # psych prints raw_alpha 0.70 with Feldt 0.69 to 0.72 and r.drop 0.31 for A1
    # (psych_reference.out), for the 2,709 people who answered all five.
    result, _ = _analyse("agreeableness", "bfi_ac.csv")
    assert result.alpha is not None and result.alpha_ci is not None
    assert (round(result.alpha, 2), result.n) == (0.70, 2709)
    assert (round(result.alpha_ci.low, 2), round(result.alpha_ci.high, 2)) == (
        0.69,
        0.72,
    )
    assert result.item_statistics[0].corrected_item_total is not None
    assert round(result.item_statistics[0].corrected_item_total, 2) == 0.31
    assert result.warnings == ()


def test_reverse_is_min_plus_max_minus_x() -> None:
    cols = _columns("bfi_ac.csv", ["A1", "A2", "A3"])
    flipped = dict(cols, A1=[None if v is None else 7 - v for v in cols["A1"]])
    a = scale_analysis(cols, minimum=1, maximum=6, reverse=["A1"])
    b = scale_analysis(flipped, minimum=1, maximum=6)
    assert a.alpha == pytest.approx(b.alpha, abs=1e-14)
    assert a.item_statistics[0].mean == pytest.approx(b.item_statistics[0].mean)
    # floor and ceiling are of the scored (reversed) answers
    assert a.item_statistics[0].floor == b.item_statistics[0].floor


def test_subscales_are_each_analysed_on_their_own_complete_rows() -> None:
    cols = _columns("bfi_ac.csv", [f"A{i}" for i in range(1, 6)] + ["C1", "C2"])
    cols.update(_columns("bfi_ac.csv", ["C3", "C4", "C5"]))
    result = subscale_analysis(
        cols,
        {
            "Agreeableness": [f"A{i}" for i in range(1, 6)],
            "Conscientiousness": [f"C{i}" for i in range(1, 6)],
        },
        minimum=1,
        maximum=6,
        reverse=["A1", "C4", "C5"],
    )
    assert result["Agreeableness"].alpha == pytest.approx(
        REFERENCE["agreeableness"]["alpha"], abs=1e-12
    )
    assert result["Conscientiousness"].n == REFERENCE["conscientiousness"]["n"]
    assert result["Conscientiousness"].alpha == pytest.approx(
        REFERENCE["conscientiousness"]["alpha"], abs=1e-12
    )


def test_small_samples_are_warned_about_with_their_source() -> None:
    result, _ = _analyse("attitude", "attitude.csv")  # 30 people, 7 questions
    assert len(result.warnings) == 2
    assert "Only 30 people" in result.warnings[0]
    assert "fewer than 50" in result.warnings[0]
    assert "Prinsen et al. 2018" in result.warnings[0]
    assert "5 people per question (35 here)" in result.warnings[1]
    assert "Mokkink et al. 2018" in result.warnings[1]


def test_between_50_and_100_people_is_imprecise_and_omega_doubtful() -> None:
    rng = np.random.default_rng(7)
    common = rng.normal(size=60)
    cols = {
        f"Q{i}": np.clip(np.round(3 + common + rng.normal(size=60)), 1, 5)
        for i in range(12)
    }
    result = scale_analysis(cols, minimum=1, maximum=5)
    assert result.n == 60
    assert any("60 people" in w and "imprecise" in w for w in result.warnings)
    # 12 questions: 5 x 12 = 60 is reached, 6 x 12 = 72 is not: doubtful
    assert any("doubtful" in w for w in result.warnings)


def test_a_question_going_the_other_way_is_flagged() -> None:
    cols = _columns("bfi_ac.csv", ["A1", "A2", "A3"])  # A1 not reversed
    result = scale_analysis(cols, minimum=1, maximum=6)
    first = result.item_statistics[0]
    assert first.corrected_item_total is not None and first.corrected_item_total < 0
    assert any("A1 goes the opposite way" in w for w in result.warnings)


def test_floor_and_ceiling_above_15_percent_are_flagged() -> None:
    cols = {"Q1": [0, 0, 0, 0, 1, 2, 3], "Q2": [0, 0, 0, 1, 1, 3, 3]}
    result = scale_analysis(cols, minimum=0, maximum=3)
    assert result.floor == pytest.approx(300 / 7)
    assert any("floor" in w and "Terwee et al. 2007" in w for w in result.warnings)


def test_a_question_everyone_answers_the_same_gives_no_omega_and_says_why() -> None:
    cols = {"Q1": [1, 2, 3, 4], "Q2": [2, 2, 4, 4], "Q3": [3, 3, 3, 3]}
    result = scale_analysis(cols)
    assert result.omega_total is None
    assert result.item_statistics[2].corrected_item_total is None
    assert result.inter_item_correlations[0][2] is None
    assert result.mean_inter_item_correlation is None
    assert any("Everyone gave the same answer to Q3" in w for w in result.warnings)
    assert result.item_statistics[0].floor is None  # no range given


def test_rows_with_any_missing_answer_are_left_out_and_counted() -> None:
    cols: dict[str, list[float | None]] = {
        "Q1": [1, 2, None, 4, 5, 3],
        "Q2": [2, None, None, 4, 5, 3],
        "Q3": [1, 2, 3, 5, 4, 3],
    }
    result = scale_analysis(cols)
    assert (result.rows, result.n, result.excluded) == (6, 4, 2)
    assert [s.missing for s in result.item_statistics] == [1, 2, 0]
    complete = np.array([[1, 2, 1], [4, 4, 5], [5, 5, 4], [3, 3, 3]], dtype=float)
    assert result.alpha == pytest.approx(cronbach_alpha(complete))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minimum": 1, "maximum": 6, "reverse": ["Q9"]}, "not in the scale"),
        ({"reverse": ["Q1"]}, "needs the lowest and highest"),
        ({"minimum": 1}, "give both"),
        ({"minimum": 1, "maximum": 3}, r"Q2: the answer in row 2 \(4\)"),
    ],
)
def test_bad_arguments_are_refused_naming_what_is_wrong(
    kwargs: dict[str, Any], message: str
) -> None:
    cols = {"Q1": [1, 2, 3], "Q2": [2, 4, 3]}
    with pytest.raises(ValueError, match=message):
        scale_analysis(cols, **kwargs)


def test_too_few_people_or_questions_is_not_enough_data() -> None:
    with pytest.raises(NotEnoughData, match="only 2 of 3"):
        scale_analysis({"Q1": [1, 2, None], "Q2": [2, 3, 3]})
    with pytest.raises(NotEnoughData, match="two questions"):
        scale_analysis({"Q1": [1, 2, 3]})


def _congeneric(n: int, loadings: list[float], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    lam = np.array(loadings)
    return np.asarray(f * lam + rng.normal(size=(n, lam.size)) * np.sqrt(1 - lam**2))


def test_minres_recovers_a_known_one_factor_structure() -> None:
    # A correlation matrix that is exactly one-factor: R = l l' with unit diagonal.
    lam = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    model = one_factor_minres(r)
    assert model.converged
    assert model.loadings == pytest.approx(lam, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(min_value=5, max_value=200),
    k=st.integers(min_value=2, max_value=8),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_alpha_equals_its_covariance_form_and_the_interval_contains_it(
    n: int, k: int, seed: int
) -> None:
    x = _congeneric(n, [0.7] * k, seed)
    a = cronbach_alpha(x)
    assert a is not None
    c = np.cov(x, rowvar=False)
    assert a == pytest.approx(k / (k - 1) * (1 - np.trace(c) / c.sum()), abs=1e-10)
    ci = alpha_interval(a, n, k)
    assert ci is not None and ci.low <= a <= ci.high
    # Feldt: (1 - alpha) / (1 - bound) are F quantiles; check them against scipy
    df1, df2 = n - 1, (n - 1) * (k - 1)
    assert 1 - (1 - a) * sps.f.ppf(0.975, df1, df2) == pytest.approx(ci.low, abs=1e-9)


def test_floor_ceiling_counts_exact_extremes() -> None:
    assert floor_ceiling(np.array([0.0, 0.0, 1.0, 3.0]), 0, 3) == (50.0, 25.0)


def test_omega_total_equals_alpha_for_equal_loadings_in_the_limit() -> None:
    # With equal loadings (tau-equivalent, standardised) omega total and
    # standardised alpha coincide (McDonald 1999): check on the exact matrix.
    lam = np.full(6, 0.6)
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    model = one_factor_minres(r)
    omega = 1 - sum(model.uniquenesses) / r.sum()
    k = 6
    std_alpha = k / (k - 1) * (1 - k / r.sum())
    assert omega == pytest.approx(std_alpha, abs=1e-9)
    assert not math.isnan(omega)


def test_two_questions_get_alpha_but_no_omega() -> None:
    cols = _columns("bfi_ac.csv", ["A2", "A3"])
    result = scale_analysis(cols, minimum=1, maximum=6)
    assert result.alpha is not None and result.omega_total is None
    assert result.item_statistics[0].alpha_if_dropped is None
    assert any("Omega needs at least three questions" in w for w in result.warnings)
