"""Every PDF is drawn in one Welsh-capable face (Liberation Sans, registered once),
so a Welsh form keeps its ŵ and ŷ; the printed geometry the reader samples is still
measured with Helvetica's metrics, which the face matches (decision 0034)."""

from __future__ import annotations

import io
import string

import pypdfium2 as pdfium
from reportlab.pdfbase.pdfmetrics import stringWidth

from openproms.paper import render_pdf
from openproms.paper.layout import PT, _width, _wrap
from openproms.paper.typefaces import (
    MEASURE,
    MEASURE_BOLD,
    SANS,
    SANS_BOLD,
    register_fonts,
    sample_styles,
)
from openproms.scoring import get_measure
from openproms.scoring.translations import definition_translated, shipped_translation

from .helpers import layout_for

LADDER = get_measure("openproms_life_ladder", "1")
# Test wording only: one question made to carry every circumflexed w and y.
WITH_CIRCUMFLEXES = (
    "Ble byddech chi'n rhoi eich hun heddiw ar gyfer: y tŷ a'r dŵr (ŴŶ)?"
)


def _welsh_with_circumflexes():  # type: ignore[no-untyped-def]
    document = dict(shipped_translation("openproms_life_ladder", "1", "cy") or {})
    document["items"] = {
        **document["items"],
        "openproms_life_ladder_home": WITH_CIRCUMFLEXES,
    }
    return definition_translated(LADDER, document, language="cy")


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(io.BytesIO(pdf))
    try:
        return " ".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_a_welsh_printed_form_keeps_its_circumflexed_w_and_y() -> None:
    for variant in ("standard", "large_print", "blank"):
        pdf = render_pdf([layout_for(_welsh_with_circumflexes(), variant)])
        text = pdf_text(pdf)
        assert "ŵ" in text and "ŷ" in text, variant
        assert "Ŵ" in text and "Ŷ" in text, variant
        assert "tŷ a'r dŵr" in " ".join(text.split()), variant
        assert b"LiberationSans" in pdf and b"/Helvetica" not in pdf


def test_the_face_draws_where_helvetica_measured() -> None:
    """Liberation Sans matches Helvetica's advance widths to 1/2048 em, so text
    drawn in it fills the space the layout measured with Helvetica; the layout's
    geometry (and so what the reader samples) does not depend on the face."""
    register_fonts()
    characters = (
        string.ascii_letters
        + string.digits
        + string.punctuation
        + " £é\u2019\u201c\u201d\u2013"
    )
    for drawn, measured in ((SANS, MEASURE), (SANS_BOLD, MEASURE_BOLD)):
        for c in characters:
            assert abs(stringWidth(c, drawn, 1000) - stringWidth(c, measured, 1000)) < 1
        # Where Helvetica has no glyph its width is generous, and a capital W
        # with a circumflex is measured as the W it is as wide as: Welsh text
        # never overflows the room measured for it.
        for c in "ŵŷŴŶ":
            assert stringWidth(c, drawn, 10) <= _width(c, measured, 10) + 1e-9
        assert _width("Ŵyl", measured, 10) == stringWidth("Wyl", measured, 10)
        assert _width("tŷ", measured, 10) == stringWidth("tŷ", measured, 10)


def test_a_line_with_a_capital_w_circumflex_wraps_within_its_width() -> None:
    register_fonts()
    text = " ".join(["Ŵyl y Gwanwyn a'r tŷ"] * 12)
    for bold in (False, True):
        lines = _wrap(text, 12, 80.0, bold)
        assert " ".join(lines) == text
        font = SANS_BOLD if bold else SANS
        assert all(stringWidth(line, font, 12) * PT <= 80.0 for line in lines)


# Fingerprints (hashes of every box's geometry) of forms printed before the face
# changed: the same forms still hash the same, so nothing the reader samples moved.
FINGERPRINTS_BEFORE = {
    ("phq9", "standard"): ["43f28bf3", "eb4e8dcc"],
    ("phq9", "large_print"): ["4e7f8f72", "d70549b2", "8eade964"],
    ("openproms_life_ladder", "standard"): ["58f4cdc7", "f8639b9d"],
    ("openproms_life_ladder", "large_print"): ["6b0e571e", "ddfd0049"],
    ("gad7", "standard"): ["3c7cf195"],
    ("gad7", "large_print"): ["5ab4a0f8", "afc8872c"],
}


def test_the_printed_geometry_did_not_move() -> None:
    for (measure, variant), fingerprints in FINGERPRINTS_BEFORE.items():
        layout = layout_for(get_measure(measure), variant)
        assert [p.fingerprint for p in layout.pages] == fingerprints


def test_registering_twice_is_harmless_and_the_styles_use_the_face() -> None:
    assert register_fonts() == register_fonts() == SANS
    styles = sample_styles()
    assert styles["BodyText"].fontName == SANS
    assert styles["Heading1"].fontName == SANS_BOLD
