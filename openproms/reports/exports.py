"""Commissioner report files: CSV, Excel workbook and PDF.

Each writer takes a built :class:`~openproms.reports.report_builder.Report`, which
holds only disclosure-controlled figures, so no file can carry an unrounded count.
Cells that a spreadsheet would read as a formula get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openproms.paper.typefaces import SANS, SANS_BOLD, sample_styles
from openproms.reports import charts
from openproms.reports.report_builder import Figure, Report

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "Contract",
    "From",
    "To",
    "Section",
    "Measure",
    "Scale",
    "Figure",
    "Code",
    "Kind",
    "Value",
    "Period status",
]


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet will not run: text starting with = + - @ tab or CR gets
    a leading apostrophe (OWASP CSV injection). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _row(figure: Figure) -> list[Any]:
    return [
        figure.section,
        figure.measure,
        figure.scale,
        figure.label,
        figure.name,
        figure.kind,
        figure.value,
    ]


def _period(report: Report) -> str:
    return f"{report.start:%d/%m/%Y} to {report.end:%d/%m/%Y}"


def report_csv(report: Report) -> bytes:
    """One table of every figure in the report; each row says whether the period
    has ended or its figures are those so far."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    lead = [report.contract.name, f"{report.start:%d/%m/%Y}", f"{report.end:%d/%m/%Y}"]
    status = report.in_progress_note or "Ended"
    for figure in report.all_figures():
        writer.writerow([safe_cell(v) for v in [*lead, *_row(figure), status]])
    return out.getvalue().encode("utf-8-sig")


def report_xlsx(report: Report) -> bytes:
    """A workbook: a summary sheet, a sheet per section, and the methods."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    contract = report.contract
    for row in (
        [report.title],
        ["Commissioner", contract.commissioner.name],
        ["Provider", contract.organisation.name],
        ["Contract reference", contract.reference],
        ["Period", _period(report)],
        ["Period status", report.in_progress_note or "Ended"],
        ["Disclosure rule", report.rule.name],
    ):
        summary.append([safe_cell(v) for v in row])
    summary["A1"].font = Font(bold=True, size=14)
    if report.capture_warning:
        summary.append([])
        summary.append(["Warning", safe_cell(report.capture_warning)])

    def sheet(title: str, figures: Iterable[Figure]) -> None:
        ws = book.create_sheet(_sheet_title(title, book.sheetnames))
        ws.append(["Figure", "Code", "Kind", "Value"])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for figure in figures:
            ws.append(
                [
                    safe_cell(figure.label),
                    figure.name,
                    figure.kind,
                    safe_cell(figure.value),
                ]
            )
        ws.column_dimensions["A"].width = 55

    sheet("Reach", report.reach)
    sheet("Completion and follow-up", report.completion)
    for outcome in report.outcomes:
        sheet(outcome.title, outcome.figures)
    methods = book.create_sheet("Methods")
    methods.column_dimensions["A"].width = 120
    for heading, lines in report.methods:
        methods.append([safe_cell(heading)])
        methods.cell(row=methods.max_row, column=1).font = Font(bold=True)
        for line in lines:
            methods.append([safe_cell(line)])
        methods.append([])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(title: str, taken: list[str]) -> str:
    cleaned = (
        "".join(ch for ch in title if ch not in "[]:*?/\\")[:28].strip() or "Sheet"
    )
    candidate, n = cleaned, 2
    while candidate in taken:
        candidate, n = f"{cleaned[:25]} {n}", n + 1
    return candidate


def report_pdf(report: Report) -> bytes:
    """The report as an A4 PDF (ReportLab), with the reliable-change charts."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    styles = sample_styles()
    out = io.BytesIO()
    contract = report.contract
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=report.title,
        author=contract.organisation.name,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        initialFontName=SANS,
    )
    story: list[Any] = []

    def para(text: str, style: str = "BodyText") -> None:
        story.append(Paragraph(escape(text), styles[style]))

    def table(figures: list[Figure]) -> None:
        data = [["Figure", "Value"]] + [
            [Paragraph(escape(f.label), styles["BodyText"]), str(f.value)]
            for f in figures
        ]
        t = Table(data, colWidths=[120 * mm, 40 * mm], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
                    ("FONTNAME", (0, 1), (-1, -1), SANS),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(t)
        story.append(Spacer(1, 6 * mm))

    para(report.title, "Title")
    para(f"Commissioner: {contract.commissioner.name}")
    para(f"Provider: {contract.organisation.name}")
    if contract.reference:
        para(f"Contract reference: {contract.reference}")
    para(f"Period: {_period(report)}")
    if report.in_progress_note:
        para(report.in_progress_note)
    para(f"Disclosure rule: {report.rule.name}")
    para("Reach", "Heading2")
    table(report.reach)
    para("Completion and follow-up", "Heading2")
    if report.capture_warning:
        para(f"Warning: {report.capture_warning}")
    table(report.completion)
    for outcome in report.outcomes:
        para(outcome.title, "Heading2")
        para(f"{outcome.direction}. Compares each person's {outcome.pairing}.")
        if outcome.chart is not None:
            png = charts.render_png(outcome.chart.spec, width=520, scale=1.5)
            image = Image(io.BytesIO(png))
            ratio = image.imageHeight / image.imageWidth
            image.drawWidth = 160 * mm
            image.drawHeight = 160 * mm * ratio
            story.append(image)
        table(outcome.figures)
        if outcome.funnel is not None:
            png = charts.render_png(outcome.funnel.spec, width=520, scale=1.5)
            image = Image(io.BytesIO(png))
            ratio = image.imageHeight / image.imageWidth
            image.drawWidth = 160 * mm
            image.drawHeight = 160 * mm * ratio
            story.append(image)
    para("Methods", "Heading1")
    for heading, lines in report.methods:
        para(heading, "Heading3")
        for line in lines:
            para(line)
    doc.build(story)
    return out.getvalue()
