"""The organisation and service dashboard: managers' unrounded outcome figures.

Not a commissioner output: figures are not disclosure-controlled, but every figure
shows its n and small groups carry a caution. Every chart and table can be
downloaded as CSV (``?download=<table id>``), audited as ``report.export``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openproms.accounts.policy import Action, Role
from openproms.accounts.terms import terms_for
from openproms.audit.services import log_action
from openproms.catalogue.selectors import measure_definition
from openproms.core.access import org_view
from openproms.reports import charts, funnel_charts
from openproms.reports.dashboard_forms import DashboardForm
from openproms.reports.exports import safe_cell
from openproms.reports.report_builder import scale_title
from openproms.reports.selectors import (
    GROUP_KEYS,
    EpisodeFactors,
    EpisodeScope,
    collection_summary,
    episode_factors,
    episode_scope,
    funders_left_out,
    outcome_factors,
    run_together,
)
from openproms.reports.selectors.versions import answered_versions, versions_note
from openproms.scoring import MeasureDefinition
from openproms.stats import (
    NHS_RULE,
    Estimate,
    Factor,
    PairedChange,
    ScoreArrays,
    fixed,
    paired_change,
    rounded,
)

SMALL_N = 10
CAUTION = f"fewer than {SMALL_N} people: treat with caution"
BREAKDOWNS = ("sex", "ethnicity_group", "age_band", "worker", "service")
#: Who sees workers compared with each other (everyone with the dashboard sees
#: services compared).
WORKER_COMPARISON_ROLES = frozenset({Role.MANAGER, Role.ORG_ADMIN})
#: A group in a fair comparison needs this many people to be shown (the NHS
#: disclosure rule's minimum for a mean).
COMPARISON_MIN_PEOPLE = NHS_RULE.min_contributors


@dataclass
class Table:
    """A table of figures (and its chart): ``title`` is its heading under its
    section's heading; ``context`` names the section (the scale), so that
    ``label`` says what the table is wherever it stands alone (a chart, a screen
    reader's list of tables, a download link)."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    download_url: str = ""
    context: str = ""
    show_table: bool = False  # the table beside the chart, not folded under it

    @property
    def label(self) -> str:
        return f"{self.context}: {self.title.lower()}" if self.context else self.title

    @property
    def spec_json(self) -> str:
        return charts.spec_json(self.chart) if self.chart else ""


def _num(x: float | None, places: int = 2) -> float | str:
    # Numbers stay numbers (a CSV cell holds -7.0, not text); never -0.0.
    return "" if x is None else rounded(x, places)


def _ci(e: Estimate | None) -> list[float | str]:
    return ["", ""] if e is None else [rounded(e.low, 2), rounded(e.high, 2)]


def _share(count: int, n: int) -> str:
    return f"{100 * count / n:.1f}%" if n else ""


def _caution(n: int) -> str:
    return CAUTION if n < SMALL_N else ""


def _summary_table(tid: str, name: str, pc: PairedChange) -> Table:
    n = pc.n
    rows: list[list[Any]] = [
        ["People with a pair of scores", n, "", "", "", _caution(n)],
        ["Mean first score", _num(pc.mean_first), "", "", n, _caution(n)],
        ["Mean later score", _num(pc.mean_latest), "", "", n, _caution(n)],
        [
            "Mean change (later minus first)",
            _num(pc.mean_change.value if pc.mean_change else None),
            *_ci(pc.mean_change),
            n,
            _caution(n),
        ],
        [
            "Effect size (Cohen's d, baseline SD)",
            _num(pc.effect_size.value if pc.effect_size else None),
            *_ci(pc.effect_size),
            n,
            _caution(n),
        ],
    ]
    if pc.reliable:
        r = pc.reliable
        for label, count in (
            ("Reliable improvement", r.improved),
            ("No reliable change", r.no_change),
            ("Reliable deterioration", r.deteriorated),
        ):
            rows.append(
                [label, f"{count} ({_share(count, n)})", "", "", n, _caution(n)]
            )
    if pc.recovery:
        rc = pc.recovery
        cases = rc.cases_at_first
        rows.append(
            [
                "Recovered (of those above the cut-off at first)",
                f"{rc.recovered} ({_share(rc.recovered, cases)})",
                "",
                "",
                cases,
                _caution(cases),
            ]
        )
        if rc.reliably_recovered is not None:
            rows.append(
                [
                    "Reliably recovered",
                    f"{rc.reliably_recovered} ({_share(rc.reliably_recovered, cases)})",
                    "",
                    "",
                    cases,
                    _caution(cases),
                ]
            )
    return Table(
        tid,
        "Change",
        ["Figure", "Value", "95% CI from", "95% CI to", "n", "Caution"],
        rows,
        context=name,
    )


def _distribution_table(tid: str, name: str, pc: PairedChange) -> Table:
    hist = pc.bands or pc.bins
    rows = [
        [label, first, latest]
        for label, first, latest in zip(
            hist.labels, hist.first, hist.latest, strict=True
        )
    ]
    values = [
        {"group": label, "when": when, "people": count, "order": i}
        for i, (label, first, latest) in enumerate(
            zip(hist.labels, hist.first, hist.latest, strict=True)
        )
        for when, count in (("First score", first), ("Later score", latest))
    ]
    spec = charts.base_spec(title=f"{name}: first and later scores (n = {pc.n})")
    spec.update(
        {
            "data": {"values": values},
            "mark": "bar",
            "encoding": {
                "x": {
                    "field": "group",
                    "type": "nominal",
                    "sort": {"field": "order"},
                    "title": "Score",
                    "axis": {"labelAngle": -40},
                },
                "xOffset": {"field": "when"},
                "y": {"field": "people", "type": "quantitative", "title": "People"},
                "color": {
                    "field": "when",
                    "type": "nominal",
                    "title": None,
                    "scale": {"range": ["#768692", charts.BLUE]},
                },
            },
        }
    )
    return Table(
        tid,
        "First and later scores",
        ["Score", f"First score (n = {pc.n})", f"Later score (n = {pc.n})"],
        rows,
        chart=spec,
        context=name,
    )


def _group_table(
    tid: str, title: str, groups: dict[str, PairedChange], name: str
) -> Table:
    rows = []
    for group, pc in groups.items():
        improved = pc.reliable.improved if pc.reliable else None
        rows.append(
            [
                group,
                pc.n,
                _num(pc.mean_first),
                _num(pc.mean_latest),
                _num(pc.mean_change.value if pc.mean_change else None),
                *_ci(pc.mean_change),
                _num(pc.effect_size.value if pc.effect_size else None),
                "" if improved is None else _share(improved, pc.n),
                _caution(pc.n),
            ]
        )
    return Table(
        tid,
        title,
        [
            "Group",
            "n",
            "Mean first",
            "Mean later",
            "Mean change",
            "95% CI from",
            "95% CI to",
            "Effect size",
            "Reliable improvement",
            "Caution",
        ],
        rows,
        context=name,
    )


def _trend_table(tid: str, name: str, groups: dict[str, PairedChange]) -> Table:
    table = _group_table(tid, "Mean change by quarter", groups, name)
    table.columns[0] = "Quarter"
    values = [
        {
            "quarter": quarter,
            "change": pc.mean_change.value if pc.mean_change else None,
            "low": pc.mean_change.low if pc.mean_change else None,
            "high": pc.mean_change.high if pc.mean_change else None,
            "n": pc.n,
        }
        for quarter, pc in groups.items()
    ]
    spec = charts.base_spec(title=table.label)
    spec.update(
        {
            "data": {"values": values},
            "encoding": {
                "x": {
                    "field": "quarter",
                    "type": "ordinal",
                    "title": "Quarter of the later score",
                }
            },
            "layer": [
                {
                    "mark": "rule",
                    "encoding": {
                        "y": {
                            "field": "low",
                            "type": "quantitative",
                            "title": "Mean change",
                        },
                        "y2": {"field": "high"},
                    },
                },
                {
                    "mark": {"type": "line", "point": True},
                    "encoding": {
                        "y": {"field": "change", "type": "quantitative"},
                        "tooltip": [
                            {"field": "quarter"},
                            {"field": "change"},
                            {"field": "n"},
                        ],
                    },
                },
            ],
        }
    )
    table.chart = spec
    return table


def _change_by(
    defn: MeasureDefinition, scale_id: str, groups: Factor, scores: ScoreArrays
) -> dict[str, PairedChange]:
    """:func:`openproms.stats.paired_change_by` on one breakdown (a label per
    pair, in the order of ``scores``): the same figures, groups in the same sorted
    order, each group's scores taken from ``scores`` by index."""
    return {
        group: paired_change(
            defn, scale_id, ScoreArrays(scores.first[idx], scores.latest[idx])
        )
        for group, idx in groups.members().items()
    }


@dataclass
class ScaleSection:
    scale_id: str
    title: str  # the scale's display name, once ("CORE-10 clinical score")
    change: PairedChange
    tables: list[Table]

    @property
    def better(self) -> str:
        return (
            "Higher scores are better"
            if self.change.higher_is_better
            else "Lower scores are better"
        )

    @property
    def mean_change(self) -> str:
        e = self.change.mean_change
        if e is None:
            return "Too few people to say"
        return f"{fixed(e.value, 2)} (95% CI {fixed(e.low, 2)} to {fixed(e.high, 2)})"

    def _reliable(self, count: int | None) -> str:
        if self.change.reliable is None or count is None:
            return "No published threshold"
        return f"{count} ({_share(count, self.change.n)})"

    @property
    def improved(self) -> str:
        r = self.change.reliable
        return self._reliable(r.improved if r else None)

    @property
    def deteriorated(self) -> str:
        r = self.change.reliable
        return self._reliable(r.deteriorated if r else None)


def _scale_section(
    request: HttpRequest,
    defn: MeasureDefinition,
    scale_id: str,
    data: dict[str, Any],
    scope: EpisodeScope,
    episodes: EpisodeFactors,
) -> tuple[ScaleSection, Any]:
    organisation = request.organisation  # type: ignore[attr-defined]
    start, end = data["range"]
    result = outcome_factors(
        organisation=organisation,
        measure_id=defn.id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=data["include_pilot"],
        pairing=data["pairing"],
        scope=scope,
        episodes=episodes,
    )
    scale = defn.scale(scale_id)
    scores = result.scores
    pc = paired_change(defn, scale_id, scores)
    name = scale_title(defn.short_name, scale.label)
    tables = [
        _summary_table(f"summary-{scale_id}", name, pc),
        _distribution_table(f"distribution-{scale_id}", name, pc),
    ]
    by_quarter = _change_by(defn, scale_id, result.factors["quarter"], scores)
    tables.append(_trend_table(f"trend-{scale_id}", name, by_quarter))
    labels = {**GROUP_KEYS, "worker": terms_for(organisation)["Key_worker"]}
    for key in BREAKDOWNS:
        groups = _change_by(defn, scale_id, result.factors[key], scores)
        tables.append(
            _group_table(
                f"by-{key}-{scale_id}", f"By {labels[key].lower()}", groups, name
            )
        )
    tables.extend(
        _comparison_tables(
            request, name, scale_id, result.factors, scores, pc.higher_is_better
        )
    )
    return ScaleSection(scale_id, name, pc, tables), result.capture


def _comparison_tables(
    request: HttpRequest,
    name: str,
    scale_id: str,
    factors: dict[str, Factor],
    scores: ScoreArrays,
    higher_is_better: bool,
) -> list[Table]:
    """Services (and, for managers, workers) compared on change adjusted for the
    first score and the recorded factors: a funnel plot and its table each."""
    casemix = funnel_charts.fit_factors(factors, scores)
    if casemix is None:
        return []
    role = request.membership.role  # type: ignore[attr-defined]
    keys = [("service", "service", "services")]
    if role in WORKER_COMPARISON_ROLES:
        word = terms_for(request.organisation)["key_worker"]  # type: ignore[attr-defined]
        keys.append(("worker", word, f"{word}s"))
    tables = []
    for key, what, plural in keys:
        comparison = funnel_charts.compare_groups(
            casemix, factors[key], higher_is_better
        )
        title = f"Fair comparison of {plural}"
        built = funnel_charts.comparison_table(
            comparison,
            title=f"{name}: {title.lower()}",
            what=what,
            min_people=COMPARISON_MIN_PEOPLE,
        )
        tables.append(
            Table(
                f"funnel-{key}-{scale_id}",
                title,
                built.columns,
                built.rows,
                chart=built.spec,
                notes=built.notes,
                context=name,
                show_table=True,
            )
        )
    return tables


def _collection_table(summary: dict[str, Any]) -> Table:
    fu = summary["follow_up"]
    rows = [
        ["People engaged", summary["people_engaged"], ""],
        ["New episodes", summary["new_episodes"], ""],
        [
            "Baseline completed (new episodes with a first answer)",
            summary["baseline_completed"],
            _share(summary["baseline_completed"], summary["new_episodes"]),
        ],
        [
            # Not the headline's pairs of one measure (the hint says how).
            "Follow-up capture (new episodes with a baseline that have a later answer)",
            fu.with_follow_up,
            _share(fu.with_follow_up, fu.with_baseline),
        ],
        ["Time points completed", summary["completed"], ""],
        ["Time points missed", summary["missed"], ""],
    ]
    return Table("collection", "Collection", ["Figure", "Number", "Share"], rows)


def _csv_response(request: HttpRequest, table: Table) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(c) for c in row])
    log_action(
        action="report.export",
        actor=request.user,  # type: ignore[arg-type]
        organisation=request.organisation,  # type: ignore[attr-defined]
        request=request,
        detail={
            "page": "dashboard",
            "table": table.id,
            "format": "csv",
            "query": request.GET.urlencode(),
        },
    )
    response = HttpResponse(
        out.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="dashboard-{table.id}.csv"'
    return response


@org_view(Action.DASHBOARD_VIEW)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = DashboardForm(
        request.GET, organisation=organisation, today=timezone.localdate()
    )
    context: dict[str, Any] = {"form": form, "organisation": organisation}
    if not form.is_valid():
        return render(request, "reports/dashboard/dashboard.html", context, status=400)
    context["filters"] = form.summary()
    data = form.cleaned_data
    start, end = data["range"]
    service = data["service_obj"]
    defn = (
        measure_definition(organisation=organisation, measure_id=data["measure"])
        if data["measure"]
        else None
    )

    def summary_task() -> dict[str, Any]:
        return collection_summary(
            organisation=organisation,
            services=[service] if service else None,
            start=start,
            end=end,
            include_pilot=data["include_pilot"],
            audience="organisation",
        )

    def sections_task() -> list[tuple[ScaleSection, Any]]:
        if defn is None:
            return []
        # The episodes' facts and the scope are read once for every scale.
        services = [service] if service else None
        episodes = episode_factors(organisation, services)
        scope = episode_scope(
            organisation,
            services,
            audience="organisation",
            episode_ids=episodes.ids if services is not None else None,
        )
        return [
            _scale_section(request, defn, scale.id, data, scope, episodes)
            for scale in defn.scales
            if scale.method != "profile"
        ]

    # The outcome sections are read while the collection counts are counted.
    summary, read = run_together(summary_task, sections_task)
    sections: list[ScaleSection] = [section for section, _ in read]
    capture = next((c for _, c in read if c is not None), None)
    tables = [_collection_table(summary)] + [t for s in sections for t in s.tables]
    wanted = request.GET.get("download")
    if wanted:
        table = next((t for t in tables if t.id == wanted), None)
        if table is None:
            raise Http404("No such table.")
        return _csv_response(request, table)
    query = request.GET.copy()
    query.pop("download", None)
    for table in tables:
        query["download"] = table.id
        table.download_url = "?" + query.urlencode()
    query.pop("download", None)
    context.update(
        {
            "start": start,
            "end": end,
            "service": service,
            "defn": defn,
            "sections": sections,
            "collection": tables[0],
            "capture": capture,
            "capture_share": _share(capture.with_follow_up, capture.with_baseline)
            if capture
            else "",
            "versions_note": versions_note(
                defn.short_name,
                answered_versions(
                    organisation=organisation,
                    measure_id=defn.id,
                    start=start,
                    end=end,
                    services=[service] if service else None,
                ),
            )
            if defn
            else "",
            "left_out": funders_left_out(organisation, [service] if service else None),
            "summary": summary,
            "query": query.urlencode(),
            "small_n": SMALL_N,
            "caution": CAUTION,
        }
    )
    return render(request, "reports/dashboard/dashboard.html", context)
