"""The one typeface of every PDF openproms writes (printed forms, progress sheets,
commissioner reports, summaries for a GP), registered with ReportLab once.

ReportLab's built-in Helvetica has no glyph for the Welsh circumflexed w and y
(ŵ, ŷ, Ŵ, Ŷ), so Welsh words lost letters on paper. Liberation Sans 2 (SIL Open
Font License 1.1; ``fonts/LICENSE``) covers Welsh and every Latin script the
forms use, and is metric-compatible with Helvetica: its advance widths match
Helvetica's to 1/2048 em. The printed forms still *measure* text with Helvetica's
metrics (:data:`MEASURE`, :data:`MEASURE_BOLD`), so the layout's geometry, which
the OMR reader samples, does not move when the drawn face changes (layout.py
measures the few letters Helvetica lacks and the face draws wider as their plain
letters; decision 0034).
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
SANS = "OpenPromsSans"
SANS_BOLD = "OpenPromsSans-Bold"
SANS_ITALIC = "OpenPromsSans-Italic"
SANS_BOLD_ITALIC = "OpenPromsSans-BoldItalic"
MEASURE = "Helvetica"
MEASURE_BOLD = "Helvetica-Bold"

_FILES = {
    SANS: "LiberationSans-Regular.ttf",
    SANS_BOLD: "LiberationSans-Bold.ttf",
    SANS_ITALIC: "LiberationSans-Italic.ttf",
    SANS_BOLD_ITALIC: "LiberationSans-BoldItalic.ttf",
}
# What each of ReportLab's built-in sans faces becomes.
_REPLACES = {
    "Helvetica": SANS,
    "Helvetica-Bold": SANS_BOLD,
    "Helvetica-Oblique": SANS_ITALIC,
    "Helvetica-BoldOblique": SANS_BOLD_ITALIC,
}


@functools.cache
def register_fonts() -> str:
    """Register the four faces and their family (so ``<b>`` and ``<i>`` in a
    Paragraph find them); idempotent. Returns the regular face's name."""
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    pdfmetrics.registerFontFamily(
        SANS,
        normal=SANS,
        bold=SANS_BOLD,
        italic=SANS_ITALIC,
        boldItalic=SANS_BOLD_ITALIC,
    )
    return SANS


def face(builtin: str) -> str:
    """The registered face that draws in place of a built-in one (Helvetica and
    its bold and oblique; any other name is returned as it is)."""
    register_fonts()
    return _REPLACES.get(builtin, builtin)


def sample_styles() -> StyleSheet1:
    """ReportLab's sample style sheet with every style in the Welsh-capable face."""
    register_fonts()
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        font = getattr(style, "fontName", None)
        if font is not None:
            style.fontName = _REPLACES.get(font, font)
        bullet = getattr(style, "bulletFontName", None)
        if bullet is not None:
            style.bulletFontName = _REPLACES.get(bullet, bullet)
    return styles
