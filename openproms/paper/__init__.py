"""openproms.paper: printed forms and the OMR reader that reads them back.

Pure Python (ReportLab, OpenCV, numpy, pypdfium2, Pillow; never Django). One
layout description drives both the PDF and the reader, so a change to one cannot
break the other. The public API:

* layout: :func:`make_layout` (definition, variant, :class:`FormContext`) ->
  :class:`Layout` of :class:`PageLayout` with :class:`ItemRow` /
  :class:`OptionBox` rectangles in page millimetres; :class:`Payload`,
  :func:`parse_payload` (what the QR code says); ``VARIANTS``;
* printing: :func:`render_pdf` (layouts -> PDF bytes), :func:`render_batch`
  (:class:`PrintJob` list -> one PDF, sorted);
* reading: :func:`read_bytes` / :func:`read_file` (every page of a PDF, TIFF,
  JPEG or PNG) and :func:`read_image` (one image) -> :class:`PageReading` per form
  page, each with :class:`ItemReading` per item (decision, code, confidence,
  needs_person, reason, crop); :class:`Thresholds`; :func:`page_layout_for`
  (rebuild a page from a payload, with a resolver for bespoke or licensed-wording
  measures); :class:`LayoutMismatch`;
* test support: :mod:`openproms.paper.marks` (pen marks) and
  :mod:`openproms.paper.simulate` (filling and degrading pages).

See docs/paper.md.
"""

from openproms.paper.inputs import SourcePage, load_file, load_pages
from openproms.paper.layout import (
    LAYOUT_VERSION,
    VARIANTS,
    FormContext,
    ItemRow,
    Layout,
    OptionBox,
    PageLayout,
    Payload,
    Rect,
    Variant,
    make_layout,
    parse_payload,
)
from openproms.paper.read import (
    DEFAULT_THRESHOLDS,
    BoxReading,
    ItemReading,
    LayoutMismatch,
    PageReading,
    Resolver,
    Thresholds,
    default_resolver,
    page_layout_for,
    read_bytes,
    read_file,
    read_image,
    read_pages,
)
from openproms.paper.render import PrintJob, render_batch, render_pdf

__all__ = [
    "DEFAULT_THRESHOLDS",
    "LAYOUT_VERSION",
    "VARIANTS",
    "BoxReading",
    "FormContext",
    "ItemReading",
    "ItemRow",
    "Layout",
    "LayoutMismatch",
    "OptionBox",
    "PageLayout",
    "PageReading",
    "Payload",
    "PrintJob",
    "Rect",
    "Resolver",
    "SourcePage",
    "Thresholds",
    "Variant",
    "default_resolver",
    "load_file",
    "load_pages",
    "make_layout",
    "page_layout_for",
    "parse_payload",
    "read_bytes",
    "read_file",
    "read_image",
    "read_pages",
    "render_batch",
    "render_pdf",
]
