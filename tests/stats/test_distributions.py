"""Student's t in plain Python, pinned to scipy and to published t-table values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from openproms.stats import t_cdf, t_quantile
from openproms.stats.distributions import regularized_incomplete_beta


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
