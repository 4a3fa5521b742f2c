"""The printable "Your progress" sheet: the one thing a person takes home.

One A4 page (two at most for a person with many measures), in Easy Read: a summary
first in plain words (what got better, what stayed about the same, what got worse,
each with a drawn symbol and its words), the caveat said once, then a small chart
per scale with which way is better and any cited average. Every sentence comes from
:mod:`openproms.scoring.easy_read` (through
:mod:`openproms.reports.progress_services`), so the sheet says what the screen says.

Fitting the page: the sheet is built with the richest layout first (under each
scale "since you started" and "since last time"; under each chart which way is
better and any average) and, while it runs over the pages allowed (one for up to
four measures, two for more), again with fewer words: the summary's shortest
lines under "What has changed since you started", then each scale as its name
beside a word-sized chart, two a line. The type never gets smaller.

Two variants: ``standard`` (every word 14 pt or more) and ``large_print`` (18 pt or
more; allowed twice the pages). Charts are drawn with ReportLab
(:func:`openproms.reports.charts.small_line_chart`), so their labels are real text
at the same sizes.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext
from reportlab.graphics.shapes import Circle, Drawing, PolyLine
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from openproms.paper.typefaces import SANS_BOLD, register_fonts
from openproms.reports.charts import small_line_chart, sparkline
from openproms.reports.progress_services import (
    MeasureProgress,
    ScaleProgress,
    person_summary,
)
from openproms.scoring.easy_read import CAVEAT, Movement, Translate, fmt

# "from 2 to 7" stays on one line when a sentence wraps.
FROM_TO = re.compile(r"\b(from|o) (\S+) (to|i) (\S+)")
FONT = register_fonts()  # the Welsh-capable face of every PDF (paper/typefaces.py)
BOLD = SANS_BOLD
INK = colors.HexColor("#212b32")
MARGIN = 12 * mm


@dataclass(frozen=True)
class Layout:
    """How much the sheet says: ``full`` summary lines (both comparisons) or the
    shortest; charts ``columns`` a row, ``chart_height`` tall, with ``captions``
    (which way is better, averages) or not; or, with ``sparklines``, each scale as
    its name beside a word-sized chart, two a line, under its measure's name."""

    full: bool
    captions: bool
    columns: int
    chart_height: float
    sparklines: bool = False


@dataclass(frozen=True)
class Variant:
    """Type sizes (points) of one variant of the sheet, and its layouts from the
    richest to the most compact."""

    name: str
    body: float
    h1: float
    h2: float
    h3: float
    layouts: tuple[Layout, ...]
    pages_factor: int = 1

    def style(self, name: str, size: float, *, bold: bool = False) -> ParagraphStyle:
        return ParagraphStyle(
            f"{self.name}-{name}",
            fontName=BOLD if bold else FONT,
            fontSize=size,
            leading=size * 1.25,
            textColor=INK,
        )


STANDARD = Variant(
    "standard",
    body=14,
    h1=24,
    h2=18,
    h3=16,
    layouts=(
        Layout(full=True, captions=True, columns=3, chart_height=64),
        Layout(full=False, captions=True, columns=3, chart_height=64),
        Layout(full=False, captions=False, columns=2, chart_height=20, sparklines=True),
    ),
)
LARGE_PRINT = Variant(
    "large_print",
    body=18,
    h1=30,
    h2=24,
    h3=20,
    layouts=(
        Layout(full=True, captions=True, columns=2, chart_height=110),
        Layout(full=False, captions=True, columns=2, chart_height=110),
        Layout(full=False, captions=False, columns=2, chart_height=32, sparklines=True),
    ),
    pages_factor=2,
)
MEASURES_ON_ONE_PAGE = 4


def pages_allowed(progress: list[MeasureProgress], variant: Variant) -> int:
    """One page for up to four measures, two for more (twice that in large print)."""
    pages = 1 if len(progress) <= MEASURES_ON_ONE_PAGE else 2
    return pages * variant.pages_factor


# The standard variant's styles (the smallest type anywhere on the sheet is BODY).
BODY = STANDARD.style("body", STANDARD.body)
H1 = STANDARD.style("h1", STANDARD.h1, bold=True)
H2 = STANDARD.style("h2", STANDARD.h2, bold=True)


def _symbol(movement: Movement, size: float) -> Drawing:
    """A face beside each summary heading (always with its words): smiling for
    better, level for about the same, turned down for worse; a question mark for
    changed with no verdict, a single dot for answered once."""
    drawing = Drawing(size, size)
    drawing.initialFontName = FONT  # no other face in the PDF (typefaces.py)
    r = size / 2 - 1
    cx = cy = size / 2
    width = max(1.2, size / 14)
    drawing.add(Circle(cx, cy, r, strokeColor=INK, strokeWidth=width, fillColor=None))
    if movement in ("better", "same", "worse"):
        for dx in (-r * 0.35, r * 0.35):
            drawing.add(
                Circle(cx + dx, cy + r * 0.28, r * 0.1, fillColor=INK, strokeColor=INK)
            )
        bend = {"better": 1.0, "same": 0.0, "worse": -1.0}[movement]
        mouth = []
        for n in range(9):
            t = -1 + n / 4
            mouth += [cx + t * r * 0.45, cy - r * 0.3 + bend * r * 0.22 * (t * t - 1)]
        drawing.add(PolyLine(mouth, strokeColor=INK, strokeWidth=width))
    elif movement == "changed":
        hook = []
        for n in range(11):  # the curve of the question mark, from left over to right
            angle = math.radians(160 - 22 * n)
            hook += [
                cx + r * 0.3 * math.cos(angle),
                cy + r * 0.3 + r * 0.3 * math.sin(angle),
            ]
        hook += [cx, cy - r * 0.15]
        drawing.add(PolyLine(hook, strokeColor=INK, strokeWidth=width))
        drawing.add(Circle(cx, cy - r * 0.45, r * 0.1, fillColor=INK, strokeColor=INK))
    else:
        drawing.add(Circle(cx, cy, r * 0.22, fillColor=INK, strokeColor=INK))
    return drawing


def _text(line: str) -> str:
    """A sentence as Paragraph markup, keeping "from 2 to 7" together."""
    return FROM_TO.sub("\\1\u00a0\\2\u00a0\\3\u00a0\\4", escape(line))


def _heading_with_symbol(
    movement: Movement, text: str, variant: Variant, width: float
) -> Table:
    size = variant.h3 * 1.5
    table = Table(
        [
            [
                _symbol(movement, size),
                Paragraph(escape(text), variant.style("h3", variant.h3, bold=True)),
            ]
        ],
        colWidths=[size + 8, width - size - 8],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # cells default to Helvetica
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _chart_cell(
    scale: ScaleProgress, variant: Variant, layout: Layout, width: float
) -> list[Flowable]:
    story = scale.story
    body = variant.style("body", variant.body)
    cell: list[Flowable] = [
        Paragraph(escape(scale.name), variant.style("name", variant.body, bold=True)),
        small_line_chart(
            [(p.when.date(), p.value) for p in scale.points],
            low=scale.scale.range_min,
            high=scale.scale.range_max,
            width=width,
            height=layout.chart_height,
            font_size=variant.body,
            font=FONT,
            label=fmt,
            until=scale.no_score_at.date() if scale.no_score_at else None,
        ),
    ]
    if layout.captions:
        lines = (story.better_line, *story.averages)
        cell += [Paragraph(escape(line), body) for line in lines]
    return cell


def _chart_rows(
    scales: list[ScaleProgress], variant: Variant, layout: Layout, width: float
) -> list[Table]:
    """The charts, ``layout.columns`` a row, one table per row (a row never
    splits across pages, and the heading above stays with the first row)."""
    gap = 12
    columns = layout.columns
    column = (width - gap * (columns - 1)) / columns
    cells = [_chart_cell(s, variant, layout, column) for s in scales]
    rows = []
    for i in range(0, len(cells), columns):
        row: list[list[Flowable]] = cells[i : i + columns]
        row += [[]] * (columns - len(row))
        table = Table(
            [row], colWidths=[column + gap] * (columns - 1) + [column], hAlign="LEFT"
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT),  # cells default to Helvetica
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-2, -1), gap),
                    ("RIGHTPADDING", (-1, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        rows.append(table)
    return rows


def _spark_rows(
    progress: list[MeasureProgress], variant: Variant, layout: Layout, width: float
) -> list[Flowable]:
    """Each measure's name, then its scales two a line: name and sparkline. A
    measure with one scale needs no heading (the scale's name says it)."""
    gap = 12
    half = (width - gap) / 2
    label_width = half * 0.55
    spark_width = half - label_width - 6
    name_style = variant.style("spark-name", variant.body)
    heading = variant.style("spark-heading", variant.body, bold=True)
    heading.spaceBefore = variant.body * 0.3
    out: list[Flowable] = []
    singles: list[tuple[str, ScaleProgress]] = []

    def rows(named: list[tuple[str, ScaleProgress]]) -> None:
        for i in range(0, len(named), 2):
            cells: list[object] = []
            for label, scale in named[i : i + 2]:
                cells += [
                    Paragraph(escape(label), name_style),
                    sparkline(
                        [p.value for p in scale.points],
                        low=scale.scale.range_min,
                        high=scale.scale.range_max,
                        width=spark_width,
                        height=layout.chart_height,
                    ),
                ]
            cells += [""] * (4 - len(cells))
            table = Table(
                [cells],
                colWidths=[
                    label_width,
                    spark_width + gap + 6,
                    label_width,
                    spark_width,
                ],
            )
            table.setStyle(
                TableStyle(
                    [
                        (
                            "FONTNAME",
                            (0, 0),
                            (-1, -1),
                            FONT,
                        ),  # cells default to Helvetica
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ]
                )
            )
            out.append(table)

    for measure in progress:
        if len(measure.scales) == 1:
            singles.append((measure.scales[0].name, measure.scales[0]))
            continue
        out.append(Paragraph(escape(measure.definition.short_name), heading))
        rows([(scale.scale.label, scale) for scale in measure.scales])
    if singles:
        if len(out):
            out.append(Spacer(1, variant.body * 0.3))
        rows(singles)
    return out


def _story(
    *,
    name: str,
    organisation_name: str,
    progress: list[MeasureProgress],
    today: dt.date,
    variant: Variant,
    layout: Layout,
    width: float,
    tr: Translate,
) -> list[Flowable]:
    body = variant.style("body", variant.body)
    h2 = variant.style("h2", variant.h2, bold=True)
    h2.spaceBefore = variant.body * 0.6
    h2.spaceAfter = variant.body * 0.2
    who = gettext("For %(name)s.") % {"name": name}
    where = gettext("From %(organisation)s, on %(date)s.") % {
        "organisation": organisation_name,
        "date": date_format(today, "j F Y"),
    }
    header = [who, where] if layout.full else [f"{who} {where}"]
    story: list[Flowable] = [
        Paragraph(
            escape(gettext("Your progress")), variant.style("h1", variant.h1, bold=True)
        ),
        Spacer(1, variant.body * 0.3),
        *(Paragraph(escape(line), body) for line in header),
    ]
    scales = [scale for measure in progress for scale in measure.scales]
    if not scales:
        story.append(Paragraph(escape(gettext("You have no scores yet.")), body))
        return story
    title = (
        gettext("What has changed")
        if layout.full
        else gettext("What has changed since you started")
    )
    story.append(Paragraph(escape(title), h2))
    gap_after = variant.body * (0.3 if layout.full else 0.1)
    gap_before = variant.body * (0.3 if layout.full else 0.15)
    for group in person_summary(progress, tr):
        block: list[Flowable] = [
            Spacer(1, gap_before),
            _heading_with_symbol(group.movement, group.heading, variant, width),
        ]
        for scale_story in group.stories:
            lines = (
                scale_story.summary_lines if layout.full else scale_story.short_lines
            )
            for n, line in enumerate(lines):
                style = body
                if n == len(lines) - 1:
                    style = ParagraphStyle("last", parent=body, spaceAfter=gap_after)
                block.append(Paragraph(_text(line), style))
        if group.closing:
            block.append(Paragraph(escape(group.closing), body))
        story.append(KeepTogether(block))
    story.append(Spacer(1, variant.body * 0.5))
    story += [Paragraph(escape(tr(line)), body) for line in CAVEAT]
    if layout.sparklines:
        first, *rest = _spark_rows(progress, variant, layout, width)
    else:
        first, *rest = _chart_rows(scales, variant, layout, width)
    story.append(
        KeepTogether([Paragraph(escape(gettext("Your scores over time")), h2), first])
    )
    story += rest
    return story


def progress_pdf(
    *,
    name: str,
    organisation_name: str,
    progress: list[MeasureProgress],
    today: dt.date,
    large_print: bool = False,
    tr: Translate = gettext,
) -> bytes:
    """The sheet as PDF bytes (``large_print`` for the large-print variant), in the
    richest layout that fits the pages allowed (see the module docstring); the
    Easy Read words that name the person's worker through ``tr`` (a GP practice's
    words: ``answer_results.person_gettext``)."""
    variant = LARGE_PRINT if large_print else STANDARD
    allowed = pages_allowed(progress, variant)
    pdf = b""
    for layout in variant.layouts:
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN,
            title=gettext("Your progress"),
            author=organisation_name,
            initialFontName=FONT,
        )
        doc.build(
            _story(
                name=name,
                organisation_name=organisation_name,
                progress=progress,
                today=today,
                variant=variant,
                layout=layout,
                width=A4[0] - 2 * MARGIN,
                tr=tr,
            )
        )
        pdf = buffer.getvalue()
        if doc.page <= allowed:
            break
    return pdf
