"""The PDF of a summary shared with a GP practice: who it is about (as the
practice needs to file it), who sent it and when, and the record text of the
clinician summary (reports.clinician_summary), line for line."""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from openproms.paper.typefaces import SANS, sample_styles

MARGIN = 18 * mm


def nhs_number_words(nhs_number: str) -> str:
    if len(nhs_number) != 10:
        return nhs_number or "Not recorded"
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"


def gp_summary_pdf(
    *,
    name: str,
    nhs_number: str,
    date_of_birth: dt.date | None,
    sender: str,
    practice: str,
    record_text: str,
    shared_on: dt.date,
) -> bytes:
    styles = sample_styles()
    body, heading = styles["BodyText"], styles["Heading1"]
    story = [
        Paragraph("Patient-reported outcome measures: summary for the GP", heading),
        Paragraph(f"<b>Patient:</b> {escape(name or 'Not given')}", body),
        Paragraph(f"<b>NHS number:</b> {escape(nhs_number_words(nhs_number))}", body),
        Paragraph(
            "<b>Date of birth:</b> "
            + (f"{date_of_birth:%d/%m/%Y}" if date_of_birth else "Not recorded"),
            body,
        ),
        Paragraph(
            f"<b>From:</b> {escape(sender)}, on {shared_on:%d/%m/%Y}, "
            f"to {escape(practice)}, with the patient's consent to share their "
            "results with their GP.",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    for line in record_text.splitlines():
        indent = len(line) - len(line.lstrip())
        text = escape(line.strip())
        story.append(Paragraph(("&nbsp;" * indent * 2) + text, body))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="Summary for the GP",
        author=sender,
        initialFontName=SANS,
    ).build(story)
    return buffer.getvalue()
