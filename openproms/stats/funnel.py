"""Funnel plots: is a group's mean outcome further from the expected value than
chance would explain, given how many people it has?

For a normally distributed outcome, under the hypothesis that every group has the
same underlying mean ``expected``, a group mean over n people has standard error
``sd / sqrt(n)``; the funnel's control limits are ``expected +/- z sd / sqrt(n)``
with z = 1.959964 (95%) and z = 3.090232 (99.8%), the two-sided standard normal
quantiles (Spiegelhalter DJ. Funnel plots for comparing institutional performance.
Stat Med 2005;24:1185-1202: the funnel for a normally distributed indicator). A group
outside the 99.8% limits is an outlier, ``"high"`` or ``"low"``.

This module draws the funnel from group means; :mod:`openproms.stats.casemix` gives
the case-mix adjusted (indirectly standardised) means to put in it. No
overdispersion adjustment is made (the same paper describes one):
the limits assume the only variation between groups is chance, so with many large
groups, real but small differences between them show up as outliers.

Each group carries its exact n: like every raw figure in this package, a funnel goes
through disclosure control (:mod:`openproms.stats.disclosure`) before anyone outside
the service sees it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from openproms.stats.breakdown import Factor, as_factor
from openproms.stats.psychometrics import NotEnoughData

Z95 = 1.959964
"""The standard normal quantile at 0.975 (two-sided 95%), to 6 decimals."""
Z998 = 3.090232
"""The standard normal quantile at 0.999 (two-sided 99.8%), to 6 decimals."""

Outlier = Literal["high", "low"] | None


@dataclass(frozen=True, slots=True)
class FunnelGroup:
    """One group on the funnel: its n, its mean (adjusted, when case-mix adjusted),
    the expected value, its 95% and 99.8% limits and whether it is an outlier
    (beyond the 99.8% limits)."""

    group: str
    n: int
    mean: float
    expected: float
    lower95: float
    upper95: float
    lower998: float
    upper998: float
    outlier: Outlier


@dataclass(frozen=True, slots=True)
class Funnel:
    """Every group's place on one funnel, and what the limits came from.

    ``n`` people in all; ``expected`` the target (the overall mean); ``sd`` the
    standard deviation the limits use, with ``df`` degrees of freedom; ``method``
    says how means were adjusted; ``adjusted_for`` names the case-mix terms (empty
    when unadjusted); ``coefficients`` gives the model's estimate per term
    (intercept first) when adjusted.
    """

    groups: tuple[FunnelGroup, ...]
    n: int
    expected: float
    sd: float
    df: int
    method: str
    adjusted_for: tuple[str, ...] = ()
    coefficients: tuple[tuple[str, float], ...] = ()

    def outliers(self) -> tuple[FunnelGroup, ...]:
        """The groups beyond the 99.8% limits."""
        return tuple(g for g in self.groups if g.outlier is not None)


def funnel_limits(expected: float, sd: float, n: int, z: float) -> tuple[float, float]:
    """``expected -/+ z sd / sqrt(n)``: the control limits for a mean of n people
    (Spiegelhalter 2005, Stat Med 24:1185, normal outcome)."""
    if n < 1:
        raise ValueError("a group needs at least one person")
    half = z * sd / math.sqrt(n)
    return expected - half, expected + half


def classify(mean: float, lower998: float, upper998: float) -> Outlier:
    """``"high"`` above the upper 99.8% limit, ``"low"`` below the lower one, else
    None (a mean exactly on a limit is not beyond it)."""
    if mean > upper998:
        return "high"
    if mean < lower998:
        return "low"
    return None


def funnel_groups(
    means: Mapping[str, tuple[int, float]], *, expected: float, sd: float
) -> tuple[FunnelGroup, ...]:
    """Place each group (name -> (n, mean)) on the funnel around ``expected`` with
    per-person standard deviation ``sd``; groups in sorted order of name."""
    out = []
    for name in sorted(means):
        n, mean = means[name]
        lo95, hi95 = funnel_limits(expected, sd, n, Z95)
        lo998, hi998 = funnel_limits(expected, sd, n, Z998)
        out.append(
            FunnelGroup(
                group=name,
                n=n,
                mean=mean,
                expected=expected,
                lower95=lo95,
                upper95=hi95,
                lower998=lo998,
                upper998=hi998,
                outlier=classify(mean, lo998, hi998),
            )
        )
    return tuple(out)


def group_means(
    values: np.ndarray, groups: Sequence[str] | Factor
) -> dict[str, tuple[int, float]]:
    """Each group's n and mean of ``values`` (one value per person), groups in
    sorted order."""
    # Numbered once (a Factor already is), then counts and sums by bincount:
    # linear in the number of people whatever the number of groups.
    factor = as_factor(groups)
    counts = np.bincount(factor.codes, minlength=len(factor.levels))
    sums = np.bincount(factor.codes, weights=values, minlength=len(factor.levels))
    index = {level: k for k, level in enumerate(factor.levels) if counts[k]}
    return {
        name: (int(counts[i]), float(sums[i] / counts[i]))
        for name, i in sorted(index.items())
    }


def check_inputs(values: Sequence[float], groups: Sequence[str] | Factor) -> np.ndarray:
    """The values as a float array, after checking they pair with the groups and
    are finite; raises ValueError (or :class:`NotEnoughData` below 2 people)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or arr.size != len(groups):
        raise ValueError("every person needs one value and one group")
    if not np.all(np.isfinite(arr)):
        raise ValueError("values must be finite numbers (drop missing values first)")
    names = set(groups.counts()) if isinstance(groups, Factor) else set(groups)
    if not all(isinstance(g, str) and g for g in names):
        raise ValueError("every person needs a group name")
    if arr.size < 2:
        raise NotEnoughData("a funnel needs at least 2 people")
    return arr


def unadjusted_funnel(values: Sequence[float], groups: Sequence[str]) -> Funnel:
    """The funnel of plain group means.

    ``expected`` is the mean of all people's values and the limits use the
    standard deviation of all people's values (n - 1): a group's mean is compared
    with everyone's mean, with no allowance for who each group serves (Spiegelhalter
    2005).
    """
    arr = check_inputs(values, groups)
    expected = float(arr.mean())
    sd = float(arr.std(ddof=1))
    return Funnel(
        groups=funnel_groups(group_means(arr, groups), expected=expected, sd=sd),
        n=int(arr.size),
        expected=expected,
        sd=sd,
        df=int(arr.size) - 1,
        method="unadjusted group means",
    )
