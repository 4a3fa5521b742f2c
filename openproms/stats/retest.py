"""Test-retest agreement and responsiveness of a scale, on an organisation's own data.

* Test-retest: when people answered twice within a short window (and nothing was
  meant to change in between), how closely the two scores agree, as the intraclass
  correlation ICC(A,1) with its confidence interval (:func:`icc_agreement`,
  :func:`retest_agreement`); :func:`retest_pairs` picks each person's first two answers
  within the window.
* Responsiveness: the standardised response mean of change between a first and a
  later score (:func:`standardised_response_mean`).

Every result carries n and warnings when n is too small to trust (the thresholds of
:mod:`openproms.stats.psychometrics`). Pinned to R's psych ``ICC()`` in tests.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from openproms.stats.distributions import f_quantile
from openproms.stats.effect_size import Estimate, FloatArray, standardised_change_dz
from openproms.stats.psychometrics import (
    IMPRECISE_BELOW,
    VERY_IMPRECISE_BELOW,
    Interval,
    NotEnoughData,
)

DEFAULT_RETEST_MAX_DAYS = 14
"""The default longest gap between two answers counted as a retest: a judgement,
not a published rule: long enough that people do not simply remember their
answers, short enough that what is measured has not changed. A parameter, so a
page can offer another window."""

DEFAULT_RETEST_MIN_DAYS = 1
"""Two answers on the same day are not counted as a retest (more likely a duplicate
entry, or remembered answers)."""


@dataclass(frozen=True, slots=True)
class ICC:
    """An intraclass correlation with its interval and the mean squares behind it.

    ``form`` names it in McGraw & Wong's notation (``"ICC(A,1)"``); ``n`` people,
    ``k`` occasions (or raters). ``interval`` is None when it cannot be worked out
    (no residual variation).
    """

    form: str
    value: float
    interval: Interval | None
    n: int
    k: int
    ms_rows: float
    ms_columns: float
    ms_error: float
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Responsiveness:
    """The standardised response mean: ``mean_change / sd_change`` over n pairs.

    ``interval`` is the normal-approximation interval of
    :func:`openproms.stats.effect_size.standardised_change_dz` (the same quantity).
    """

    n: int
    mean_change: float
    sd_change: float
    srm: float
    interval: Estimate | None
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RetestAnswer:
    """One score of one person on one day, for :func:`retest_pairs`."""

    person: Hashable
    on: date
    score: float


def _sample_warnings(n: int, what: str) -> tuple[str, ...]:
    if n < VERY_IMPRECISE_BELOW:
        return (
            f"Only {n} people {what}: figures from fewer than "
            f"{VERY_IMPRECISE_BELOW} people are very imprecise (COSMIN, Prinsen et "
            "al. 2018). Do not draw conclusions from them.",
        )
    if n < IMPRECISE_BELOW:
        return (
            f"{n} people {what}: figures from fewer than {IMPRECISE_BELOW} people "
            "are imprecise (COSMIN, Prinsen et al. 2018).",
        )
    return ()


def icc_agreement(ratings: FloatArray, confidence: float = 0.95) -> ICC:
    """ICC(A,1): two-way model, absolute agreement, single measurement.

    From the two-way analysis of variance of n people (rows) by k occasions
    (columns), with mean squares MSR (people), MSC (occasions) and MSE (residual):

    ``ICC(A,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n)``

    (McGraw KO, Wong SP. Forming inferences about some intraclass correlation
    coefficients. Psychol Methods 1996;1:30-46, case 2A/3A; the same number as
    Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater
    reliability. Psychol Bull 1979;86:420-428, ICC(2,1)). The formula is the same
    whether occasions are taken as random (two-way random) or fixed (two-way
    mixed); for test-retest Koo & Li (J Chiropr Med 2016;15:155-163) recommend
    reading it as two-way mixed, absolute agreement, single measurement. Absolute
    agreement counts a shift between occasions (everyone scoring 2 points higher
    the second time) as disagreement, which consistency (ICC(C,1)) would not.

    Interval: McGraw & Wong (1996, Table 7) with Satterthwaite's approximate
    degrees of freedom ``v``, as psych's ``ICC()`` computes it for ICC2:
    ``L = n (MSR - F* MSE) / (F* (k MSC + (kn - k - n) MSE) + n MSR)``, F* the
    upper quantile of F(n - 1, v), and ``U`` likewise with F(v, n - 1).

    ``ratings`` is n x k with no missing values. Raises :class:`NotEnoughData`
    with fewer than 2 people or 2 occasions, or when nobody's scores vary at all.
    """
    x = np.asarray(ratings, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        raise NotEnoughData("an ICC needs at least 2 people each measured twice")
    if not np.all(np.isfinite(x)):
        raise ValueError("scores must be finite numbers (drop incomplete pairs first)")
    n, k = x.shape
    grand = float(x.mean())
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((x - grand) ** 2).sum())
    ss_error = max(ss_total - ss_rows - ss_cols, 0.0)
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    denominator = msr + (k - 1) * mse + k * (msc - mse) / n
    if not denominator > 0:
        raise NotEnoughData("nobody's scores differ: an ICC cannot be worked out")
    icc = (msr - mse) / denominator
    interval = None
    if mse > 0 and 0.0 < confidence < 1.0:
        g = 1.0 - confidence
        fj = msc / mse
        c = n * (1 + (k - 1) * icc) - k * icc
        v = ((k - 1) * (n - 1) * (k * icc * fj + c) ** 2) / (
            (n - 1) * k**2 * icc**2 * fj**2 + c**2
        )
        f_upper = f_quantile(1.0 - g / 2.0, n - 1, v)
        f_lower = f_quantile(1.0 - g / 2.0, v, n - 1)
        spread = k * msc + (k * n - k - n) * mse
        low = n * (msr - f_upper * mse) / (f_upper * spread + n * msr)
        high = n * (f_lower * msr - mse) / (spread + n * f_lower * msr)
        interval = Interval(low, high, confidence, "McGraw & Wong (1996)")
    return ICC(
        form="ICC(A,1)",
        value=icc,
        interval=interval,
        n=n,
        k=k,
        ms_rows=msr,
        ms_columns=msc,
        ms_error=mse,
        warnings=_sample_warnings(n, "answered twice"),
    )


def retest_agreement(
    first: Sequence[float], second: Sequence[float], confidence: float = 0.95
) -> ICC:
    """ICC(A,1) of each person's first and second score (:func:`icc_agreement`
    with k = 2). Pairs must be complete: use :func:`retest_pairs` to choose them."""
    if len(first) != len(second):
        raise ValueError("first and second scores must pair up (equal lengths)")
    return icc_agreement(np.column_stack([first, second]), confidence)


def retest_pairs(
    answers: Iterable[RetestAnswer],
    *,
    max_days: int = DEFAULT_RETEST_MAX_DAYS,
    min_days: int = DEFAULT_RETEST_MIN_DAYS,
) -> list[tuple[float, float]]:
    """Each person's first two consecutive answers between ``min_days`` and
    ``max_days`` apart, as (first, second) score pairs, in order of person.

    A person with no such pair contributes nothing. Only answers given when the
    thing measured was not expected to change should be passed in (for example,
    two answers before treatment starts).
    """
    if min_days < 0 or max_days < min_days:
        raise ValueError("need 0 <= min_days <= max_days")
    by_person: dict[Hashable, list[RetestAnswer]] = {}
    for a in answers:
        if not math.isfinite(a.score):
            raise ValueError(f"{a.person}: the score on {a.on} is not a number")
        by_person.setdefault(a.person, []).append(a)
    pairs = []
    for person_answers in by_person.values():
        ordered = sorted(person_answers, key=lambda a: a.on)
        for earlier, later in itertools.pairwise(ordered):
            if min_days <= (later.on - earlier.on).days <= max_days:
                pairs.append((earlier.score, later.score))
                break
    return pairs


def standardised_response_mean(
    first: Sequence[float], later: Sequence[float], confidence: float = 0.95
) -> Responsiveness | None:
    """Responsiveness: the standardised response mean, ``SRM = mean(d) / SD(d)``,
    d = later - first for each person, SD with n - 1 (Liang MH, Fossel AH, Larson
    MG. Comparisons of five health status instruments for orthopedic evaluation.
    Med Care 1990;28:632-642; Husted JA, Cook RJ, Farewell VT, Gladman DD. Methods
    for assessing responsiveness: a critical review and recommendations. J Clin
    Epidemiol 2000;53:459-468). Its sign follows the scale (a fall is an
    improvement where lower is better). None with fewer than 2 pairs or when
    everyone changed by the same amount.
    """
    if len(first) != len(later):
        raise ValueError("first and later scores must pair up (equal lengths)")
    d = np.asarray(later, dtype=np.float64) - np.asarray(first, dtype=np.float64)
    if not np.all(np.isfinite(d)):
        raise ValueError("scores must be finite numbers (drop incomplete pairs first)")
    n = int(d.size)
    if n < 2:
        return None
    sd = float(d.std(ddof=1))
    if not sd > 0:
        return None
    mean = float(d.mean())
    return Responsiveness(
        n=n,
        mean_change=mean,
        sd_change=sd,
        srm=mean / sd,
        interval=standardised_change_dz(mean, sd, n, confidence=confidence),
        warnings=_sample_warnings(n, "have a first and a later score"),
    )
