"""PDF rendering and batches."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from openproms.paper import FormContext, PrintJob, render_batch, render_pdf
from openproms.paper.read import find_codes
from openproms.scoring import WordingNotAvailable, get_measure

from .helpers import layout_for, page_image


def _pages(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def test_pdf_has_one_a4_page_per_layout_page():
    layout = layout_for(get_measure("rand36"))
    pdf = render_pdf([layout])
    assert pdf.startswith(b"%PDF")
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == len(layout.pages)
    w, h = doc[0].get_size()
    assert round(w * 25.4 / 72) == 210 and round(h * 25.4 / 72) == 297
    doc.close()


def test_printed_qr_code_decodes_to_the_layout_payload():
    layout = layout_for(get_measure("phq9"))
    codes = find_codes(page_image(layout, 2))
    assert [c.payload.encode() for c in codes] == [layout.pages[1].payload]


def test_batch_is_one_pdf_sorted_by_reference_with_duplex_padding():
    phq9 = get_measure("phq9")  # two pages
    jobs = [
        PrintJob(phq9, FormContext("Org", "ZZ 9", "t-z")),
        PrintJob(get_measure("gad7"), FormContext("Org", "AA 1", "t-a")),
    ]
    assert _pages(render_batch(jobs)) == 3
    assert _pages(render_batch(jobs, duplex=True)) == 4
    doc = pdfium.PdfDocument(render_batch(jobs))
    first = doc[0].get_textpage().get_text_range()
    doc.close()
    assert "AA 1" in first


def test_batch_refuses_a_measure_without_wording_before_drawing_anything():
    jobs = [
        PrintJob(get_measure("phq9"), FormContext("Org", "A", "t1")),
        PrintJob(get_measure("wemwbs"), FormContext("Org", "B", "t2")),
    ]
    with pytest.raises(WordingNotAvailable):
        render_batch(jobs)


def test_empty_batch_is_refused():
    with pytest.raises(ValueError, match="nothing to print"):
        render_pdf([])


def test_page_carries_organisation_title_attribution_and_page_numbers():
    layout = layout_for(get_measure("phq9"))
    doc = pdfium.PdfDocument(render_pdf([layout]))
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    assert "Test Org" in text
    assert "Patient Health Questionnaire" in text or "PHQ-9" in text
    assert "Pfizer" in text
    assert "Page 1 of 2" in text
    assert "AB 0001" in text
