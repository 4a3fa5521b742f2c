"""PDF rendering (ReportLab): draws a :class:`~openproms.paper.layout.Layout` exactly.

The renderer makes no layout decisions of its own: every box, mark and line of
text comes from the layout, so the reader (which samples the same layout) can never
drift from what was printed.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import qrcode
import qrcode.constants
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from openproms.paper.layout import (
    FIDUCIAL_HOLE,
    FONT,
    FONT_BOLD,
    PAGE_H,
    FormContext,
    Layout,
    PageLayout,
    Variant,
    make_layout,
)
from openproms.paper.typefaces import register_fonts
from openproms.scoring import MeasureDefinition

MM = 72.0 / 25.4  # points per millimetre


def qr_matrix(payload: str) -> list[list[bool]]:
    """The QR code modules for ``payload`` (error correction M, no quiet zone:
    the layout keeps the space around it blank). M keeps the code small enough
    for 1 mm modules, which read from 100-dpi scans and phone photos."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, box_size=1
    )
    code.add_data(payload.encode("ascii"))
    code.make(fit=True)
    return [list(map(bool, row)) for row in code.get_matrix()]


def _y(y_mm: float) -> float:
    return (PAGE_H - y_mm) * MM


def _draw_page(c: Canvas, page: PageLayout, *, draw_qr: bool = True) -> None:
    c.setLineWidth(0.3 * MM)
    # Corner marks.
    c.setFillGray(0)
    for f in page.fiducials:
        r = f.rect
        c.rect(r.x * MM, _y(r.y1), r.w * MM, r.h * MM, stroke=0, fill=1)
        if f.ring:
            c.setFillGray(1)
            h = FIDUCIAL_HOLE
            cx, cy = f.centre
            c.rect((cx - h / 2) * MM, _y(cy + h / 2), h * MM, h * MM, stroke=0, fill=1)
            c.setFillGray(0)
    # QR code, scaled to fill its rectangle exactly (the quiet zone is left blank).
    if draw_qr:
        m = qr_matrix(page.payload)
        n = len(m)
        cell = page.qr.w / n
        p = c.beginPath()
        for i, modules in enumerate(m):
            for j, on in enumerate(modules):
                if on:
                    p.rect(
                        (page.qr.x + j * cell) * MM,
                        _y(page.qr.y + (i + 1) * cell),
                        cell * MM + 0.01,
                        cell * MM + 0.01,
                    )
        c.drawPath(p, stroke=0, fill=1)
    # Rules between questions.
    c.setStrokeGray(0.75)
    c.setLineWidth(0.2 * MM)
    for r in page.rules:
        c.line(r.x * MM, _y(r.y), r.x1 * MM, _y(r.y))
    # Answer boxes.
    c.setStrokeGray(0)
    c.setLineWidth(0.3 * MM)
    for row in page.items:
        for o in row.options:
            b = o.box
            c.rect(b.x * MM, _y(b.y1), b.w * MM, b.h * MM, stroke=1, fill=0)
        for d in row.digit_boxes:
            c.rect(d.x * MM, _y(d.y1), d.w * MM, d.h * MM, stroke=1, fill=0)
    if page.name_box is not None:
        b = page.name_box
        c.rect(b.x * MM, _y(b.y1), b.w * MM, b.h * MM, stroke=1, fill=0)
    # Text.
    for t in page.text:
        c.setFont(FONT_BOLD if t.bold else FONT, t.size)
        c.setFillGray(0.35 if t.grey else 0)
        x, y = t.x * MM, _y(t.y)
        if t.align == "right":
            c.drawRightString(x, y, t.text)
        elif t.align == "centre":
            c.drawCentredString(x, y, t.text)
        else:
            c.drawString(x, y, t.text)
    c.setFillGray(0)


def render_pdf(
    layouts: Iterable[Layout], *, duplex: bool = False, draw_qr: bool = True
) -> bytes:
    """Render forms to one PDF, in the order given.

    With ``duplex`` a form with an odd number of pages is followed by a blank page,
    so each form starts on a new sheet when printed on both sides.
    """
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, invariant=1, initialFontName=FONT)
    c.setTitle("openproms forms")
    c.setCreator("openproms")
    any_page = False
    for layout in layouts:
        for page in layout.pages:
            _draw_page(c, page, draw_qr=draw_qr)
            c.showPage()
            any_page = True
        if duplex and len(layout.pages) % 2:
            c.showPage()
    if not any_page:
        raise ValueError("nothing to print")
    c.save()
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One form to print: which measure, which variant, for whom."""

    definition: MeasureDefinition
    context: FormContext
    variant: Variant = "standard"


def batch_order_key(job: PrintJob) -> tuple[str, str, str]:
    """Default batch order: by reference (so staff can hand forms out in order),
    then measure, then token."""
    return (
        (job.context.reference or "").casefold(),
        job.definition.key,
        job.context.token or "",
    )


def render_batch(
    jobs: Sequence[PrintJob], *, sort: bool = True, duplex: bool = False
) -> bytes:
    """One PDF for a batch: one form per job, sorted by :func:`batch_order_key`
    unless ``sort`` is False. Raises WordingNotAvailable / ValueError before any
    page is drawn if any job cannot be printed."""
    ordered = sorted(jobs, key=batch_order_key) if sort else list(jobs)
    layouts = [make_layout(j.definition, j.variant, j.context) for j in ordered]
    return render_pdf(layouts, duplex=duplex)
