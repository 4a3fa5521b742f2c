"""What the clinician summary says about each of a person's scales, and the text for
the clinical record.

Everything a number means comes from :mod:`openproms.scoring`: the 95%
measurement-error interval of each score (score +/- 1.96 x SEM, from the published
figures in the measure's definition), why a score has no band, the reliable-change
verdicts and where the latest score stands against the caseness threshold. This
module only words them. The record text is built by one function,
:func:`clinician_record_text`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openproms.collection.on_track import OnTrack
from openproms.people.models import ServiceUser
from openproms.reports.charts import score_history_chart, spec_json
from openproms.reports.progress_services import MeasureProgress, ScaleProgress, fmt
from openproms.scoring import (
    Change,
    MeasurementError,
    caseness_phrase,
    margin_text,
    no_sem_reason,
)

NO_BAND_RECORD = "no band (no published figure to work it out from)"


def band_drawn(scale: ScaleProgress) -> bool:
    """True when at least one score has a measurement-error interval."""
    return any(p.interval is not None for p in scale.points)


def latest_error(scale: ScaleProgress) -> MeasurementError | None:
    """The measurement error of the latest score (it can depend on the score)."""
    interval = scale.latest.interval
    return None if interval is None else interval.error


def error_words(scale: ScaleProgress) -> str:
    """The latest score's band in a few words (``+/- 4 points, 95%``), or ""."""
    error = latest_error(scale)
    return "" if error is None else margin_text(scale.scale, error)


def no_band_reason(scale: ScaleProgress) -> str:
    """Why no band is drawn, in plain words ("" when one is)."""
    if band_drawn(scale):
        return ""
    return no_sem_reason(scale.scale) or (
        "No standard error of measurement is given for these scores."
    )


def chart(scale: ScaleProgress) -> dict[str, Any]:
    """The score history, with each score's 95% interval where it has one."""
    points: list[dict[str, Any]] = []
    for p in scale.points:
        point: dict[str, Any] = {"date": p.when.date().isoformat(), "score": p.value}
        if p.interval is not None:
            point["low"] = p.interval.low
            point["high"] = p.interval.high
        points.append(point)
    return score_history_chart(
        name=scale.name,
        points=points,
        domain=(scale.scale.range_min, scale.scale.range_max),
    )


def columns(scale: ScaleProgress) -> list[str]:
    """Headings of the table beside the chart."""
    shown = ["Date", "Score"]
    if band_drawn(scale):
        shown.append("95% measurement-error range")
    return [*shown, "Score band", "Case"]


def rows(scale: ScaleProgress) -> list[list[str]]:
    """The chart's figures as table rows, in the order of :func:`columns`."""
    yn = {True: "Yes", False: "No", None: "n/a"}
    band = band_drawn(scale)
    out = []
    for p in scale.points:
        row = [f"{p.when.day} {p.when:%b %Y}", fmt(p.value)]
        if band:
            row.append(
                f"{fmt(round(p.interval.low, 2))} to {fmt(round(p.interval.high, 2))}"
                if p.interval
                else "No published figure"
            )
        out.append([*row, p.band or "n/a", yn[p.is_case]])
    return out


def verdict(change: Change | None) -> str:
    """The reliable-change verdict for one comparison, with the change in points."""
    if change is None:
        return "Only one score: no comparison"
    if change.reliable is None:
        return "No reliable-change threshold in the definition"
    sign = "+" if change.delta > 0 else ""
    if change.reliable_improvement:
        return f"Reliable improvement ({fmt(change.delta)})"
    if change.reliable_deterioration:
        return f"Reliable deterioration ({sign}{fmt(change.delta)})"
    return f"No reliable change ({sign}{fmt(change.delta)})"


def caseness_words(scale: ScaleProgress) -> str:
    """Where the latest score stands against the caseness threshold, or ""."""
    caseness = scale.scale.caseness
    if caseness is None or scale.latest.is_case is None:
        return ""
    return caseness_phrase(caseness, scale.latest.value)


def record_lines(scale: ScaleProgress) -> list[str]:
    """The lines of the record text for one scale."""
    code = f" [SNOMED CT {scale.snomed}]" if scale.snomed else ""
    history = ", ".join(f"{fmt(p.value)} ({p.when:%d/%m/%Y})" for p in scale.points)
    lines = [f"{scale.name}{code}: {history}."]
    latest = fmt(scale.latest.value)
    if scale.latest.band:
        latest += f" ({scale.latest.band})"
    where = caseness_words(scale)
    lines.append(f"  Latest: {latest}" + (f"; {where}." if where else "."))
    lines.append(f"  Measurement error: {error_words(scale) or NO_BAND_RECORD}.")
    if scale.first_change is not None:
        lines.append(f"  First vs latest: {verdict(scale.first_change)}.")
    if scale.last_change is not None and len(scale.points) > 2:
        lines.append(f"  Previous vs latest: {verdict(scale.last_change)}.")
    return lines


def clinician_record_text(
    *, service_user: ServiceUser, progress: list[MeasureProgress], today: dt.date
) -> str:
    """Plain text for pasting into the clinical record (``progress`` from
    ``person_progress(..., with_intervals=True)``)."""
    lines = [
        f"Patient-reported outcome measures summary ({today:%d/%m/%Y}), "
        f"ref {service_user.reference}.",
    ]
    for measure in progress:
        for scale in measure.scales:
            lines.extend(record_lines(scale))
    if not progress:
        lines.append("No scored measures yet.")
    else:
        lines.append(
            "Reliable change per the measure definition's published threshold "
            "(first vs latest score). Measurement error: the 95% range of a single "
            "score (1.96 x its published standard error of measurement)."
        )
    return "\n".join(lines)


def summary_blocks(
    progress: list[MeasureProgress], on_track: Sequence[OnTrack] = ()
) -> list[dict[str, Any]]:
    """One block per scale for the page: chart, table, verdicts, measurement error,
    and the latest score against what is expected by now (``on_track``, from
    :func:`openproms.collection.on_track.on_track_for_people`)."""
    verdicts = {(v.measure_id, v.scale_id): v for v in on_track}
    blocks = []
    for measure in progress:
        for n, scale in enumerate(measure.scales):
            spec = chart(scale)
            block = _block(scale, f"chart-{measure.measure_id}-{n}", spec)
            block["on_track"] = verdicts.get((measure.measure_id, scale.scale.id))
            blocks.append(block)
    return blocks


def _block(scale: ScaleProgress, chart_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "scale": scale,
        "chart_id": chart_id,
        "spec": spec,
        "spec_json": spec_json(spec),
        "band": band_drawn(scale),
        "columns": columns(scale),
        "rows": rows(scale),
        "first": verdict(scale.first_change),
        "last": verdict(scale.last_change) if len(scale.points) > 2 else "",
        "caseness": caseness_words(scale),
        "error": latest_error(scale),
        "error_words": error_words(scale),
        "no_band_reason": no_band_reason(scale),
    }
