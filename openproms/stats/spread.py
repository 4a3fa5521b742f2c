"""The middle and spread of a list of numbers: the median and the quartiles.

Used where a page says "half took this long or less; the middle half took
between these two" (a trial's minutes to complete).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Quartiles:
    """The lower quartile, median and upper quartile of ``n`` numbers."""

    lower: float
    median: float
    upper: float
    n: int

    @property
    def iqr(self) -> float:
        """The inter-quartile range: upper quartile less lower quartile."""
        return self.upper - self.lower


def _quantile(ordered: list[float], p: float) -> float:
    """The ``p`` quantile of sorted numbers by linear interpolation between order
    statistics: h = (n - 1) p, Q = x[floor h] + (h - floor h)(x[floor h + 1] -
    x[floor h]) (Hyndman RJ, Fan Y. Sample quantiles in statistical packages.
    The American Statistician 1996;50(4):361-5, definition 7: R's default
    ``quantile(type = 7)`` and Python's ``statistics.quantiles(method="inclusive")``).
    """
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + (h - low) * (ordered[low + 1] - ordered[low])


def quartiles(values: Iterable[float]) -> Quartiles | None:
    """The quartiles and median of ``values`` (definition 7 of Hyndman and Fan,
    see :func:`_quantile`); None when there are none. One value is its own
    median and quartiles."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return None
    return Quartiles(
        lower=_quantile(ordered, 0.25),
        median=_quantile(ordered, 0.5),
        upper=_quantile(ordered, 0.75),
        n=len(ordered),
    )
