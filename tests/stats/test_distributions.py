"""Student's t and Snedecor's F in plain Python, pinned to scipy, to R and to
published t- and F-table values."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from openproms.stats import t_cdf, t_quantile
from openproms.stats.distributions import (
    beta_quantile,
    f_cdf,
    f_quantile,
    regularized_incomplete_beta,
)


@pytest.mark.parametrize(
    ("df", "table_value"),
    # Two-sided 95% critical values as printed in t tables (NIST/SEMATECH
    # e-Handbook of Statistical Methods, 1.3.6.7.2, to 3 decimals).
    [(1, 12.706), (2, 4.303), (9, 2.262), (30, 2.042), (100, 1.984)],
)
def test_t_quantile_matches_published_critical_values(
    df: int, table_value: float
) -> None:
    assert round(t_quantile(0.975, df), 3) == table_value
    assert t_quantile(0.975, df) == pytest.approx(
        float(sps.t.ppf(0.975, df)), rel=1e-12
    )


@settings(max_examples=150, deadline=None)
@given(
    p=st.floats(min_value=1e-6, max_value=1 - 1e-6),
    df=st.one_of(
        st.integers(min_value=1, max_value=5_000),
        st.floats(min_value=0.5, max_value=300.0),
    ),
)
def test_t_quantile_and_cdf_agree_with_scipy(p: float, df: float) -> None:
    q = t_quantile(p, df)
    assert q == pytest.approx(float(sps.t.ppf(p, df)), rel=1e-9, abs=1e-9)
    assert t_cdf(q, df) == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_t_cdf_is_symmetric_and_handles_the_extremes() -> None:
    assert t_cdf(0.0, 7) == 0.5
    assert t_cdf(1.3, 7) + t_cdf(-1.3, 7) == pytest.approx(1.0)
    assert t_cdf(math.inf, 3) == 1.0 and t_cdf(-math.inf, 3) == 0.0
    assert math.isnan(t_cdf(math.nan, 3))
    assert t_quantile(0.5, 12) == 0.0


def test_incomplete_beta_matches_scipy() -> None:
    for a, b, x in [(0.5, 0.5, 0.3), (2.0, 3.0, 0.7), (50.0, 0.5, 0.99), (1, 1, 0.25)]:
        assert regularized_incomplete_beta(a, b, x) == pytest.approx(
            float(sps.beta.cdf(x, a, b)), rel=1e-12
        )


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        t_quantile(0.0, 5)
    with pytest.raises(ValueError):
        t_quantile(0.5, 0)
    with pytest.raises(ValueError):
        t_cdf(1.0, -1)
    with pytest.raises(ValueError):
        regularized_incomplete_beta(1.0, 1.0, 1.5)


# ------------------------------------------------------------------ F


def _reference() -> dict[str, object]:
    import json
    from pathlib import Path

    path = Path(__file__).parent / "data" / "psych_reference.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def test_f_quantile_matches_r_qf() -> None:
    # R's qf() at the quantiles Feldt's interval and McGraw & Wong's need, written
    # by tests/stats/data/psych_reference.R (fractional df included).
    cases = _reference()["f_quantiles"]
    assert isinstance(cases, list) and len(cases) == 8
    for p, df1, df2, r_value in cases:
        assert f_quantile(p, df1, df2) == pytest.approx(r_value, rel=1e-12)


@pytest.mark.parametrize(
    ("df1", "df2", "table_value"),
    # Upper 5% points of F as printed in F tables (NIST/SEMATECH e-Handbook of
    # Statistical Methods, 1.3.6.7.3, to 3 decimals).
    [(1, 1, 161.448), (5, 10, 3.326), (10, 20, 2.348), (3, 100, 2.696)],
)
def test_f_quantile_matches_published_table_values(
    df1: int, df2: int, table_value: float
) -> None:
    assert round(f_quantile(0.95, df1, df2), 3) == table_value


@settings(max_examples=200, deadline=None)
@given(
    p=st.floats(min_value=1e-6, max_value=1 - 1e-6),
    df1=st.one_of(
        st.floats(min_value=0.5, max_value=50.0),
        st.integers(min_value=1, max_value=100_000),
    ),
    df2=st.one_of(
        st.floats(min_value=0.5, max_value=50.0),
        st.integers(min_value=1, max_value=400_000),
    ),
)
# A huge F (1.7e19) whose beta argument rounds to 1.0 unless its complement is used.
@example(p=0.99999, df1=1, df2=0.5)
def test_f_quantile_and_cdf_agree_with_scipy(p: float, df1: float, df2: float) -> None:
    q = f_quantile(p, df1, df2)
    assert q == pytest.approx(float(sps.f.ppf(p, df1, df2)), rel=1e-8)
    assert f_cdf(q, df1, df2) == pytest.approx(p, rel=1e-9, abs=1e-12)


def test_beta_quantile_inverts_the_incomplete_beta() -> None:
    for a, b, p in [(0.5, 0.5, 0.1), (2.0, 3.0, 0.5), (400.0, 7.0, 0.99)]:
        y = beta_quantile(p, a, b)
        assert y == pytest.approx(float(sps.beta.ppf(p, a, b)), rel=1e-10)
        assert regularized_incomplete_beta(a, b, y) == pytest.approx(p, rel=1e-12)


def test_f_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        f_quantile(0.5, 0, 3)
    with pytest.raises(ValueError, match="strictly between"):
        f_quantile(1.0, 2, 3)
    assert f_cdf(0.0, 2, 3) == 0.0
    assert f_cdf(math.inf, 2, 3) == 1.0
