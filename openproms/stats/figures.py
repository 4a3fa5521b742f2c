"""Report cells from raw results, ready for :func:`openproms.stats.disclosure.disclose`.

Every figure becomes a typed cell that knows what kind of number it is and how
many people it rests on, so the disclosure rule can be applied to each cell on its
own raw value. Figure names are stable strings (``"n"``, ``"mean_change"``,
``"reliable_improvement_pct"``, ``"first_band:Mild"``, ...), listed in docs/stats.md.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

from openproms.stats.disclosure import (
    Cell,
    Count,
    Margin,
    Mean,
    Percentage,
    Statistic,
)
from openproms.stats.effect_size import Estimate
from openproms.stats.paired import FollowUpCapture, Histogram, PairedChange

TOTAL = "All"
K = TypeVar("K", bound=Hashable)


def _estimate(
    cells: dict[str, Cell], name: str, est: Estimate | None, n: int, decimals: int
) -> None:
    value = low = high = None
    if est is not None:
        value, low, high = est.value, est.low, est.high
    cells[name] = Statistic(value, n, decimals)
    cells[f"{name}_low"] = Statistic(low, n, decimals)
    cells[f"{name}_high"] = Statistic(high, n, decimals)


def _histogram(cells: dict[str, Cell], hist: Histogram | None, kind: str) -> None:
    if hist is None:
        return
    for label, first, latest in zip(hist.labels, hist.first, hist.latest, strict=True):
        cells[f"first_{kind}:{label}"] = Count(first)
        cells[f"latest_{kind}:{label}"] = Count(latest)


def paired_change_figures(
    result: PairedChange, *, decimals: int = 1
) -> dict[str, Cell]:
    """All the figures of one :class:`PairedChange` as report cells.

    Counts are :class:`Count`; shares are :class:`Percentage` of their raw
    numerator and denominator (reliable change over n; recovery over the cases at
    first); means are :class:`Mean` with n; intervals, SDs and effect sizes are
    :class:`Statistic` with n.
    """
    n = result.n
    cells: dict[str, Cell] = {
        "n": Count(n),
        "mean_first": Mean(result.mean_first, n, decimals),
        "mean_latest": Mean(result.mean_latest, n, decimals),
        "sd_first": Statistic(result.sd_first, n, decimals + 1),
        "sd_latest": Statistic(result.sd_latest, n, decimals + 1),
    }
    change = result.mean_change
    mean_change = None
    if result.mean_first is not None and result.mean_latest is not None:
        mean_change = result.mean_latest - result.mean_first
    if change is not None:
        mean_change = change.value  # the mean of the differences, as the t interval
    cells["mean_change"] = Mean(mean_change, n, decimals)
    cells["mean_change_low"] = Statistic(change.low if change else None, n, decimals)
    cells["mean_change_high"] = Statistic(change.high if change else None, n, decimals)
    _estimate(cells, "effect_size", result.effect_size, n, 2)
    _estimate(cells, "effect_size_corrected", result.effect_size_corrected, n, 2)
    _estimate(cells, "effect_size_dz", result.effect_size_dz, n, 2)
    rc = result.reliable
    if rc is not None:
        for name, count in (
            ("reliable_improvement", rc.improved),
            ("no_reliable_change", rc.no_change),
            ("reliable_deterioration", rc.deteriorated),
        ):
            cells[name] = Count(count)
            cells[f"{name}_pct"] = Percentage(count, rc.n)
    rec = result.recovery
    if rec is not None:
        cells["cases_at_first"] = Count(rec.cases_at_first)
        cells["recovered"] = Count(rec.recovered)
        cells["recovered_pct"] = Percentage(rec.recovered, rec.cases_at_first)
        if rec.reliably_recovered is not None:
            cells["reliable_recovery"] = Count(rec.reliably_recovered)
            cells["reliable_recovery_pct"] = Percentage(
                rec.reliably_recovered, rec.cases_at_first
            )
    _histogram(cells, result.bands, "band")
    _histogram(cells, result.bins, "bin")
    return cells


def capture_figures(capture: FollowUpCapture) -> dict[str, Cell]:
    """Follow-up capture as cells: the two counts and the share (as a percentage of
    the rounded counts once disclosed)."""
    return {
        "with_baseline": Count(capture.with_baseline),
        "with_follow_up": Count(capture.with_follow_up),
        "follow_up_pct": Percentage(capture.with_follow_up, capture.with_baseline),
    }


def breakdown_table(
    groups: Mapping[str, PairedChange],
    overall: PairedChange | None = None,
    *,
    total_label: str = TOTAL,
    decimals: int = 1,
) -> dict[tuple[str, str], Cell]:
    """A (group, figure) table: each group's cells, then the overall row.

    ``overall`` must be computed from all the raw pairs (not from the groups), so
    its counts are rounded on their own raw values when disclosed.
    """
    if overall is not None and total_label in groups:
        raise ValueError(f"a group is already called {total_label!r}")
    table: dict[tuple[str, str], Cell] = {}
    for group, result in groups.items():
        for name, cell in paired_change_figures(result, decimals=decimals).items():
            table[(group, name)] = cell
    if overall is not None:
        for name, cell in paired_change_figures(overall, decimals=decimals).items():
            table[(total_label, name)] = cell
    return table


PERCENTAGE_OF: dict[str, tuple[str, str]] = {
    "reliable_improvement_pct": ("reliable_improvement", "n"),
    "no_reliable_change_pct": ("no_reliable_change", "n"),
    "reliable_deterioration_pct": ("reliable_deterioration", "n"),
    "recovered_pct": ("recovered", "cases_at_first"),
    "reliable_recovery_pct": ("reliable_recovery", "cases_at_first"),
    "follow_up_pct": ("with_follow_up", "with_baseline"),
}
"""Each percentage figure's numerator and denominator figures."""

_RELIABLE_PARTS = (
    "reliable_improvement",
    "no_reliable_change",
    "reliable_deterioration",
)
_HISTOGRAM_PREFIXES = ("first_band:", "latest_band:", "first_bin:", "latest_bin:")


def _dependents(names: Iterable[str], figure: str) -> tuple[str, ...]:
    return tuple(
        pct for pct in names if pct in PERCENTAGE_OF and figure in PERCENTAGE_OF[pct]
    )


def row_margins(names: Iterable[str], key: Callable[[str], K]) -> list[Margin[K]]:
    """The sum relations inside one set of figures: n = the three reliable-change
    counts; n = each histogram's counts (first and latest, bands and bins)."""
    names = list(names)
    present = set(names)
    margins: list[Margin[K]] = []
    deps = tuple(key(d) for d in _dependents(names, "n"))
    if "n" in present and all(p in present for p in _RELIABLE_PARTS):
        margins.append(Margin(key("n"), tuple(key(p) for p in _RELIABLE_PARTS), deps))
    for prefix in _HISTOGRAM_PREFIXES:
        parts = tuple(key(p) for p in names if p.startswith(prefix))
        if "n" in present and parts:
            margins.append(Margin(key("n"), parts, deps))
    return margins


def _holds(table: Mapping[K, Cell], margin: Margin[K]) -> bool:
    """True when the raw counts really add up (a band histogram leaves out a score
    below its first band, so its margin would not hold)."""
    total = table[margin.total]
    parts = [table[k] for k in margin.parts]
    return (
        isinstance(total, Count)
        and all(isinstance(p, Count) for p in parts)
        and total.value == sum(p.value for p in parts if isinstance(p, Count))
    )


def figure_margins(cells: Mapping[str, Cell]) -> list[Margin[str]]:
    """:func:`row_margins` for the cells of one :func:`paired_change_figures`
    (only the relations that hold for these raw counts)."""
    return [m for m in row_margins(cells, lambda name: name) if _holds(cells, m)]


def _in_row(row: str) -> Callable[[str], tuple[str, str]]:
    def key(name: str) -> tuple[str, str]:
        return (row, name)

    return key


def breakdown_margins(
    table: Mapping[tuple[str, str], Cell], *, total_label: str = TOTAL
) -> list[Margin[tuple[str, str]]]:
    """The sum relations of a :func:`breakdown_table`: each row's
    :func:`row_margins`, and for every count figure, total row = sum of the groups
    (the groups split the people); only the relations that hold for these raw
    counts. Pass them to :func:`openproms.stats.disclosure.disclose`."""
    rows: dict[str, list[str]] = {}
    for row, name in table:
        rows.setdefault(row, []).append(name)
    margins: list[Margin[tuple[str, str]]] = []
    for row, names in rows.items():
        margins.extend(row_margins(names, _in_row(row)))
    if total_label in rows:
        names = rows[total_label]
        groups = [r for r in rows if r != total_label]
        for name in names:
            if not isinstance(table[(total_label, name)], Count):
                continue
            parts = tuple((g, name) for g in groups if (g, name) in table)
            deps = tuple((total_label, d) for d in _dependents(names, name))
            margins.append(Margin((total_label, name), parts, deps))
    return [m for m in margins if _holds(table, m)]
