"""Student's t and Snedecor's F distributions (CDF and quantiles) in plain Python.

Only what the group statistics and psychometrics need: two-sided t intervals, and the
F quantiles of Feldt's interval for Cronbach's alpha and of McGraw & Wong's interval
for an ICC. No scipy at run time (see docs/decisions/0003-disclosure-control.md and
docs/stats.md); the tests pin these functions to ``scipy.stats.t`` / ``scipy.stats.f``
and to R's ``qt`` / ``qf``.

* CDF: for t > 0, ``P(T <= t) = 1 - I_x(df/2, 1/2) / 2`` with ``x = df / (df + t^2)``,
  where ``I_x(a, b)`` is the regularised incomplete beta function (Abramowitz &
  Stegun 1964, 26.7.1 and 26.5.2), evaluated by its continued fraction with the
  modified Lentz method (Press et al., Numerical Recipes, 3rd ed., section 6.4).
* Quantile: Newton's method on the CDF from a Cornish-Fisher start (Hill 1970,
  Algorithm 396, Comm. ACM 13:619), kept inside a bisection bracket.
* F CDF: ``P(F <= f) = I_x(d1/2, d2/2)`` with ``x = d1 f / (d1 f + d2)``
  (Abramowitz & Stegun 1964, 26.6.2); degrees of freedom need not be whole numbers
  (Satterthwaite's approximate df in McGraw & Wong's ICC interval are not).
* F quantile: the beta quantile ``y`` with ``I_y(d1/2, d2/2) = p`` by Newton steps on
  the incomplete beta function inside a bisection bracket, then ``f = d2 y / (d1 (1 -
  y))``.
"""

from __future__ import annotations

import functools
import math
from statistics import NormalDist

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 20_000


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction for I_x(a, b) (Numerical Recipes 6.4, modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError("incomplete beta continued fraction did not converge")


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) = B(x; a, b) / B(a, b) for a, b > 0 and 0 <= x <= 1.

    Uses the continued fraction directly when ``x < (a + 1) / (a + b + 2)`` and the
    symmetry ``I_x(a, b) = 1 - I_{1-x}(b, a)`` otherwise (Numerical Recipes 6.4).
    """
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if not 0.0 <= x <= 1.0:
        raise ValueError("x must be between 0 and 1")
    if x in (0.0, 1.0):
        return x
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom (A&S 26.7.1)."""
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def _t_pdf(t: float, df: float) -> float:
    log_pdf = (
        math.lgamma((df + 1.0) / 2.0)
        - math.lgamma(df / 2.0)
        - 0.5 * math.log(df * math.pi)
        - (df + 1.0) / 2.0 * math.log1p(t * t / df)
    )
    return math.exp(log_pdf)


def _cornish_fisher_start(p: float, df: float) -> float:
    """Hill (1970) expansion of the t quantile in powers of 1/df around z."""
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4.0
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0
    return z + g1 / df + g2 / df**2 + g3 / df**3


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The t value with ``P(T <= t) = p`` (Student's t, ``df`` degrees of freedom).

    Newton's method on :func:`t_cdf` from a Cornish-Fisher start, safeguarded by
    bisection; accurate to about 1e-12 relative (pinned to scipy and R in tests).
    """
    if df <= 0:
        raise ValueError("degrees of freedom must be positive")
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if df == 1:  # Cauchy: exact
        return math.tan(math.pi * (p - 0.5))
    if df == 2:  # exact (e.g. Johnson, Kotz & Balakrishnan 1995, ch. 28)
        q = 4.0 * p * (1.0 - p)
        return (2.0 * p - 1.0) * math.sqrt(2.0 / q)
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    x = _cornish_fisher_start(p, df)
    if not lo < x < hi:
        x = (lo + hi) / 2.0
    for _ in range(200):
        f = t_cdf(x, df) - p
        if f == 0.0:
            return x
        if f < 0:
            lo = x
        else:
            hi = x
        step = f / _t_pdf(x, df)
        new = x - step
        if not lo < new < hi:
            new = (lo + hi) / 2.0
        if abs(new - x) <= 1e-14 * max(1.0, abs(x)):
            return new
        x = new
    return x


def normal_quantile(p: float) -> float:
    """The standard normal quantile (``statistics.NormalDist().inv_cdf``)."""
    return NormalDist().inv_cdf(p)


def _beta_log_pdf(a: float, b: float, y: float) -> float:
    return (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + (a - 1.0) * math.log(y)
        + (b - 1.0) * math.log1p(-y)
    )


def beta_quantile(p: float, a: float, b: float) -> float:
    """The ``y`` with ``I_y(a, b) = p`` (the quantile of the Beta(a, b) distribution).

    Newton's method on :func:`regularized_incomplete_beta` (its derivative is the
    beta density), each step kept inside a bisection bracket, to about 1e-15 in y.
    """
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    lo, hi = 0.0, 1.0
    y = a / (a + b)  # the mean: a safe start inside the bracket
    for _ in range(400):
        f = regularized_incomplete_beta(a, b, y) - p
        if f == 0.0:
            return y
        if f < 0:
            lo = y
        else:
            hi = y
        try:
            step = f / math.exp(_beta_log_pdf(a, b, y))
        except (OverflowError, ValueError, ZeroDivisionError):
            step = math.inf
        new = y - step
        if not lo < new < hi:
            new = (lo + hi) / 2.0
        if abs(new - y) <= 1e-15 * max(y, 1e-300) or hi - lo <= 1e-300:
            return new
        y = new
    return y


def f_cdf(f: float, df1: float, df2: float) -> float:
    """P(F <= f) for Snedecor's F with ``df1`` and ``df2`` degrees of freedom.

    ``I_x(df1 / 2, df2 / 2)`` with ``x = df1 f / (df1 f + df2)`` (Abramowitz & Stegun
    1964, 26.6.2); the degrees of freedom may be fractional.
    """
    if df1 <= 0 or df2 <= 0:
        raise ValueError("degrees of freedom must be positive")
    if f <= 0:
        return 0.0
    if math.isinf(f):
        return 1.0
    x = df1 * f / (df1 * f + df2)
    if x > 0.5:
        # Near 1, x itself rounds to 1.0 (a huge f with few df2): use the exact
        # complement 1 - x = df2 / (df1 f + df2) and I_x(a, b) = 1 - I_{1-x}(b, a).
        return 1.0 - regularized_incomplete_beta(
            df2 / 2.0, df1 / 2.0, df2 / (df1 * f + df2)
        )
    return regularized_incomplete_beta(df1 / 2.0, df2 / 2.0, x)


@functools.lru_cache(maxsize=4096)
def f_quantile(p: float, df1: float, df2: float) -> float:
    """The F value with ``P(F <= f) = p`` (Snedecor's F, ``df1`` and ``df2`` degrees
    of freedom, which may be fractional).

    From the beta quantile: if ``y`` solves ``I_y(df1/2, df2/2) = p`` then ``f = df2 y
    / (df1 (1 - y))`` (A&S 26.6.2); above the median ``1 - y`` is solved from
    ``I_{1-y}(df2/2, df1/2) = 1 - p`` instead, so ``y`` near 1 loses no precision. Pinned to scipy's ``f.ppf`` and R's ``qf`` in
    tests (about 1e-10 relative).
    """
    if df1 <= 0 or df2 <= 0:
        raise ValueError("degrees of freedom must be positive")
    if not 0.0 < p < 1.0:
        raise ValueError("p must be strictly between 0 and 1")
    if p > 0.5:  # solve for 1 - y, by symmetry, so y near 1 keeps its precision
        z = beta_quantile(1.0 - p, df2 / 2.0, df1 / 2.0)
        return df2 * (1.0 - z) / (df1 * z)
    y = beta_quantile(p, df1 / 2.0, df2 / 2.0)
    return df2 * y / (df1 * (1.0 - y))
