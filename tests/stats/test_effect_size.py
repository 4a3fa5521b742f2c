"""Mean change intervals and effect sizes, pinned to published worked examples and
to independent scipy computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from scipy.optimize import brentq
from scipy.special import gamma

from openproms.stats import (
    hedges_correction,
    paired_t_interval,
    standardised_change_dz,
    standardised_mean_change,
)

# Student's sleep data (Cushny & Peebles 1905; Student 1908): extra hours of sleep
# for 10 patients on two drugs. R's datasets::sleep, whose help page runs
# t.test(extra[group == 1], extra[group == 2], paired = TRUE), printing
# t = -4.0621, df = 9, 95% CI -2.4598858 -0.7001142, mean difference -1.58.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_paired_t_interval_reproduces_r_on_students_sleep_data() -> None:
    diffs = [a - b for a, b in zip(SLEEP_1, SLEEP_2, strict=True)]
    est = paired_t_interval(diffs)
    assert est is not None
    assert est.value == pytest.approx(-1.58)
    assert est.low == pytest.approx(-2.4598858, abs=5e-8)
    assert est.high == pytest.approx(-0.7001142, abs=5e-8)
    assert est.value / est.se == pytest.approx(-4.0621, abs=5e-5)
    assert est.method == "paired t, df = 9"


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-50, max_value=50, allow_nan=False),
        min_size=2,
        max_size=60,
    ).filter(lambda xs: max(xs) - min(xs) > 1e-6),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_paired_t_interval_agrees_with_scipy(diffs: list[float], level: float) -> None:
    est = paired_t_interval(diffs, level)
    assert est is not None
    arr = np.asarray(diffs)
    low, high = sps.t.interval(
        level, len(diffs) - 1, loc=arr.mean(), scale=sps.sem(arr)
    )
    assert est.low == pytest.approx(low, rel=1e-9, abs=1e-9)
    assert est.high == pytest.approx(high, rel=1e-9, abs=1e-9)


def test_paired_t_interval_needs_two_pairs() -> None:
    assert paired_t_interval([3.0]) is None
    with pytest.raises(ValueError):
        paired_t_interval([1.0, math.nan])


# Morris (2008), Organ Res Methods 11:364, Table 1: five training studies from
# Carlson & Schmidt (1999). metafor's test suite (test_analysis_example_morris2008.r)
# pins escalc(measure = "SMCR", m1i = m_post, m2i = m_pre, sd1i = sd_pre, ni, ri):
# the bias-corrected standardised mean change with the pretest SD and Becker's
# variance 2(1 - r)/n + g^2/(2n), to 4 decimals.
MORRIS_TREATMENT: dict[str, list[float]] = {
    "m_pre": [30.6, 23.5, 0.5, 53.4, 35.6],
    "m_post": [38.5, 26.8, 0.7, 75.9, 36.0],
    "sd_pre": [15.0, 3.1, 0.1, 14.5, 4.7],
    "n": [20, 50, 9, 10, 14],
    "r": [0.47, 0.64, 0.77, 0.89, 0.44],
    "yi": [0.5056, 1.0481, 1.8054, 1.4181, 0.0801],
    "vi": [0.0594, 0.0254, 0.2322, 0.1225, 0.0802],
}
MORRIS_CONTROL: dict[str, list[float]] = {
    "m_pre": [23.1, 24.9, 0.6, 55.7, 34.8],
    "m_post": [19.7, 25.3, 0.6, 60.7, 33.4],
    "sd_pre": [13.8, 4.1, 0.2, 17.3, 3.1],
    "n": [20, 42, 9, 11, 14],
    "r": [0.47, 0.64, 0.77, 0.89, 0.44],
    "yi": [-0.2365, 0.0958, 0.0000, 0.2667, -0.4250],
    "vi": [0.0544, 0.0173, 0.0511, 0.0232, 0.0864],
}


@pytest.mark.parametrize("data", [MORRIS_TREATMENT, MORRIS_CONTROL])
def test_standardised_mean_change_reproduces_metafor_on_morris_2008(
    data: dict[str, list[float]],
) -> None:
    for i in range(5):
        g = standardised_mean_change(
            data["m_pre"][i],
            data["m_post"][i],
            data["sd_pre"][i],
            int(data["n"][i]),
            data["r"][i],
            corrected=True,
        )
        assert g is not None
        assert round(g.value, 4) == pytest.approx(data["yi"][i], abs=1e-12)
        assert round(g.se**2, 4) == pytest.approx(data["vi"][i], abs=1e-12)
        assert g.low == pytest.approx(g.value - 1.959963984540054 * g.se)


def test_morris_2008_table_1_differences_to_two_decimals() -> None:
    # Morris (2008) Table 1: g_T - g_C = 0.74, 0.95, 1.81, 1.15, 0.51.
    published = [0.74, 0.95, 1.81, 1.15, 0.51]
    for i, expected in enumerate(published):
        gs = []
        for data in (MORRIS_TREATMENT, MORRIS_CONTROL):
            est = standardised_mean_change(
                data["m_pre"][i],
                data["m_post"][i],
                data["sd_pre"][i],
                int(data["n"][i]),
                data["r"][i],
                corrected=True,
            )
            assert est is not None
            gs.append(est.value)
        assert round(gs[0] - gs[1], 2) == pytest.approx(expected)


def test_hedges_correction_is_the_exact_gamma_form() -> None:
    for m in (2, 5, 9, 19, 99):
        exact = math.sqrt(2 / m) * gamma(m / 2) / gamma((m - 1) / 2)
        assert hedges_correction(m) == pytest.approx(exact, rel=1e-12)
        assert hedges_correction(m) == pytest.approx(1 - 3 / (4 * m - 1), abs=0.02)
    with pytest.raises(ValueError):
        hedges_correction(1)


def test_headline_d_uses_the_baseline_sd_and_its_becker_interval() -> None:
    first = np.array([20.0, 18, 15, 22, 17, 19, 14, 21, 16, 12])
    latest = np.array([12.0, 10, 11, 15, 9, 14, 13, 8, 12, 10])
    n = first.size
    r = float(np.corrcoef(first, latest)[0, 1])
    d = standardised_mean_change(
        float(first.mean()), float(latest.mean()), float(first.std(ddof=1)), n, r
    )
    assert d is not None
    expected = (latest.mean() - first.mean()) / first.std(ddof=1)
    se = math.sqrt(2 * (1 - r) / n + expected**2 / (2 * n))
    z = sps.norm.ppf(0.975)
    assert d.value == pytest.approx(expected)
    assert (d.low, d.high) == pytest.approx((expected - z * se, expected + z * se))
    assert standardised_mean_change(1, 2, 0.0, 10, 0.5) is None
    assert standardised_mean_change(1, 2, 1.0, 2, 0.5) is None


def test_dz_interval_is_close_to_the_exact_noncentral_t_interval() -> None:
    # d_z * sqrt(n) is noncentral t with n - 1 df: invert it with scipy for the
    # exact interval; the normal approximation we ship is within 0.02 at n = 60.
    rng = np.random.default_rng(7)
    change = rng.normal(-3.0, 5.0, size=60)
    n = change.size
    est = standardised_change_dz(float(change.mean()), float(change.std(ddof=1)), n)
    assert est is not None
    t_obs = est.value * math.sqrt(n)

    def bound(q: float) -> float:
        return float(brentq(lambda nc: sps.nct.cdf(t_obs, n - 1, nc) - q, -20, 20))

    exact_low, exact_high = bound(0.975) / math.sqrt(n), bound(0.025) / math.sqrt(n)
    assert est.low == pytest.approx(exact_low, abs=0.02)
    assert est.high == pytest.approx(exact_high, abs=0.02)
    assert est.se == pytest.approx(math.sqrt(1 / n + est.value**2 / (2 * n)))
    assert standardised_change_dz(1.0, 0.0, 10) is None
