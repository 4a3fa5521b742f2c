"""The commissioner report's fair comparison of services: each service's change
adjusted for case-mix, on a funnel, with disclosure control.

Services only, never workers. Every figure goes through
:func:`openproms.stats.disclose` under the contract's rule: a service's number of
people is rounded (or ``*``), and its adjusted mean and limits are shown only
where enough people contribute. The limits shown are those for the *rounded*
number of people, so that a limit cannot be turned back into the exact count;
the chart draws only services whose figures are shown, at their rounded count.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from openproms.reports import funnel_charts, selectors
from openproms.stats import (
    Cell,
    Count,
    Mean,
    Rule,
    Shown,
    Statistic,
    disclose,
    funnel_limits,
)
from openproms.stats.funnel import Z95, Z998, Funnel, FunnelGroup

if TYPE_CHECKING:
    from openproms.reports.models import Contract
    from openproms.reports.report_builder import Chart, Figure

SECTION = "Fair comparison of services"
_PARTS = {
    "n": "people with a first and a later score",
    "mean": "mean change adjusted for case-mix",
    "lower95": "95% lower limit",
    "upper95": "95% upper limit",
    "lower998": "99.8% lower limit",
    "upper998": "99.8% upper limit",
}

METHODS = [
    "Fair comparison of services: each service's mean change (later minus first "
    "score) is adjusted, by least-squares regression on everyone in the report, "
    "for the first score and the recorded age band, sex and ethnic group (as the "
    "NHS PROMs programme adjusts for case-mix), and shown against the range "
    "expected by chance for its number of people: 95% and 99.8% limits "
    "(Spiegelhalter 2005, funnel plots). Outside the 99.8% limits is unlikely to "
    "be chance.",
    "The comparison is made when the contract covers two or more services and at "
    f"least {funnel_charts.MIN_PEOPLE} people have a first and a later score. Its "
    "counts are rounded and small groups hidden like every other figure; the "
    "limits are those for the rounded number of people.",
]


def _cells(
    funnel: Funnel, rule: Rule
) -> tuple[dict[str, Cell], dict[str, FunnelGroup]]:
    cells: dict[str, Cell] = {}
    by_code: dict[str, FunnelGroup] = {}
    for i, g in enumerate(funnel.groups, start=1):
        code = f"service{i}"
        by_code[code] = g
        cells[f"{code}:n"] = Count(g.n)
        cells[f"{code}:mean"] = Mean(g.mean, g.n, decimals=2)
        shown_n = disclose({"n": Count(g.n)}, rule)["n"]
        limits: dict[str, float | None] = dict.fromkeys(
            ("lower95", "upper95", "lower998", "upper998")
        )
        if isinstance(shown_n, int) and shown_n > 0:
            limits["lower95"], limits["upper95"] = funnel_limits(
                funnel.expected, funnel.sd, shown_n, Z95
            )
            limits["lower998"], limits["upper998"] = funnel_limits(
                funnel.expected, funnel.sd, shown_n, Z998
            )
        for part, value in limits.items():
            cells[f"{code}:{part}"] = Statistic(value, g.n)
    return cells, by_code


def service_comparison(
    contract: Contract,
    *,
    measure_id: str,
    scale_id: str,
    title: str,
    pairing: Any,
    start: dt.date,
    end: dt.date,
    rule: Rule,
    higher_is_better: bool,
    pairs: selectors.OutcomeFactors | None = None,
) -> tuple[list[Figure], Chart | None]:
    """The disclosed figures and funnel chart comparing the contract's services
    on one scale, or nothing when there is nothing fair to compare. ``pairs``:
    :func:`selectors.outcome_factors` for these services and this scale, when the
    caller has read them already."""
    from openproms.reports.report_builder import Chart, Figure

    services = list(contract.services.all())
    if len(services) < 2:
        return [], None
    result = pairs
    if result is None:
        organisation = contract.organisation
        result = selectors.outcome_factors(
            organisation=organisation,
            measure_id=measure_id,
            scale_id=scale_id,
            start=start,
            end=end,
            include_pilot=contract.include_pilot,
            pairing=pairing,
            scope=selectors.episode_scope(organisation, services, audience="funders"),
            episodes=selectors.episode_factors(organisation, services),
        )
    casemix = funnel_charts.fit_factors(result.factors, result.scores)
    if casemix is None:
        return [], None
    comparison = funnel_charts.compare_groups(
        casemix, result.factors["service"], higher_is_better
    )
    cells, by_code = _cells(comparison.funnel, rule)
    shown = disclose(cells, rule)
    section = f"{SECTION}: {title}"
    figures: list[Figure] = []
    rows: list[list[Shown]] = []
    points: list[dict[str, Any]] = []
    for code, group in by_code.items():
        values = {part: shown[f"{code}:{part}"] for part in _PARTS}
        for part, label in _PARTS.items():
            figures.append(
                Figure(
                    section=section,
                    measure="",
                    scale="",
                    name=f"funnel_{code}_{part}",
                    label=f"{group.group}: {label}",
                    kind="count" if part == "n" else "statistic",
                    value=values[part],
                )
            )
        where: Shown = "*"
        mean, n = values["mean"], values["n"]
        if isinstance(mean, int | float) and isinstance(n, int):
            shown_group = FunnelGroup(
                group=group.group,
                n=n,
                mean=float(mean),
                expected=comparison.funnel.expected,
                lower95=float(values["lower95"]),
                upper95=float(values["upper95"]),
                lower998=float(values["lower998"]),
                upper998=float(values["upper998"]),
                outlier=None,
            )
            where = funnel_charts.status(shown_group, higher_is_better)
            points.append({"group": group.group, "n": n, "mean": mean, "status": where})
        figures.append(
            Figure(
                section=section,
                measure="",
                scale="",
                name=f"funnel_{code}_status",
                label=f"{group.group}: where it sits",
                kind="text",
                value=where,
            )
        )
        rows.append([group.group, *values.values(), where])
    chart = Chart(
        funnel_charts.funnel_spec(
            f"{title}: {SECTION.lower()}",
            points,
            comparison.funnel,
            "Adjusted mean change",
        ),
        f"{title}: {SECTION.lower()} (adjusted for {comparison.adjusted_for})",
        [
            "Service",
            *(label.capitalize() for label in _PARTS.values()),
            "Where it sits",
        ],
        rows,
    )
    return figures, chart
