"""Mean change with its t interval, and standardised effect sizes for paired scores.

Formulas (each function's docstring gives its own, with the reference):

* paired t interval: ``mean_diff +/- t(1 - alpha/2, n - 1) * SD_diff / sqrt(n)``
  (Student 1908; any textbook, e.g. NIST/SEMATECH e-Handbook 1.3.5.2);
* standardised mean change with the baseline SD, ``d = (M_latest - M_first) /
  SD_first`` (Becker 1988, "raw-score standardisation"; the effect size of routine
  PROMs reporting), with Becker's large-sample variance ``2 (1 - r) / n + d^2 /
  (2 n)`` (Becker 1988; Morris 2000; metafor's ``escalc(measure = "SMCR")``);
* ``d_z = mean_diff / SD_diff`` with variance ``1 / n + d_z^2 / (2 n)`` (Cohen 1988,
  section 2.3.5; Lakens 2013);
* Hedges' small-sample correction ``c(m) = sqrt(2 / m) Gamma(m / 2) / Gamma((m - 1) /
  2)``, m = n - 1 (Hedges 1981; as metafor applies it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from openproms.stats.distributions import normal_quantile, t_quantile

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its standard error and confidence interval."""

    value: float
    se: float
    low: float
    high: float
    confidence: float
    method: str


def _as_array(values: Sequence[float] | FloatArray) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError("expected a one-dimensional sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values must be finite numbers (drop missing scores first)")
    return arr


def paired_t_interval(
    changes: Sequence[float] | FloatArray, confidence: float = 0.95
) -> Estimate | None:
    """Mean of paired differences with its Student t confidence interval.

    ``mean +/- t(1 - alpha/2, n - 1) * s / sqrt(n)``, s the sample SD of the
    differences (ddof = 1) (Student 1908; NIST/SEMATECH e-Handbook of Statistical
    Methods, 1.3.5.2). Matches R's ``t.test(x, y, paired = TRUE)``. None when
    fewer than two differences.
    """
    d = _as_array(changes)
    n = int(d.size)
    if n < 2:
        return None
    mean = float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(n)
    half = t_quantile(0.5 + confidence / 2.0, n - 1) * se
    return Estimate(
        mean, se, mean - half, mean + half, confidence, f"paired t, df = {n - 1}"
    )


def hedges_correction(m: int) -> float:
    """Exact small-sample bias correction ``c(m) = sqrt(2/m) G(m/2) / G((m-1)/2)``.

    Hedges (1981), J Educ Stat 6:107; m = n - 1 for a standardised mean change
    (Becker 1988), as metafor's ``escalc`` uses it. Close to ``1 - 3 / (4m - 1)``.
    """
    if m < 2:
        raise ValueError("m must be at least 2")
    return math.exp(
        0.5 * math.log(2.0 / m) + math.lgamma(m / 2.0) - math.lgamma((m - 1) / 2.0)
    )


def standardised_mean_change(
    mean_first: float,
    mean_latest: float,
    sd_first: float,
    n: int,
    r: float,
    *,
    corrected: bool = False,
    confidence: float = 0.95,
) -> Estimate | None:
    """Standardised mean change with the baseline SD ("d", raw-score standardised).

    ``d = (M_latest - M_first) / SD_first`` (Becker 1988, Br J Math Stat Psychol
    41:257; Morris 2000, Br J Math Stat Psychol 53:17), the effect size of routine
    outcome reports. With ``corrected=True`` it is Hedges' g, ``c(n - 1) * d``
    (metafor ``escalc(measure = "SMCR")``). Its large-sample variance is
    ``var = 2 (1 - r) / n + es^2 / (2 n)`` with r the first-latest correlation
    (Becker 1988; the same expression metafor uses), and the interval is
    ``es +/- z(1 - alpha/2) * sqrt(var)`` (a normal approximation: with n >= 8 it
    is close to the exact noncentral interval except for large effects).
    None when n < 3 or SD_first is 0.
    """
    if n < 3 or not sd_first > 0 or not -1.0 <= r <= 1.0:
        return None
    es = (mean_latest - mean_first) / sd_first
    if corrected:
        es *= hedges_correction(n - 1)
    var = 2.0 * (1.0 - r) / n + es * es / (2.0 * n)
    se = math.sqrt(var)
    z = normal_quantile(0.5 + confidence / 2.0)
    method = "Hedges' g (baseline SD)" if corrected else "Cohen's d (baseline SD)"
    return Estimate(
        es, se, es - z * se, es + z * se, confidence, method + ", Becker 1988 variance"
    )


def standardised_change_dz(
    mean_change: float, sd_change: float, n: int, *, confidence: float = 0.95
) -> Estimate | None:
    """``d_z = mean_change / SD_change`` (Cohen 1988, 2.3.5; Lakens 2013, Front
    Psychol 4:863), with variance ``1 / n + d_z^2 / (2 n)`` and the normal
    interval ``d_z +/- z * se``. d_z is ``t / sqrt(n)``: it says how consistent
    the change is, not how large against the spread of scores, so it is reported
    beside the headline baseline-SD d, never instead of it. None when n < 3 or
    SD_change is 0.
    """
    if n < 3 or not sd_change > 0:
        return None
    dz = mean_change / sd_change
    se = math.sqrt(1.0 / n + dz * dz / (2.0 * n))
    z = normal_quantile(0.5 + confidence / 2.0)
    return Estimate(dz, se, dz - z * se, dz + z * se, confidence, "d_z (SD of change)")
