"""Statistical disclosure control for every figure shown outside a service.

A report is built from raw figures (:class:`Count`, :class:`Percentage`,
:class:`Mean`, :class:`Median`, :class:`Statistic`), and only
:func:`disclose` turns them into what is shown, so no raw count can reach a
commissioner by another path. Apply it **after** every filter and breakdown,
to every cell, totals included (a total is its own :class:`Count` of the raw
data, never a sum of shown parts).

Rules (reliability-security guide section 1; docs/stats.md;
docs/decisions/0003-disclosure-control.md):

* **R1, NHS** (NHS Digital HES/ECDS method from September 2018, also SRHAD and NCMP;
  ``suppress_count_column(lower=1, upper=7, base=5)``): count 0 stays 0; 1-7 -> ``*``;
  8 or more -> rounded to the nearest 5. Percentages from the rounded numerator and
  denominator, ``*`` if either is ``*``. Means and medians only when 8 or more
  people contribute. Confidence intervals and effect sizes (complex statistics, no
  control under the method) are ours to suppress when their n is under 8 too, so a
  figure never stands where its n is hidden.
* **R2, ONS "10-5"**: counts under 10 (zero included, as in ONS SRS/UK LLC output
  checking) -> ``*``; 10 or more -> rounded to the nearest 5; means, medians and
  statistics only with n >= 10; percentages as R1.

Our addition, **margin protection**: rounding every cell on its own keeps a table's
parts and total from being subtracted to find a small count, except when every part
sits at the edge of its range (four hidden groups of exactly 7 and a total of 28,
shown as 30, can only be 7 + 7 + 7 + 7). Given the table's sum relations
(:class:`Margin`), :func:`disclose` bounds each hidden count by what the shown
figures allow and, if one is pinned to a single value, hides the total (shown
``c``) and the percentages built on it, and checks again.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from openproms.stats.rounding import rounded

SUPPRESSED: Final = "*"
HIDDEN: Final = "c"
NOT_AVAILABLE: Final = "-"

Shown = int | float | str
K = TypeVar("K", bound=Hashable)
_UNBOUNDED: Final = 10**15


@dataclass(frozen=True, slots=True)
class Rule:
    """A disclosure-control rule.

    Counts in ``1 .. suppress_below - 1`` (and 0 unless ``keep_zero``) become
    ``*``; the rest are rounded to the nearest ``base``. Means, medians and
    statistics need ``min_contributors`` people.
    """

    key: str
    name: str
    suppress_below: int
    keep_zero: bool
    base: int
    min_contributors: int
    citation: str

    def __post_init__(self) -> None:
        if self.base < 1 or self.suppress_below < 1 or self.min_contributors < 1:
            raise ValueError("base, suppress_below and min_contributors must be >= 1")
        if self.base % 2 == 0:
            # An odd base means integers never sit exactly half-way (no ties).
            raise ValueError("base must be odd so that rounding has no ties")


NHS_RULE: Final = Rule(
    key="nhs",
    name="NHS (R1): 1-7 suppressed, others rounded to the nearest 5",
    suppress_below=8,
    keep_zero=True,
    base=5,
    min_contributors=8,
    citation=(
        "NHS Digital, Change to disclosure control methodology for HES and ECDS "
        "from September 2018 (adopted for SRHAD 2019-20 and NCMP 2019-20)"
    ),
)

ONS_RULE: Final = Rule(
    key="ons",
    name="ONS 10-5 (R2): under 10 suppressed, others rounded to the nearest 5",
    suppress_below=10,
    keep_zero=False,
    base=5,
    min_contributors=10,
    citation=(
        "ONS, post-tabular statistical disclosure control methods (rounding plus "
        "threshold, the '10-5 rule'); ONS SRS / UK LLC output checking (<10, zeros "
        "included)"
    ),
)

RULES: Final[Mapping[str, Rule]] = {NHS_RULE.key: NHS_RULE, ONS_RULE.key: ONS_RULE}


def _check_count(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{what} must be a whole number of people, 0 or more")


@dataclass(frozen=True, slots=True)
class Count:
    """A number of people (or of episodes): the raw count."""

    value: int

    def __post_init__(self) -> None:
        _check_count(self.value, "a count")


@dataclass(frozen=True, slots=True)
class Percentage:
    """``100 * numerator / denominator``, shown from the *rounded* counts."""

    numerator: int
    denominator: int
    decimals: int = 1

    def __post_init__(self) -> None:
        _check_count(self.numerator, "a numerator")
        _check_count(self.denominator, "a denominator")
        if self.numerator > self.denominator:
            raise ValueError("a numerator cannot be larger than its denominator")


@dataclass(frozen=True, slots=True)
class Mean:
    """A mean of individuals' values (a simple statistic) and how many contribute."""

    value: float | None
    n: int
    decimals: int = 1

    def __post_init__(self) -> None:
        _check_count(self.n, "n")


@dataclass(frozen=True, slots=True)
class Median:
    """A median of individuals' values (a simple statistic) and its n."""

    value: float | None
    n: int
    decimals: int = 1

    def __post_init__(self) -> None:
        _check_count(self.n, "n")


@dataclass(frozen=True, slots=True)
class Statistic:
    """A complex statistic (confidence limit, effect size, SD) and its n.

    The NHS method needs no control for these; we still hide them when their n is
    under the rule's minimum, so no figure stands where its n is suppressed.
    """

    value: float | None
    n: int
    decimals: int = 2

    def __post_init__(self) -> None:
        _check_count(self.n, "n")


Cell = Count | Percentage | Mean | Median | Statistic


def protect_count(value: int, rule: Rule = NHS_RULE) -> int | str:
    """One count under ``rule``: 0 (kept by R1), ``*``, or rounded to the nearest
    ``rule.base``: ``base * floor((value + base // 2) / base)`` (8-12 -> 10, 13 ->
    15; with an odd base there are no ties)."""
    _check_count(value, "a count")
    if value == 0 and rule.keep_zero:
        return 0
    if value < rule.suppress_below:
        return SUPPRESSED
    return rule.base * ((value + rule.base // 2) // rule.base)


def _number(value: float, decimals: int) -> float | int:
    # rounded(): -0.04 to one place is shown 0.0, never "-0.0".
    shown = rounded(value, decimals)
    return int(shown) if decimals <= 0 else shown


def disclose_cell(cell: Cell, rule: Rule = NHS_RULE) -> Shown:
    """What may be shown for one cell under ``rule`` (``*`` when hidden; ``-``
    when a statistic has no value although enough people contribute)."""
    if isinstance(cell, Count):
        return protect_count(cell.value, rule)
    if isinstance(cell, Percentage):
        num = protect_count(cell.numerator, rule)
        den = protect_count(cell.denominator, rule)
        if isinstance(num, str) or isinstance(den, str) or den == 0:
            return SUPPRESSED
        return _number(100.0 * num / den, cell.decimals)
    if isinstance(cell, Mean | Median | Statistic):
        if cell.n < rule.min_contributors:
            return SUPPRESSED
        if cell.value is None or cell.value != cell.value:  # None or NaN
            return NOT_AVAILABLE
        return _number(cell.value, cell.decimals)
    raise TypeError(f"not a report cell: {cell!r}")


@dataclass(frozen=True, slots=True)
class Margin(Generic[K]):
    """A sum relation among a table's counts: ``total`` is exactly the sum of
    ``parts`` (the parts split the same people). ``dependents`` are cells to hide
    together with the total (percentages of it), so a hidden total cannot be read
    back from them."""

    total: K
    parts: tuple[K, ...]
    dependents: tuple[K, ...] = ()


def shown_bounds(shown: Shown, rule: Rule = NHS_RULE) -> tuple[int, int]:
    """The raw counts a reader can infer from a shown count: 0 -> [0, 0]; ``*`` ->
    [1, 7] (R1) or [0, 9] (R2); a rounded v -> [v - 2, v + 2] cut to the counts
    that are shown at all; ``c`` -> anything."""
    half = rule.base // 2
    if shown == SUPPRESSED:
        return (1 if rule.keep_zero else 0), rule.suppress_below - 1
    if isinstance(shown, str):
        return 0, _UNBOUNDED
    value = int(shown)
    if value == 0 and rule.keep_zero:
        return 0, 0
    return max(value - half, rule.suppress_below), value + half


def implied_bounds(
    shown: Mapping[K, Shown], margins: Iterable[Margin[K]], rule: Rule = NHS_RULE
) -> dict[K, tuple[int, int]]:
    """Bounds on each count in ``margins`` implied by the shown figures and the sum
    relations, by interval propagation to a fixed point: for ``T = sum(x_i)``,
    ``T`` lies in ``[sum lo_i, sum hi_i]`` and each ``x_i`` in ``[T_lo - sum_{j!=i}
    hi_j, T_hi - sum_{j!=i} lo_j]``. Exact for one margin; for several that share
    cells it is an outer bound (the true set may be smaller)."""
    margins = list(margins)
    bounds: dict[K, tuple[int, int]] = {}
    for m in margins:
        for key in (m.total, *m.parts):
            bounds[key] = shown_bounds(shown[key], rule)
    for _ in range(100):
        changed = False
        for m in margins:
            t_lo, t_hi = bounds[m.total]
            los = [bounds[k][0] for k in m.parts]
            his = [bounds[k][1] for k in m.parts]
            sum_lo, sum_hi = sum(los), sum(his)
            new_t = (max(t_lo, sum_lo), min(t_hi, sum_hi))
            if new_t != (t_lo, t_hi):
                bounds[m.total], changed = new_t, True
            t_lo, t_hi = bounds[m.total]
            for key, lo, hi in zip(m.parts, los, his, strict=True):
                new = (max(lo, t_lo - (sum_hi - hi)), min(hi, t_hi - (sum_lo - lo)))
                if new != bounds[key]:
                    bounds[key], changed = new, True
        if not changed:
            break
    return bounds


def _check_margins(table: Mapping[K, Cell], margins: list[Margin[K]]) -> None:
    for m in margins:
        cells = [table.get(k) for k in (m.total, *m.parts)]
        if not all(isinstance(c, Count) for c in cells):
            raise ValueError(f"margin {m.total!r}: total and parts must be counts")
        total, *parts = (c.value for c in cells if isinstance(c, Count))
        if total != sum(parts):
            raise ValueError(
                f"margin {m.total!r}: the parts do not add up to the total"
            )
        for key in m.dependents:
            if key not in table:
                raise ValueError(f"margin {m.total!r}: no cell {key!r}")


def disclose(
    table: Mapping[K, Cell],
    rule: Rule = NHS_RULE,
    margins: Iterable[Margin[K]] = (),
) -> dict[K, Shown]:
    """Apply ``rule`` to every cell of a table (any keys: a row x column table
    uses ``(row, column)`` keys). Call it after every filter and breakdown; each
    cell, totals included, is protected on its own raw value.

    With ``margins`` (the table's sum relations; see
    :func:`openproms.stats.figures.breakdown_margins`), a suppressed count that the
    shown figures would pin to one value (:func:`implied_bounds`) is protected by
    hiding the margin's total and its dependents (shown ``c``); if the totals of
    every margin it is in are hidden already, their shown parts are hidden too.
    """
    shown = {key: disclose_cell(cell, rule) for key, cell in table.items()}
    margins = list(margins)
    if not margins:
        return shown
    _check_margins(table, margins)
    while True:
        bounds = implied_bounds(shown, margins, rule)
        pinned = [
            key
            for key, (lo, hi) in bounds.items()
            if shown[key] == SUPPRESSED and lo >= hi
        ]
        if not pinned:
            return shown
        acted = False
        before = dict(shown)  # decide each pinned cell's remedy on the same state
        for key in pinned:
            involved = [m for m in margins if key == m.total or key in m.parts]
            open_totals = [m for m in involved if before[m.total] != HIDDEN]
            if open_totals:
                for m in open_totals:
                    for k in (m.total, *m.dependents):
                        if shown[k] not in (HIDDEN, SUPPRESSED):
                            shown[k], acted = HIDDEN, True
                    if shown[m.total] == SUPPRESSED:
                        shown[m.total], acted = HIDDEN, True
            else:
                for m in involved:
                    for k in m.parts:
                        if shown[k] not in (HIDDEN, SUPPRESSED):
                            shown[k], acted = HIDDEN, True
        if not acted:
            # The pin comes through a chain of margins: hide every open total.
            for m in margins:
                for k in (m.total, *m.dependents):
                    if shown[k] != HIDDEN and (k == m.total or shown[k] != SUPPRESSED):
                        shown[k], acted = HIDDEN, True
        if not acted:  # pragma: no cover - with every total hidden nothing is pinned
            raise RuntimeError("could not protect the table's margins")
