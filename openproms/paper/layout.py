"""Form layout: where everything on a printed form goes, in page millimetres.

One pure function, :func:`make_layout`, turns a measure definition, a variant and
a context (organisation, reference, opaque token) into a :class:`Layout`. The PDF
renderer draws exactly what the layout says and the reader samples exactly the
boxes the layout says, so the page that prints is the page that reads.

Coordinates are millimetres from the top-left corner of an A4 page, y downwards
(the image convention; the renderer flips to PDF points).

Only the *context* (organisation name, reference, token) may differ between the
printed page and the page the reader rebuilds; it never moves a box. Each page has
a fingerprint (a hash of its geometry) that travels in the QR code, so the reader
refuses a page whose layout it cannot rebuild exactly (changed wording, another
layout version).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Literal

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from openproms.paper.payload import TOKEN_RE as TOKEN_RE
from openproms.paper.payload import VARIANT_CODES as VARIANT_CODES
from openproms.paper.payload import VARIANTS as VARIANTS
from openproms.paper.payload import Payload as Payload
from openproms.paper.payload import Variant as Variant
from openproms.paper.payload import parse_payload as parse_payload
from openproms.paper.typefaces import MEASURE, MEASURE_BOLD, SANS, SANS_BOLD
from openproms.paper.words import FORM_WORDS, form_key, form_words
from openproms.scoring import Item, MeasureDefinition, option_label, require_wording
from openproms.scoring.phrasing import time_period_sentence

LAYOUT_VERSION = 1
"""Bump when any geometry rule changes; old forms then fail the fingerprint check."""

ItemKind = Literal["choice", "write_in"]

PAGE_W = 210.0
PAGE_H = 297.0
MARGIN_X = 20.0
FIDUCIAL_SIZE = 8.0
FIDUCIAL_INSET = 8.0  # from the page edge to the mark's outer edge
FIDUCIAL_HOLE = (
    4.0  # the bottom-right mark is a ring, so orientation is known without the QR
)
QR_SIZE = 28.0
QR_X = 165.0
QR_Y = 20.0
HEADER_TEXT_RIGHT = 158.0
CONTENT_TOP = 52.0
CONTENT_BOTTOM = 266.0
MAX_RANGE_BOXES = 11
PT = 25.4 / 72.0  # millimetres per point
# Text is drawn in the Welsh-capable face but measured with Helvetica's metrics,
# which it matches, so the geometry the reader samples never moves (typefaces.py).
FONT = SANS
FONT_BOLD = SANS_BOLD

MARKING_INSTRUCTIONS = FORM_WORDS["en"]["marking"]
LARGE_PRINT_MARKING_INSTRUCTIONS = MARKING_INSTRUCTIONS


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in page millimetres (top-left origin, y down)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h

    def inset(self, d: float) -> Rect:
        """The rectangle shrunk by ``d`` on every side (grown when negative)."""
        return Rect(self.x + d, self.y + d, self.w - 2 * d, self.h - 2 * d)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (round(self.x, 3), round(self.y, 3), round(self.w, 3), round(self.h, 3))


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text: left (or right/centre) anchor and baseline in mm."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    align: Literal["left", "right", "centre"] = "left"
    grey: bool = False


@dataclass(frozen=True, slots=True)
class OptionBox:
    """One answer box with its code, label and the column it owns."""

    code: int
    label: str
    box: Rect
    column: Rect
    """The strip of the row this option owns (for ink outside the box)."""


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One question: its text and answer boxes (or digit boxes for a write-in)."""

    item_id: str
    number: int
    kind: ItemKind
    rect: Rect
    options: tuple[OptionBox, ...]
    digit_boxes: tuple[Rect, ...] = ()
    range_min: int | None = None
    range_max: int | None = None


@dataclass(frozen=True, slots=True)
class Fiducial:
    """A corner mark: a solid square, or a ring (bottom right) to fix orientation."""

    corner: Literal["tl", "tr", "bl", "br"]
    rect: Rect
    ring: bool

    @property
    def centre(self) -> tuple[float, float]:
        return (self.rect.x + self.rect.w / 2, self.rect.y + self.rect.h / 2)


@dataclass(frozen=True, slots=True)
class PageLayout:
    """One printed page."""

    number: int
    count: int
    fiducials: tuple[Fiducial, ...]
    qr: Rect
    payload: str
    items: tuple[ItemRow, ...]
    text: tuple[TextLine, ...]
    name_box: Rect | None
    fingerprint: str
    rules: tuple[Rect, ...] = ()
    """Thin grey separators between questions (drawn, never read)."""


@dataclass(frozen=True, slots=True)
class FormContext:
    """What differs between copies of the same form; never moves a box.

    ``token`` is the caller's opaque id for the pre-assigned administration (no
    personal data: letters, digits, ``-`` and ``_``, at most 64). ``reference`` is
    the human-readable check for staff (e.g. initials and the local reference).
    """

    organisation: str = ""
    reference: str | None = None
    token: str | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """A whole form: every page of one measure for one context."""

    measure_key: str
    variant: Variant
    version: int
    page_width: float
    page_height: float
    pages: tuple[PageLayout, ...] = field(default_factory=tuple)

    def page(self, number: int) -> PageLayout:
        """Page ``number`` (1-based)."""
        return self.pages[number - 1]

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(r.item_id for p in self.pages for r in p.items)


@dataclass(frozen=True, slots=True)
class _Style:
    text: float  # question text, pt
    label: float  # answer labels, pt
    code: float  # the code beside a box, pt
    title: float
    box: float  # box side, mm
    inset: float  # inner sampling inset, mm (used by the reader)


STANDARD = _Style(text=11, label=9, code=8, title=13, box=5.5, inset=0.9)
LARGE = _Style(text=16, label=16, code=13, title=17, box=8.0, inset=1.2)


def style_for(variant: Variant) -> _Style:
    return LARGE if variant in ("large_print", "blank_large_print") else STANDARD


def is_blank(variant: Variant) -> bool:
    return variant in ("blank", "blank_large_print")


# Letters the drawn face has wider than Helvetica's missing-glyph width, measured
# as the letter without the circumflex, which is exactly as wide in both faces.
# Every other letter Helvetica lacks (ŵ, ŷ, Ŷ in regular; ŷ, Ŷ in bold) it
# measures wider than drawn, so it fits; text without these letters is measured
# exactly as before the face changed (decision 0034).
_WIDER = {
    MEASURE: str.maketrans({"\u0174": "W"}),
    MEASURE_BOLD: str.maketrans({"\u0174": "W", "\u0175": "w"}),
}


def _width(text: str, font: str, size: float) -> float:
    """A text's width in points as the layout measures it: Helvetica's metrics,
    which the drawn face matches (typefaces.py), with the letters in
    :data:`_WIDER` measured as their plain letters."""
    return float(stringWidth(text.translate(_WIDER.get(font, {})), font, size))


def _wrap_words(para: str, font: str, size: float, width: float) -> list[str]:
    """Words filled greedily into lines no wider than ``width`` points (a word
    longer than a line stands alone), as ReportLab's simpleSplit does."""
    lines: list[str] = []
    current = ""
    for word in para.split():
        candidate = f"{current} {word}" if current else word
        if current and _width(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _wrap(text: str, size: float, width_mm: float, bold: bool = False) -> list[str]:
    font = MEASURE_BOLD if bold else MEASURE
    lines: list[str] = []
    for para in text.split("\n"):
        if not para.strip():
            continue
        if para.translate(_WIDER[font]) != para:
            lines.extend(_wrap_words(para, font, size, width_mm / PT))
        else:
            lines.extend(simpleSplit(para, font, size, width_mm / PT))
    return lines


def _fit(text: str, size: float, width_mm: float, bold: bool = False) -> str:
    """Truncate ``text`` with an ellipsis so it fits on one line."""
    font = MEASURE_BOLD if bold else MEASURE
    if _width(text, font, size) * PT <= width_mm:
        return text
    while text and _width(text + "…", font, size) * PT > width_mm:
        text = text[:-1]
    return text + "…"


def _fiducials() -> tuple[Fiducial, ...]:
    s, i = FIDUCIAL_SIZE, FIDUCIAL_INSET
    return (
        Fiducial("tl", Rect(i, i, s, s), False),
        Fiducial("tr", Rect(PAGE_W - i - s, i, s, s), False),
        Fiducial("bl", Rect(i, PAGE_H - i - s, s, s), False),
        Fiducial("br", Rect(PAGE_W - i - s, PAGE_H - i - s, s, s), True),
    )


def _line_h(size: float) -> float:
    return size * 1.22 * PT


@dataclass
class _Row:
    """A question laid out at y=0; moved to its place on a page later."""

    item: Item
    height: float
    text: list[TextLine]
    kind: ItemKind
    options: list[OptionBox]
    digits: list[Rect]


def _shift_rect(r: Rect, dy: float) -> Rect:
    return Rect(r.x, r.y + dy, r.w, r.h)


def _layout_item(defn: MeasureDefinition, item: Item, number: int, st: _Style) -> _Row:
    x_num = MARGIN_X
    x_text = MARGIN_X + (9.0 if st is LARGE else 7.0)
    width = PAGE_W - MARGIN_X - x_text
    y = 2.0
    text: list[TextLine] = []
    if item.preamble:
        for line in _wrap(item.preamble, st.text, PAGE_W - 2 * MARGIN_X, bold=True):
            y += _line_h(st.text)
            text.append(TextLine(line, MARGIN_X, y, st.text, bold=True))
        y += 1.5
    for k, line in enumerate(_wrap(item.text or "", st.text, width)):
        y += _line_h(st.text)
        if k == 0:
            text.append(TextLine(f"{number}.", x_num, y, st.text, bold=True))
        text.append(TextLine(line, x_text, y, st.text))
    y += 3.5  # room above the boxes for the top of a circle or an overrunning tick
    rs = item.response_set
    options: list[OptionBox] = []
    digits: list[Rect] = []
    kind: ItemKind = "choice"
    box = st.box
    label_h = _line_h(st.label)
    if rs.is_range and rs.max - rs.min + 1 > MAX_RANGE_BOXES:
        kind = "write_in"
        n_digits = len(str(rs.max))
        dw, dh = box * 1.3, box * 1.6
        for k in range(n_digits):
            digits.append(Rect(x_text + k * (dw + 1.5), y, dw, dh))
        words = form_words(defn.language)
        hint = words["write_in"].format(min=rs.min, max=rs.max)
        if rs.min_label and rs.max_label:
            hint += words["write_in_anchors"].format(
                min=rs.min, max=rs.max, min_label=rs.min_label, max_label=rs.max_label
            )
        hx = x_text + n_digits * (dw + 1.5) + 3.0
        lines = _wrap(hint, st.label, PAGE_W - MARGIN_X - hx)
        for k, line in enumerate(lines):
            text.append(TextLine(line, hx, y + label_h * (k + 1) - 0.5, st.label))
        y += max(dh, label_h * len(lines)) + 4.0
        return _Row(item, y, text, kind, options, digits)
    if rs.is_range:
        codes = list(range(rs.min, rs.max + 1))
        labels = [str(c) for c in codes]
    else:
        codes = [o.code for o in rs.options]
        labels = [option_label(defn, item.id, c) for c in codes]
    n = len(codes)
    col_w = min(width / n, 42.0)
    label_lines_max = 0
    box_y = y
    code_size = st.code
    for k, (code, label) in enumerate(zip(codes, labels, strict=True)):
        col_x = x_text + k * col_w
        show_code = not rs.is_range
        code_w = (
            stringWidth(str(code), MEASURE, code_size) * PT + 1.0 if show_code else 0.0
        )
        group_w = box + code_w
        bx = col_x + (col_w - group_w) / 2
        b = Rect(bx, box_y, box, box)
        if show_code:
            text.append(
                TextLine(
                    str(code),
                    bx + box + 1.0,
                    box_y + box / 2 + code_size * 0.35 * PT,
                    code_size,
                    grey=True,
                )
            )
        lines = _wrap(label, st.label, col_w - 1.5)
        label_lines_max = max(label_lines_max, len(lines))
        for j, line in enumerate(lines):
            text.append(
                TextLine(
                    line,
                    col_x + col_w / 2,
                    box_y + box + 1.0 + label_h * (j + 1) - 0.8,
                    st.label,
                    align="centre",
                )
            )
        options.append(OptionBox(code, label, b, Rect(col_x, 0.0, col_w, 0.0)))
    y = box_y + box + 1.0 + label_h * label_lines_max
    if rs.is_range and (rs.min_label or rs.max_label):
        y += label_h
        if rs.min_label:
            text.append(TextLine(rs.min_label, x_text, y - 0.8, st.label, grey=False))
        if rs.max_label:
            text.append(
                TextLine(
                    rs.max_label, x_text + n * col_w, y - 0.8, st.label, align="right"
                )
            )
    y += 4.0
    # Each option owns its whole column of the row, so ink around it can be counted.
    options = [
        OptionBox(o.code, o.label, o.box, Rect(o.column.x, 0.0, o.column.w, y))
        for o in options
    ]
    return _Row(item, y, text, kind, options, digits)


def _geometry_fingerprint(
    measure_key: str,
    variant: Variant,
    number: int,
    count: int,
    rows: list[ItemRow],
    name_box: Rect | None,
) -> str:
    doc = {
        "v": LAYOUT_VERSION,
        "m": measure_key,
        "variant": variant,
        "page": [number, count],
        "rows": [
            [
                r.item_id,
                r.kind,
                [[o.code, o.box.as_tuple()] for o in r.options],
                [d.as_tuple() for d in r.digit_boxes],
            ]
            for r in rows
        ],
        "name": name_box.as_tuple() if name_box else None,
    }
    blob = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()[:8]


def make_layout(
    defn: MeasureDefinition,
    variant: Variant = "standard",
    context: FormContext | None = None,
) -> Layout:
    """Lay out the printed form for ``defn``.

    Rules: A4 portrait; four corner marks (bottom right is a ring); the QR code
    top right; organisation, title and version, and the reference (or a box for a
    name on blank forms) in the header; instructions on page 1; one row per item
    (its text, then its answer boxes in equal columns with the code beside each box
    and the label under it; ranges of up to 11 values as numbered boxes, longer
    ranges as write-in digit boxes); the licence attribution and "page n of m" in
    the footer. Items flow onto further pages as needed.

    Raises :class:`~openproms.scoring.WordingNotAvailable` when the measure has no
    wording (licensed, not supplied), and ValueError for a bad token or a
    pre-assigned variant without one.
    """
    context = context or FormContext()
    require_wording(defn)
    blank = is_blank(variant)
    if variant not in VARIANT_CODES:
        raise ValueError(f"unknown variant {variant!r}; expected one of {VARIANTS}")
    if context.token is not None and not TOKEN_RE.match(context.token):
        raise ValueError("token must be 1-64 letters, digits, '-' or '_'")
    st = style_for(variant)
    rows = [
        _layout_item(defn, item, n, st) for n, item in enumerate(defn.items, start=1)
    ]

    # Instructions on the first page.
    instr: list[str] = []
    if defn.instructions:
        instr.extend(_wrap(defn.instructions, st.text, PAGE_W - 2 * MARGIN_X))
    marking = _wrap(
        form_words(defn.language)["marking"], st.text, PAGE_W - 2 * MARGIN_X, bold=True
    )

    name_box = (
        Rect(MARGIN_X + 52.0, 31.0, HEADER_TEXT_RIGHT - MARGIN_X - 52.0, 11.0)
        if blank
        else None
    )

    # Paginate.
    pages_rows: list[list[tuple[_Row, float]]] = [[]]
    first_top = CONTENT_TOP + (len(instr) + len(marking)) * _line_h(st.text) + 4.0
    y = first_top
    for row in rows:
        if y + row.height > CONTENT_BOTTOM and pages_rows[-1]:
            pages_rows.append([])
            y = CONTENT_TOP
        pages_rows[-1].append((row, y))
        y += row.height
    count = len(pages_rows)

    pages: list[PageLayout] = []
    for number, placed in enumerate(pages_rows, start=1):
        items: list[ItemRow] = []
        text: list[TextLine] = []
        rules: list[Rect] = []
        for row, top in placed:
            rng = row.item.response_set
            items.append(
                ItemRow(
                    item_id=row.item.id,
                    number=defn.item_ids.index(row.item.id) + 1,
                    kind=row.kind,
                    rect=Rect(MARGIN_X, top, PAGE_W - 2 * MARGIN_X, row.height),
                    options=tuple(
                        OptionBox(
                            o.code,
                            o.label,
                            _shift_rect(o.box, top),
                            _shift_rect(o.column, top),
                        )
                        for o in row.options
                    ),
                    digit_boxes=tuple(_shift_rect(d, top) for d in row.digits),
                    range_min=rng.min if rng.is_range else None,
                    range_max=rng.max if rng.is_range else None,
                )
            )
            text.extend(
                TextLine(t.text, t.x, t.y + top, t.size, t.bold, t.align, t.grey)
                for t in row.text
            )
            if top > CONTENT_TOP + 1 and (number > 1 or top > first_top + 1):
                rules.append(Rect(MARGIN_X, top, PAGE_W - 2 * MARGIN_X, 0.0))
        key = form_key(defn.key, defn.language)
        fp = _geometry_fingerprint(key, variant, number, count, items, name_box)
        payload = Payload(
            LAYOUT_VERSION,
            key,
            variant,
            number,
            count,
            fp,
            context.token,
        ).encode()
        text.extend(_header(defn, variant, context, number, count, st))
        if number == 1:
            text.extend(_time_period(defn, st))
            yy = CONTENT_TOP
            for line in instr:
                yy += _line_h(st.text)
                text.append(TextLine(line, MARGIN_X, yy, st.text))
            for line in marking:
                yy += _line_h(st.text)
                text.append(TextLine(line, MARGIN_X, yy, st.text, bold=True))
        pages.append(
            PageLayout(
                number=number,
                count=count,
                fiducials=_fiducials(),
                qr=Rect(QR_X, QR_Y, QR_SIZE, QR_SIZE),
                payload=payload,
                items=tuple(items),
                text=tuple(text),
                name_box=name_box,
                fingerprint=fp,
                rules=tuple(rules),
            )
        )
    return Layout(
        form_key(defn.key, defn.language),
        variant,
        LAYOUT_VERSION,
        PAGE_W,
        PAGE_H,
        tuple(pages),
    )


TIME_PERIOD_TOP = 43.0
"""Below the header (the name box ends at 42 mm) and above the instructions'
first line (its baseline one line under CONTENT_TOP): the space an own measure's
time period is printed in."""


def _time_period(defn: MeasureDefinition, st: _Style) -> list[TextLine]:
    """An own (bespoke) measure's time period on page 1, as the answering screen
    says it ("In these questions, think about the last 2 weeks.").

    It goes in the free space between the header and the instructions, so no row
    moves and no fingerprint changes: forms already printed still read. The lines
    keep left of the QR code's quiet zone and get smaller (down to 8 pt) until
    they fit. A library measure's instructions give its time period in the
    publisher's own words, so its form (and its layout) is left as it was.
    """
    if defn.kind != "bespoke":
        return []
    sentence = (
        time_period_sentence(defn) if defn.language == "en" else defn.recall_period
    )
    if not sentence:
        return []
    width = HEADER_TEXT_RIGHT - MARGIN_X
    for size in [st.text] + [s for s in (11.0, 10.0, 9.0, 8.0) if s < st.text]:
        lines = _wrap(sentence, size, width)
        h = _line_h(size)
        if TIME_PERIOD_TOP + len(lines) * h <= CONTENT_TOP:
            return [
                TextLine(line, MARGIN_X, TIME_PERIOD_TOP + (k + 1) * h, size)
                for k, line in enumerate(lines)
            ]
    return [
        TextLine(
            _fit(sentence, 8.0, width), MARGIN_X, TIME_PERIOD_TOP + _line_h(8.0), 8.0
        )
    ]


def _header(
    defn: MeasureDefinition,
    variant: Variant,
    ctx: FormContext,
    number: int,
    count: int,
    st: _Style,
) -> list[TextLine]:
    w = HEADER_TEXT_RIGHT - MARGIN_X
    words = form_words(defn.language)
    out = [
        TextLine(
            _fit(ctx.organisation, 10, w, bold=True), MARGIN_X + 2, 14.0, 10, bold=True
        ),
    ]
    # The title wraps onto a second line (then is shortened) so it never runs
    # into the QR code's quiet zone.
    title = _wrap(
        words["title"].format(title=defn.title, version=defn.version),
        st.title,
        w,
        bold=True,
    )
    if len(title) > 2:
        title = [title[0], _fit(" ".join(title[1:]), st.title, w, bold=True)]
    for k, line in enumerate(title):
        out.append(
            TextLine(line, MARGIN_X, 21.0 + k * _line_h(st.title), st.title, bold=True)
        )
    if is_blank(variant):
        out.append(
            TextLine(
                words["name_box"],
                MARGIN_X,
                38.5,
                11 if st is STANDARD else 14,
                bold=True,
            )
        )
    elif ctx.reference:
        out.append(
            TextLine(
                _fit(words["for"].format(reference=ctx.reference), 12, w),
                MARGIN_X,
                38.5,
                12,
            )
        )
    foot = 8.0
    attribution = defn.licence.attribution or ""
    lines = _wrap(attribution, foot, PAGE_W - 2 * MARGIN_X)[:2]
    for k, line in enumerate(lines):
        out.append(TextLine(line, MARGIN_X, 270.5 + k * _line_h(foot), foot, grey=True))
    ref = f"{ctx.reference} · " if ctx.reference and not is_blank(variant) else ""
    out.append(
        TextLine(
            ref + words["page"].format(number=number, count=count),
            PAGE_W - MARGIN_X - 2.0,
            280.5,
            11 if st is STANDARD else 16,
            bold=True,
            align="right",
        )
    )
    return out
