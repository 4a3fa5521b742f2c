"""Chart specifications (Vega-Lite), one per chart, rendered twice: in pages by
vega-embed and in PDFs by vl-convert, so a chart looks the same everywhere.

Each builder returns a plain dict (the Vega-Lite specification) whose data is
inline ``values``; pages also show the same rows as an accessible table beside the
chart. Specifications must not refer to remote data or fonts.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.safestring import SafeString, mark_safe

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
        "axis": {"format": "%d %b %Y", "labelAngle": -30},
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
