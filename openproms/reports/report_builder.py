"""Commissioner reports: every figure of a contract's report, disclosure-controlled.

This module is the single code path that turns raw data into what a commissioner
may see (docs/stats.md §3.3): :func:`build_report` reads the raw figures through
:mod:`openproms.reports.selectors`, applies the period filter and the breakdown by
measure and scale, builds typed cells (:mod:`openproms.stats`) and passes every
table through :func:`openproms.stats.disclose` with the contract's rule. The
:class:`Report` it returns holds only disclosed values; the web page, the PDF, the
workbook, the CSV and the chart data are all rendered from it, so no path can
carry an unrounded count.

What a service's contracts ask of each person (the burden view) is in
:mod:`openproms.reports.contract_burden`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openproms.reports import charts, report_funnel, selectors
from openproms.reports.models import Contract, ContractRequirement
from openproms.reports.report_methods import contract_definition, methods
from openproms.reports.selectors.versions import answered_versions, versions_note
from openproms.scoring import MeasureDefinition
from openproms.scoring.definitions import Scale
from openproms.stats import (
    RULES,
    Cell,
    Count,
    FollowUpCapture,
    Mean,
    Median,
    Percentage,
    Rule,
    Shown,
    capture_figures,
    disclose,
    figure_margins,
    follow_up_capture,
    paired_change,
    paired_change_figures,
)

ALL_FIGURES = (
    "reach",
    "completion",
    "follow_up",
    "mean_change",
    "effect_size",
    "reliable_change",
    "recovery",
    "distribution",
)

LABELS = {
    "people_engaged": "People engaged (with an episode open in the period)",
    "new_episodes": "New episodes started in the period",
    "with_baseline": "New episodes with a first (baseline) score",
    "baseline_completion_pct": "Baseline completion (% of new episodes)",
    "with_follow_up": "Of those, episodes with a later score",
    "follow_up_pct": "Follow-up capture (%)",
    "n": "People with a first and a later score (n)",
    "mean_first": "Mean first score",
    "mean_latest": "Mean later score",
    "mean_change": "Mean change",
    "mean_change_low": "Mean change, 95% CI lower limit",
    "mean_change_high": "Mean change, 95% CI upper limit",
    "effect_size": "Effect size (Cohen's d, baseline SD)",
    "effect_size_low": "Effect size, 95% CI lower limit",
    "effect_size_high": "Effect size, 95% CI upper limit",
    "reliable_improvement": "Reliable improvement",
    "reliable_improvement_pct": "Reliable improvement (%)",
    "no_reliable_change": "No reliable change",
    "no_reliable_change_pct": "No reliable change (%)",
    "reliable_deterioration": "Reliable deterioration",
    "reliable_deterioration_pct": "Reliable deterioration (%)",
    "cases_at_first": "Above the clinical cut-off at the start",
    "recovered": "Recovered",
    "recovered_pct": "Recovered (% of those above the cut-off)",
    "reliable_recovery": "Reliably recovered",
    "reliable_recovery_pct": "Reliably recovered (% of those above the cut-off)",
}

_GROUPS = {
    "mean_change": (
        "mean_first",
        "mean_latest",
        "mean_change",
        "mean_change_low",
        "mean_change_high",
    ),
    "effect_size": ("effect_size", "effect_size_low", "effect_size_high"),
    "reliable_change": (
        "reliable_improvement",
        "reliable_improvement_pct",
        "no_reliable_change",
        "no_reliable_change_pct",
        "reliable_deterioration",
        "reliable_deterioration_pct",
    ),
    "recovery": (
        "cases_at_first",
        "recovered",
        "recovered_pct",
        "reliable_recovery",
        "reliable_recovery_pct",
    ),
}
PAIRING = {
    ContractRequirement.TimePoints.START_AND_LATEST: "latest",
    ContractRequirement.TimePoints.START_AND_EXIT: "exit",
}


def kind_of(cell: Cell) -> str:
    if isinstance(cell, Count):
        return "count"
    if isinstance(cell, Percentage):
        return "percentage"
    if isinstance(cell, Mean | Median):
        return "mean"
    return "statistic"


@dataclass(frozen=True)
class Figure:
    """One disclosed figure: where it belongs, what it is, and what may be shown."""

    section: str
    measure: str
    scale: str
    name: str
    label: str
    kind: str  # count | percentage | mean | statistic
    value: Shown


@dataclass
class Outcome:
    """The disclosed figures of one required measure's scale."""

    measure_id: str
    measure_name: str
    scale_id: str
    scale_label: str
    direction: str
    pairing: str
    figures: list[Figure]
    chart: Chart | None
    caveats: tuple[str, ...]
    funnel: Chart | None = None  # services compared (report_funnel.py)

    @property
    def title(self) -> str:
        return scale_title(self.measure_name, self.scale_label)

    @property
    def key(self) -> str:
        return f"{self.measure_id}-{self.scale_id}".replace("_", "-")


@dataclass
class Report:
    contract: Contract
    title: str
    start: dt.date
    end: dt.date
    rule: Rule
    reach: list[Figure]
    completion: list[Figure]
    capture_warning: str | None
    outcomes: list[Outcome]
    start_only: list[str]
    methods: list[tuple[str, list[str]]] = field(default_factory=list)
    #: A period not over yet: the day its figures run to (today), else None.
    figures_to: dt.date | None = None

    @property
    def in_progress_note(self) -> str:
        """The period is still running, in words ("" when it has ended): the page,
        the PDF, the workbook and the CSV all say it."""
        if self.figures_to is None:
            return ""
        return (
            f"In progress: this period runs to {self.end:%d/%m/%Y}, so these are "
            f"the figures so far, up to today ({self.figures_to:%d/%m/%Y}). They "
            "will change until the period ends."
        )

    def all_figures(self) -> list[Figure]:
        out = [*self.reach, *self.completion]
        for outcome in self.outcomes:
            out.extend(outcome.figures)
        return out


def contract_rule(contract: Contract) -> Rule:
    return RULES[contract.disclosure_rule]


def wanted_figures(contract: Contract) -> set[str]:
    wanted: set[str] = set()
    requirements = list(contract.requirements.all())
    for requirement in requirements:
        wanted.update(requirement.figures or ALL_FIGURES)
    return wanted or set(ALL_FIGURES)


def _figures(
    shown: Mapping[str, Shown],
    cells: Mapping[str, Cell],
    *,
    section: str,
    measure: str = "",
    scale: str = "",
    labels: Mapping[str, str] | None = None,
) -> list[Figure]:
    names = labels or {}
    return [
        Figure(
            section=section,
            measure=measure,
            scale=scale,
            name=name,
            label=names.get(name) or LABELS.get(name) or _band_label(name),
            kind=kind_of(cells[name]),
            value=value,
        )
        for name, value in shown.items()
    ]


def _band_label(name: str) -> str:
    prefix, _, label = name.partition(":")
    when = "First score" if prefix.startswith("first") else "Later score"
    return f"{when}: {label}"


def _summary_cells(
    summary: Mapping[str, Any],
) -> tuple[dict[str, Cell], dict[str, Cell]]:
    """Cells from :func:`openproms.reports.selectors.collection_summary`."""
    new = int(summary.get("new_episodes") or 0)
    with_baseline = int(summary.get("baseline_completed") or 0)
    reach: dict[str, Cell] = {
        "people_engaged": Count(int(summary.get("people_engaged") or 0)),
        "new_episodes": Count(new),
    }
    completion: dict[str, Cell] = {
        "with_baseline": Count(with_baseline),
        "baseline_completion_pct": Percentage(min(with_baseline, new), new),
    }
    capture = summary.get("follow_up")
    if not isinstance(capture, FollowUpCapture):
        capture = follow_up_capture(with_baseline, 0)
    completion.update(capture_figures(capture))
    return reach, completion


def _outcome_cells(cells: Mapping[str, Cell], wanted: set[str]) -> dict[str, Cell]:
    keep = {"n"}
    for group, names in _GROUPS.items():
        if group in wanted:
            keep.update(names)
    out = {k: v for k, v in cells.items() if k in keep}
    if "distribution" in wanted:
        has_bands = any(k.startswith("first_band:") for k in cells)
        prefix = (
            ("first_band:", "latest_band:")
            if has_bands
            else ("first_bin:", "latest_bin:")
        )
        out.update({k: v for k, v in cells.items() if k.startswith(prefix)})
    return out


@dataclass(frozen=True)
class Chart:
    """A chart of disclosed figures and the same figures as a table."""

    spec: dict[str, Any]
    label: str
    columns: list[str]
    rows: list[list[Shown]]


def _bar_spec(
    title: str, values: list[dict[str, Any]], x_title: str, domain: list[float]
) -> dict[str, Any]:
    spec = charts.base_spec(title=title, height=160)
    spec.update(
        {
            "data": {"values": values},
            "mark": {"type": "bar", "color": charts.BLUE},
            "encoding": {
                "y": {"field": "label", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "value",
                    "type": "quantitative",
                    "title": x_title,
                    "scale": {"domain": domain},
                },
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": "Figure"},
                    {"field": "value", "type": "quantitative", "title": x_title},
                ],
            },
        }
    )
    return spec


def _chart(
    title: str, shown: Mapping[str, Shown], scale_range: tuple[float, float]
) -> Chart | None:
    """Reliable change shares where the measure has a threshold, otherwise the mean
    first and later scores; only shown (disclosed) values are drawn."""
    rows: list[list[Shown]] = []
    values: list[dict[str, Any]] = []
    for name in (
        "reliable_improvement",
        "no_reliable_change",
        "reliable_deterioration",
    ):
        if name not in shown:
            continue
        pct = shown.get(f"{name}_pct", "*")
        rows.append([LABELS[name], shown[name], pct])
        if isinstance(pct, int | float):
            values.append({"label": LABELS[name], "value": pct})
    if values:
        return Chart(
            _bar_spec(f"{title}: reliable change", values, "People (%)", [0, 100]),
            f"{title}: reliable change (% of people)",
            ["Outcome", "People", "People (%)"],
            rows,
        )
    rows, values = [], []
    for name in ("mean_first", "mean_latest"):
        if name not in shown:
            continue
        rows.append([LABELS[name], shown[name]])
        if isinstance(shown[name], int | float):
            values.append({"label": LABELS[name], "value": shown[name]})
    if not values:
        return None
    return Chart(
        _bar_spec(
            f"{title}: mean scores",
            values,
            "Mean score",
            [min(0.0, scale_range[0]), scale_range[1]],
        ),
        f"{title}: mean first and later scores",
        ["Figure", "Mean score"],
        rows,
    )


def scale_title(measure_name: str, scale_label: str) -> str:
    """ "ONS4 Happiness", but "CORE-10 clinical score" rather than "CORE-10 CORE-10
    clinical score"."""
    if scale_label.lower().startswith(measure_name.lower()):
        return scale_label
    return f"{measure_name} {scale_label}"


def _versions_caveat(
    contract: Contract,
    definition: MeasureDefinition,
    services: list[Any],
    start: dt.date,
    end: dt.date,
) -> tuple[str, ...]:
    """A caveat when the period's answers to a measure span more than one of its
    versions (an organisation's own measure changed; decision 0026)."""
    note = versions_note(
        definition.short_name,
        answered_versions(
            organisation=contract.organisation,
            measure_id=definition.id,
            start=start,
            end=end,
            services=services,
        ),
    )
    return (note.rstrip("."),) if note else ()


def build_report(
    contract: Contract,
    *,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
) -> Report:
    """Every figure of the contract's report for ``start``..``end``, disclosed.

    Given ``today``, a period that has not ended (``end`` on or after today) is
    read up to today, and the report says it is in progress (``figures_to``); a
    period that has not started has no report (ValueError: the pages refuse it
    first)."""
    period_end = end
    figures_to = None
    if today is not None:
        if start > today:
            raise ValueError("the period has not started: there are no figures")
        if end >= today:
            end = figures_to = today
    rule = contract_rule(contract)
    wanted = wanted_figures(contract)
    services = list(contract.services.all())
    organisation = contract.organisation
    start_only: list[str] = []
    # One job per scale of each measure followed over time.
    jobs: list[tuple[MeasureDefinition, Scale, str, set[str]]] = []
    for requirement in contract.requirements.all():
        definition = contract_definition(contract, requirement.measure_id)
        if definition is None:
            continue
        pairing = PAIRING.get(requirement.time_points)  # type: ignore[call-overload]
        if pairing is None:
            start_only.append(definition.short_name)
            continue
        req_wanted = set(requirement.figures or ALL_FIGURES)
        jobs.extend(
            (definition, scale, pairing, req_wanted) for scale in definition.scales
        )
    # Everything below reads only the people a funder may see (reports.selectors
    # .scope): those who said no to sharing with funders are left out of every
    # figure, and so of every file made from this report.
    scope = selectors.episode_scope(organisation, services, audience="funders")

    def summary_task() -> dict[str, Any]:
        return selectors.collection_summary(
            organisation=organisation,
            services=services,
            start=start,
            end=end,
            include_pilot=contract.include_pilot,
            audience="funders",
        )

    # The services compared (a funnel per scale, report_funnel) need each pair's
    # service and case-mix factors: those scales read their pairs once, for both
    # the figures and the funnel (the same pairs and scores as outcome_values),
    # while the episodes' facts are read beside them; the two are put together
    # after (selectors.with_factors).
    compared = len(services) >= 2

    def values_task(
        definition: MeasureDefinition, scale_id: str, pairing: Any, wanted: set[str]
    ) -> Callable[[], selectors.OutcomeValues | selectors.PairedArrays]:
        if compared and "mean_change" in wanted:
            return lambda: selectors.pair_scores(
                organisation=organisation,
                measure_id=definition.id,
                scale_id=scale_id,
                start=start,
                end=end,
                include_pilot=contract.include_pilot,
                pairing=pairing,
                scope=scope,
            )
        return lambda: selectors.outcome_values(
            organisation=organisation,
            measure_id=definition.id,
            scale_id=scale_id,
            start=start,
            end=end,
            include_pilot=contract.include_pilot,
            pairing=pairing,
            scope=scope,
            audience="funders",
        )

    def episodes_task() -> selectors.EpisodeFactors | None:
        return selectors.episode_factors(organisation, services) if compared else None

    summary, episodes, *read = selectors.run_together(
        summary_task,
        episodes_task,
        *(values_task(d, sc.id, p, w) for d, sc, p, w in jobs),
    )
    values = [
        selectors.with_factors(r, episodes)
        if isinstance(r, selectors.PairedArrays) and episodes is not None
        else r
        for r in read
    ]
    reach_cells, completion_cells = _summary_cells(summary)
    if "reach" not in wanted:
        reach_cells = {}
    if "completion" not in wanted:
        completion_cells.pop("baseline_completion_pct", None)
    if "follow_up" not in wanted:
        for name in ("with_follow_up", "follow_up_pct"):
            completion_cells.pop(name, None)
    reach = _figures(disclose(reach_cells, rule), reach_cells, section="Reach")
    completion = _figures(
        disclose(completion_cells, rule),
        completion_cells,
        section="Completion and follow-up",
    )
    capture_warning = None
    capture = summary.get("follow_up")
    if "with_follow_up" in completion_cells and isinstance(capture, FollowUpCapture):
        capture_warning = capture.message  # holds no counts

    outcomes: list[Outcome] = []
    for (definition, scale, pairing, req_wanted), paired in zip(
        jobs, values, strict=True
    ):
        try:
            result = paired_change(definition, scale.id, paired.scores)
        except (ValueError, KeyError):
            continue  # a profile scale, or one without a numeric score
        cells = _outcome_cells(paired_change_figures(result), req_wanted)
        margins = [
            m
            for m in figure_margins(cells)
            if all(k in cells for k in (m.total, *m.parts, *m.dependents))
        ]
        shown = disclose(cells, rule, margins)
        title = scale_title(definition.short_name, scale.label)
        section = f"Outcomes: {title}"
        chart = _chart(title, shown, (scale.range_min, scale.range_max))
        funnel_figures, funnel = (
            report_funnel.service_comparison(
                contract,
                measure_id=definition.id,
                scale_id=scale.id,
                title=title,
                pairing=pairing,
                start=start,
                end=end,
                rule=rule,
                higher_is_better=result.higher_is_better,
                pairs=paired if isinstance(paired, selectors.OutcomeFactors) else None,
            )
            if "mean_change" in req_wanted
            else ([], None)
        )
        outcomes.append(
            Outcome(
                measure_id=definition.id,
                measure_name=definition.short_name,
                scale_id=scale.id,
                scale_label=scale.label,
                direction="Higher scores are better"
                if result.higher_is_better
                else "Lower scores are better",
                pairing="first and latest score"
                if pairing == "latest"
                else "first and end (exit) score",
                figures=_figures(
                    shown,
                    cells,
                    section=section,
                    measure=definition.short_name,
                    scale=scale.label,
                )
                + funnel_figures,
                chart=chart,
                caveats=result.caveats
                + _versions_caveat(contract, definition, services, start, end),
                funnel=funnel,
            )
        )
    report = Report(
        contract=contract,
        title=f"{contract.name}: outcomes report",
        start=start,
        end=period_end,
        rule=rule,
        reach=reach,
        completion=completion,
        capture_warning=capture_warning,
        outcomes=outcomes,
        start_only=start_only,
        figures_to=figures_to,
    )
    report.methods = methods(report)
    return report
