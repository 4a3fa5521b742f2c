"""Fair comparison of services and workers: change adjusted for who each one
sees, as a funnel plot (Vega-Lite) and a table.

Shared by the dashboard (services, and workers for managers) and the commissioner
report (services only, disclosure-controlled there by
:mod:`openproms.reports.report_funnel`). The statistics are
:mod:`openproms.stats.casemix` (least-squares case-mix model, indirectly
standardised means) and :mod:`openproms.stats.funnel` (Spiegelhalter 2005 limits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from openproms.reports import charts
from openproms.stats import NOT_RECORDED, Factor, PairedScore, ScoreArrays, rounded
from openproms.stats.casemix import CasemixModel, fit_casemix, standardised_funnel
from openproms.stats.funnel import Z95, Z998, Funnel, FunnelGroup
from openproms.stats.psychometrics import NotEnoughData

#: The recorded factors a comparison adjusts for (with the first score), as the
#: pairs' group keys and the words a reader sees.
CASEMIX_FACTORS: dict[str, str] = {
    "age_band": "age band",
    "sex": "sex",
    "ethnicity_group": "ethnic group",
}
#: Below this many people in all, no comparison is made (the model has up to a
#: dozen terms; fewer people than this give limits that mean little).
MIN_PEOPLE = 30

WITHIN = "Within the expected range"


@dataclass(frozen=True)
class Comparison:
    """One case-mix adjusted comparison: the funnel, whether higher change is
    better, and the words for what it was adjusted for."""

    funnel: Funnel
    higher_is_better: bool
    adjusted_for: str


@dataclass(frozen=True)
class Casemix:
    """The case-mix model of one scale's pairs, fitted once and used for every
    grouping (services, workers)."""

    model: CasemixModel
    change: np.ndarray
    adjusted_for: str


Factors = Mapping[str, Sequence[str] | Factor]
"""One label per person for each group key (``"service"``, ``"age_band"``, ...)."""


def factors_of(
    pairs: Sequence[PairedScore], keys: Iterable[str]
) -> dict[str, list[str]]:
    """The pairs' labels for ``keys``, as :data:`Factors`."""
    return {key: [p.groups.get(key, NOT_RECORDED) for p in pairs] for key in keys}


def adjusted_for_words(
    factors: Factors,
) -> tuple[str, dict[str, Sequence[str] | Factor]]:
    """The case-mix factors recorded for somebody (a factor nobody has is left
    out) and their values per person."""
    categorical: dict[str, Sequence[str] | Factor] = {}
    for key in CASEMIX_FACTORS:
        values = factors.get(key)
        if values is None:
            continue
        if isinstance(values, Factor):
            recorded = any(level != NOT_RECORDED for level in values.counts())
        else:
            recorded = any(v != NOT_RECORDED for v in values)
        if recorded:
            categorical[key] = values
    words = ["the first score", *(CASEMIX_FACTORS[k] for k in categorical)]
    text = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
    return text, categorical


def fit(pairs: Sequence[PairedScore], scores: ScoreArrays) -> Casemix | None:
    """Change (later minus first) on the first score and the recorded factors;
    None when there are too few people to compare fairly."""
    return fit_factors(factors_of(pairs, CASEMIX_FACTORS), scores)


def fit_factors(factors: Factors, scores: ScoreArrays) -> Casemix | None:
    """:func:`fit` from the factors as columns (``scores`` in the same order)."""
    if len(scores) < MIN_PEOPLE:
        return None
    first = np.asarray(scores.first, dtype=np.float64)
    change = np.asarray(scores.latest, dtype=np.float64) - first
    words, categorical = adjusted_for_words(factors)
    try:
        model = fit_casemix(
            change,
            numeric={"first score": first},
            categorical={CASEMIX_FACTORS[k]: v for k, v in categorical.items()},
        )
    except NotEnoughData:
        return None
    return Casemix(model, change, words)


def compare(
    casemix: Casemix, pairs: Sequence[PairedScore], key: str, higher_is_better: bool
) -> Comparison:
    """Each group's (``key``: service or worker) adjusted mean change on the
    funnel."""
    return compare_groups(casemix, factors_of(pairs, [key])[key], higher_is_better)


def compare_groups(
    casemix: Casemix, groups: Sequence[str] | Factor, higher_is_better: bool
) -> Comparison:
    """:func:`compare` with each person's group given as a column."""
    funnel = standardised_funnel(casemix.model, casemix.change, groups)
    return Comparison(funnel, higher_is_better, casemix.adjusted_for)


def status(group: FunnelGroup, higher_is_better: bool) -> str:
    """Where a group sits, in words: better or worse than expected beyond the
    95% or the 99.8% limits, or within them."""

    def words(high: bool) -> str:
        return (
            "Better than expected"
            if high == higher_is_better
            else ("Worse than expected")
        )

    if group.mean > group.upper998 or group.mean < group.lower998:
        return f"{words(group.mean > group.upper998)} (outside the 99.8% limits)"
    if group.mean > group.upper95 or group.mean < group.lower95:
        return (
            f"{words(group.mean > group.upper95)} (outside the 95% limits; "
            "could be chance)"
        )
    return WITHIN


def limit_curves(
    funnel: Funnel, n_low: float, n_high: float, points: int = 40
) -> list[dict[str, Any]]:
    """The 95% and 99.8% limits from ``n_low`` to ``n_high`` people, as chart
    rows (a geometric grid: the funnel narrows fastest at small n)."""
    # From a quarter of the smallest group, so that the funnel's shape shows.
    lo = max(2.0, n_low * 0.25)
    hi = max(lo + 1.0, n_high * 1.1)
    rows: list[dict[str, Any]] = []
    for i in range(points + 1):
        n = lo * (hi / lo) ** (i / points)
        for label, z in (("95% limits", Z95), ("99.8% limits", Z998)):
            half = z * funnel.sd / math.sqrt(n)
            for side, value in (
                ("lower", funnel.expected - half),
                ("upper", funnel.expected + half),
            ):
                rows.append(
                    {
                        "n": rounded(n, 2),
                        "value": rounded(value, 3),
                        "limit": label,
                        "line": f"{label} {side}",
                    }
                )
    return rows


def funnel_spec(
    title: str, points: list[dict[str, Any]], funnel: Funnel, y_title: str
) -> dict[str, Any]:
    """A funnel plot: each group's adjusted mean change against its number of
    people, the expected value and the 95% and 99.8% limits."""
    ns = [float(p["n"]) for p in points] or [1.0]
    spec = charts.base_spec(title=title, height=300)
    spec.update(
        {
            "layer": [
                {
                    "data": {"values": limit_curves(funnel, min(ns), max(ns))},
                    "mark": {"type": "line", "strokeWidth": 1.5},
                    "encoding": {
                        "x": {
                            "field": "n",
                            "type": "quantitative",
                            "title": "People with a first and a later score",
                            "axis": {"format": "d"},
                            "scale": {"zero": False},
                        },
                        "y": {
                            "field": "value",
                            "type": "quantitative",
                            "title": y_title,
                            "scale": {"zero": False},
                        },
                        "detail": {"field": "line"},
                        "strokeDash": {
                            "field": "limit",
                            "type": "nominal",
                            "title": None,
                            "scale": {
                                "domain": ["95% limits", "99.8% limits"],
                                "range": [[6, 3], [1, 0]],
                            },
                        },
                        "color": {"value": "#768692"},
                    },
                },
                {
                    "data": {"values": [{"expected": rounded(funnel.expected, 3)}]},
                    "mark": {"type": "rule", "color": "#425563"},
                    "encoding": {"y": {"field": "expected", "type": "quantitative"}},
                },
                {
                    "data": {"values": points},
                    "mark": {"type": "point", "filled": True, "size": 90},
                    "encoding": {
                        "x": {"field": "n", "type": "quantitative"},
                        "y": {"field": "mean", "type": "quantitative"},
                        "color": {
                            "field": "status",
                            "type": "nominal",
                            "title": None,
                            "scale": {
                                "range": [
                                    charts.BLUE,
                                    "#d5281b",
                                    "#007f3b",
                                    "#ffb81c",
                                    "#330072",
                                ]
                            },
                        },
                        "tooltip": [
                            {"field": "group", "title": "Group"},
                            {"field": "n", "title": "People"},
                            {"field": "mean", "title": y_title},
                            {"field": "status", "title": "Where it sits"},
                        ],
                    },
                },
            ],
        }
    )
    return spec


COLUMNS = [
    "Group",
    "People",
    "Adjusted mean change",
    "Expected",
    "95% limits from",
    "95% limits to",
    "99.8% limits from",
    "99.8% limits to",
    "Where it sits",
]


@dataclass(frozen=True)
class ComparisonTable:
    """A comparison as a table and a chart: ``rows`` under :data:`COLUMNS`,
    ``spec`` the funnel plot, ``notes`` what was adjusted for and what is hidden."""

    columns: list[str]
    rows: list[list[Any]]
    spec: dict[str, Any]
    notes: list[str]


def comparison_table(
    comparison: Comparison, *, title: str, what: str, min_people: int
) -> ComparisonTable:
    """The dashboard's table and funnel for one comparison (``what``: "service"
    or "worker"). A group of fewer than ``min_people`` is counted in the model
    but neither plotted nor given figures (disclosure control: its mean would
    say too much about a few people)."""
    funnel = comparison.funnel
    rows: list[list[Any]] = []
    points: list[dict[str, Any]] = []
    hidden = 0
    for g in funnel.groups:
        if g.n < min_people:
            hidden += 1
            rows.append(
                [
                    g.group,
                    f"fewer than {min_people}",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "Not shown: too few people",
                ]
            )
            continue
        where = status(g, comparison.higher_is_better)
        rows.append(
            [
                g.group,
                g.n,
                rounded(g.mean, 2),
                rounded(g.expected, 2),
                rounded(g.lower95, 2),
                rounded(g.upper95, 2),
                rounded(g.lower998, 2),
                rounded(g.upper998, 2),
                where,
            ]
        )
        points.append(
            {"group": g.group, "n": g.n, "mean": rounded(g.mean, 2), "status": where}
        )
    better = "higher" if comparison.higher_is_better else "lower"
    notes = [
        f"Each {what}'s mean change (later minus first score) is adjusted for "
        f"{comparison.adjusted_for}, so that a {what} whose people started worse off "
        f"is compared with what is expected for those people. A {better} change is "
        "better.",
        f"The funnel shows the range each {what}'s figure would fall in by chance "
        "alone for its number of people (95% and 99.8% limits; Spiegelhalter 2005). "
        f"Outside the 99.8% limits is unlikely to be chance; outside the 95% limits "
        "alone may well be.",
        f"Based on {funnel.n} people with a first and a later score.",
    ]
    if len(points) < 2:
        notes.append(
            f"Fewer than two {what}s have enough people to show, so there is "
            f"little to compare yet: a single {what} sits at the expected value."
        )
    if hidden:
        notes.append(
            f"{hidden} {what}{'s' if hidden != 1 else ''} with fewer than "
            f"{min_people} people {'are' if hidden != 1 else 'is'} counted in the "
            "adjustment but not shown."
        )
    y_title = "Adjusted mean change"
    return ComparisonTable(
        COLUMNS[:], rows, funnel_spec(title, points, funnel, y_title), notes
    )
