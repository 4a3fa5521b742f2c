"""Chart specifications (Vega-Lite), one per chart, rendered twice: in pages by
vega-embed and in PDFs by vl-convert, so a chart looks the same everywhere.

Each builder returns a plain dict (the Vega-Lite specification) whose data is
inline ``values``; pages also show the same rows as an accessible table beside the
chart. Specifications must not refer to remote data or fonts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.dates import MONTHS, MONTHS_3, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from openproms.paper.typefaces import SANS

if TYPE_CHECKING:
    from reportlab.graphics.shapes import Drawing

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
FONT = "Arial"
BLUE = "#005eb8"


def base_spec(
    *, title: str, width: int | str = "container", height: int = 240
) -> dict[str, Any]:
    """Common settings: NHS blue, Arial, no remote resources, readable sizes."""
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "font": FONT, "fontSize": 16, "anchor": "start"},
        "width": width,
        "height": height,
        "config": {
            "font": FONT,
            "axis": {"labelFontSize": 13, "titleFontSize": 14},
            "legend": {"labelFontSize": 13, "titleFontSize": 14},
            "mark": {"color": BLUE},
            "view": {"stroke": None},
        },
    }


def time_locale() -> dict[str, Any] | None:
    """The active language's month and day names as a d3 time-format locale, for
    charts drawn in the browser on a person's page in their language (decision
    0028; static/reports/charts.js hands it to vega-embed); None in English."""
    language = translation.get_language() or "en"
    if language.split("-")[0] == "en":
        return None
    return {
        "dateTime": "%A, %e %B %Y, %X",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [str(WEEKDAYS[(n + 6) % 7]) for n in range(7)],
        "shortDays": [str(WEEKDAYS_ABBR[(n + 6) % 7]) for n in range(7)],
        "months": [str(MONTHS[n]) for n in range(1, 13)],
        "shortMonths": [str(MONTHS_3[n]).capitalize() for n in range(1, 13)],
    }


def spec_json(spec: dict[str, Any]) -> SafeString:
    """The specification as JSON safe to put in a ``<script type="application/json">``."""
    text = json.dumps(spec, separators=(",", ":"))
    escaped = (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
    return mark_safe(escaped)  # noqa: S308 - "<", ">" and "&" escaped above


# vl-convert draws text only with fonts it can find; a machine may have no Arial.
# ReportLab ships Bitstream Vera Sans, so PDF charts use it wherever openproms runs.
PDF_FONT = "Bitstream Vera Sans"
_fonts_registered: list[bool] = []


def _register_pdf_font() -> None:
    if _fonts_registered:
        return
    from pathlib import Path

    import reportlab
    import vl_convert as vlc

    vlc.register_font_directory(str(Path(reportlab.__file__).parent / "fonts"))
    _fonts_registered.append(True)


def _with_font(node: Any, font: str) -> Any:
    """A copy of a specification with every font setting replaced."""
    if isinstance(node, dict):
        return {
            key: (
                font
                if key in {"font", "labelFont", "titleFont"}
                else _with_font(value, font)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_font(value, font) for value in node]
    return node


def render_png(spec: dict[str, Any], *, width: int = 700, scale: float = 2.0) -> bytes:
    """The chart as a PNG for a PDF (vl-convert: no browser, no network)."""
    import vl_convert as vlc

    _register_pdf_font()
    fixed = _with_font(spec, PDF_FONT)
    fixed["config"] = {**fixed.get("config", {}), "font": PDF_FONT}
    if fixed.get("width") == "container" or "width" not in fixed:
        fixed["width"] = width
    png: bytes = vlc.vegalite_to_png(fixed, scale=scale)
    return png


# ----------------------------------------------------------------- printed sheets


def small_line_chart(
    points: list[tuple[dt.date, float]],
    *,
    low: float,
    high: float,
    width: float,
    height: float,
    font_size: float,
    font: str = SANS,
    label: Callable[[float], str] = str,
    until: dt.date | None = None,
) -> Drawing:
    """A small chart of one scale's scores over time for a printed sheet, drawn
    with ReportLab (vector, and its text is real text at ``font_size`` points, so
    it stays sharp and as large as the words around it).

    Only what a person needs: the scale's lowest and highest score on the left,
    the first and last month below, a line through the scores with a dot on each
    (a bigger one on the latest). ``points`` are (date, score), oldest first;
    ``until``, the day of later answers that gave no score: the dates run to it
    and no dot is drawn bigger, as none of them is the latest answer.
    """
    from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, String
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    ink, grid, blue = (
        colors.HexColor("#212b32"),
        colors.HexColor("#aeb7bd"),
        colors.HexColor(BLUE),
    )
    drawing = Drawing(width, height)
    drawing.initialFontName = SANS  # no other face in the PDF (typefaces.py)
    low_text, high_text = label(low), label(high)
    gutter = max(stringWidth(t, font, font_size) for t in (low_text, high_text)) + 6
    pad = font_size * 0.5  # room for the dots at the edges
    left, right = gutter + pad, width - pad
    bottom, top = font_size * 1.6, height - font_size * 0.6
    for y, text in ((bottom, low_text), (top, high_text)):
        drawing.add(Line(gutter, y, width, y, strokeColor=grid, strokeWidth=0.8))
        drawing.add(
            String(
                gutter - 6,
                y - font_size * 0.35,
                text,
                fontName=font,
                fontSize=font_size,
                fillColor=ink,
                textAnchor="end",
            )
        )
    first_day, last_day = points[0][0], max(points[-1][0], until or points[-1][0])
    span = (last_day - first_day).days

    def x_of(day: dt.date) -> float:
        if span == 0:
            return (left + right) / 2
        return left + (right - left) * (day - first_day).days / span

    def y_of(value: float) -> float:
        return bottom + (top - bottom) * (value - low) / ((high - low) or 1)

    xy = [(x_of(day), y_of(value)) for day, value in points]
    baseline = font_size * 0.3
    # Month names through Django's formats: in the sheet's language.
    months = [date_format(first_day, "M Y"), date_format(last_day, "M Y")]
    if months[0] == months[1]:
        drawing.add(
            String(
                (left + right) / 2, baseline, months[0], fontName=font,
                fontSize=font_size, fillColor=ink, textAnchor="middle",
            )
        )  # fmt: skip
    else:
        for x, text, anchor in (
            (gutter, months[0], "start"),
            (width, months[1], "end"),
        ):
            drawing.add(
                String(
                    x, baseline, text, fontName=font, fontSize=font_size,
                    fillColor=ink, textAnchor=anchor,
                )
            )  # fmt: skip
    if len(xy) > 1:
        drawing.add(
            PolyLine([c for pair in xy for c in pair], strokeColor=blue, strokeWidth=2)
        )
    for n, (x, y) in enumerate(xy):
        latest = n == len(xy) - 1 and until is None
        radius = font_size * (0.32 if latest else 0.2)
        drawing.add(Circle(x, y, radius, fillColor=blue, strokeColor=blue))
    return drawing


def sparkline(
    values: list[float], *, low: float, high: float, width: float, height: float
) -> Drawing:
    """A word-sized chart of one scale's scores, oldest first, for a printed sheet
    short of room: a light band for the scale's range (lowest score at the bottom),
    the scores as a line with a dot on each and a bigger one on the latest. It has
    no words of its own: it stands beside the scale's name."""
    from reportlab.graphics.shapes import Circle, Drawing, PolyLine, Rect
    from reportlab.lib import colors

    blue = colors.HexColor(BLUE)
    drawing = Drawing(width, height)
    drawing.initialFontName = SANS  # no other face in the PDF (typefaces.py)
    radius = height * 0.16
    drawing.add(
        Rect(
            0,
            0,
            width,
            height,
            rx=radius,
            ry=radius,
            fillColor=colors.HexColor("#e8edee"),
            strokeColor=None,
        )
    )
    inner_low, inner_high = radius * 1.6, height - radius * 1.6
    left, right = radius * 2, width - radius * 2

    def y_of(value: float) -> float:
        share = (value - low) / ((high - low) or 1)
        return inner_low + (inner_high - inner_low) * share

    if len(values) == 1:
        xs = [(left + right) / 2]
    else:
        xs = [left + (right - left) * n / (len(values) - 1) for n in range(len(values))]
    xy = [(x, y_of(v)) for x, v in zip(xs, values, strict=True)]
    if len(xy) > 1:
        drawing.add(
            PolyLine(
                [c for pair in xy for c in pair], strokeColor=blue, strokeWidth=1.5
            )
        )
    for n, (x, y) in enumerate(xy):
        dot = radius * (1.0 if n == len(xy) - 1 else 0.6)
        drawing.add(Circle(x, y, dot, fillColor=blue, strokeColor=blue))
    return drawing


ERROR_BAR_GREY = "#768692"


def score_history_chart(
    *, name: str, points: list[dict[str, Any]], domain: tuple[float, float]
) -> dict[str, Any]:
    """One scale's scores over time (``points``: ``date``, ``score`` and, where the
    score has a 95% measurement-error interval, ``low`` and ``high``).

    The title says "with 95% measurement-error band" exactly when a band is drawn:
    both follow from the points, so a chart never claims a band it does not show.
    """
    band = any("low" in p and "high" in p for p in points)
    title = f"{name} with 95% measurement-error band" if band else f"{name} scores"
    spec = base_spec(title=title)
    x = {
        "field": "date",
        "type": "temporal",
        "title": "Date",
        "axis": {"format": "%-d %b %Y", "labelAngle": -30},
    }
    y = {
        "field": "score",
        "type": "quantitative",
        "title": "Score",
        "scale": {"domain": list(domain)},
    }
    layers: list[dict[str, Any]] = []
    if band:
        layers.append(
            {
                "transform": [{"filter": "isValid(datum.low)"}],
                "mark": {"type": "errorbar", "ticks": True, "color": ERROR_BAR_GREY},
                "encoding": {
                    "x": x,
                    "y": {**y, "field": "low"},
                    "y2": {"field": "high"},
                },
            }
        )
    layers.append(
        {
            "mark": {"type": "line", "point": {"size": 80}, "color": BLUE},
            "encoding": {"x": x, "y": y},
        }
    )
    spec["data"] = {"values": points}
    spec["layer"] = layers
    return spec
