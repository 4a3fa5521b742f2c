"""The printable "Your progress" sheet: A4, easy-read, large type (body 14 pt,
headings 18-24 pt), one chart per scale rendered with vl-convert.

It shows what the person-facing page shows and nothing more (see
:mod:`openproms.reports.progress_services`).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from openproms.reports.charts import render_png
from openproms.reports.progress_services import MeasureProgress

BODY_SIZE = 14
H1_SIZE = 24
H2_SIZE = 18
FONT = "Helvetica"
BOLD = "Helvetica-Bold"

BODY = ParagraphStyle(
    "body", fontName=FONT, fontSize=BODY_SIZE, leading=BODY_SIZE * 1.4, spaceAfter=6
)
H1 = ParagraphStyle(
    "h1", fontName=BOLD, fontSize=H1_SIZE, leading=H1_SIZE * 1.25, spaceAfter=10
)
H2 = ParagraphStyle(
    "h2",
    fontName=BOLD,
    fontSize=H2_SIZE,
    leading=H2_SIZE * 1.3,
    spaceBefore=10,
    spaceAfter=6,
)


# vl-convert draws no text at all when the font is missing; Arial (charts.FONT) is
# not installed everywhere, Liberation Sans (metric-compatible with Arial) is.
PNG_FONT = "Liberation Sans"


def _printable(spec: dict[str, Any]) -> dict[str, Any]:
    """The chart with a font vl-convert can find, and larger text for print."""
    config = dict(spec.get("config", {}))
    config["font"] = PNG_FONT
    config["axis"] = {
        **config.get("axis", {}),
        "labelFontSize": 15,
        "titleFontSize": 15,
    }
    title = {**spec.get("title", {}), "font": PNG_FONT, "fontSize": 18}
    return {**spec, "config": config, "title": title, "height": 260}


def progress_pdf(
    *,
    name: str,
    organisation_name: str,
    progress: list[MeasureProgress],
    today: dt.date,
    charts: bool = True,
) -> bytes:
    """The sheet as PDF bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Your progress",
        author=organisation_name,
    )
    width = A4[0] - 36 * mm
    story: list[object] = [
        Paragraph("Your progress", H1),
        Paragraph(escape(f"For {name}. Printed on {today:%d %B %Y}."), BODY),
        Paragraph(
            escape(
                f"These are the answers you gave to {organisation_name}. "
                "Talk to your worker about what they mean for you."
            ),
            BODY,
        ),
    ]
    if not progress:
        story.append(Paragraph("You have no scores yet.", BODY))
    for measure in progress:
        for scale in measure.scales:
            block: list[object] = [Paragraph(escape(scale.name), H2)]
            if charts:
                png = render_png(_printable(scale.person_chart()), width=600)
                image = Image(io.BytesIO(png))
                ratio = image.imageHeight / image.imageWidth
                image.drawWidth = width
                image.drawHeight = width * ratio
                block.append(image)
            story.append(KeepTogether(block))
            for sentence in scale.person_sentences():
                story.append(Paragraph(escape(sentence), BODY))
            story.append(Spacer(1, 4 * mm))
    doc.build(story)
    return buffer.getvalue()
