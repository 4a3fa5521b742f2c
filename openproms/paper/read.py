"""The OMR reader: page images in, per-item decisions with confidence out.

This module is the entry point (:func:`read_image`, :func:`read_pages`,
:func:`read_file`, :func:`read_bytes`, and :func:`read_page` for a page already
registered) and runs the steps, each in a module of its own:

* ``read_find``, finding the page: decode the QR code (OpenCV; any rotation, upside
  down, several per image). Its payload names the measure, variant, page and layout
  fingerprint; the layout is rebuilt with
  :func:`~openproms.paper.layout.make_layout` and must match the fingerprint, or the
  page is rejected (never guess which form it is). Also whether the image is black
  and white only, or blank.
* ``read_align``, aligning it: a first homography from the QR code's corners
  predicts where the four corner marks are; each is found locally (a solid dark
  square of the right size nearest the prediction; when a shadow edge defeats one
  threshold, again after flattening the window, then by splitting its dark pixels)
  and the homography is refitted on all eight points. The worst residual, in
  millimetres, is checked. The page is warped to a canonical 6 px/mm image and the
  illumination divided out (background = full-resolution grey closing with a kernel
  larger than any mark, which keeps a hard shadow's straight edge exactly where it
  is), so shadows and uneven light do not read as ink. Each row's alignment is
  refined locally by matching the printed boxes (from a rendering of the same
  layout) within +-1.5 mm.
* ``read_measure`` and ``read_bands``, measuring boxes: mean darkness inside (inset
  from the outline), share of strongly inked pixels, and ink in the option's own
  column that the printed page does not explain (a circle round a label, an
  overrunning stroke, a stray mark), compared against the paper round each box
  (what a soft shadow leaves after the background is divided out) and the page's
  own empty boxes (here, in :func:`read_page`). A shadow band the background could
  not divide out (narrower than its kernel) is found on the page as a whole
  (``read_bands``): an option whose column it crosses goes to a person. A fold's
  crease (``read_crease``: a thin straight line across the page in a shallow
  darker tent, the same either side of every box it crosses) is recognised first
  and its profile taken out of the page, so it is read as neither a faint mark
  nor a shadow band (not on a black-and-white page, whose streaks are not
  creases).
* ``read_decide``, deciding per item: one answer, blank, several, or uncertain,
  with a confidence and a reason. Faint marks, ink outside boxes, poor
  registration and written numbers always go to a person. A completely filled box
  next to another marked box is read as crossed out (the form's printed
  instruction).
* ``read_types``: the thresholds and the readings returned.

When the QR code cannot be read, :func:`read_image` with ``fallback`` (a page
layout chosen by a person) registers on the corner marks alone (the ring mark
gives the orientation); the page then needs a person to say whose it is.

Every public name of the steps is importable from here, as it was when they were
all in this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage, SourcePage, load_file, load_pages
from openproms.paper.layout import (
    ItemRow,
    PageLayout,
    Variant,
    parse_payload,
    style_for,
)
from openproms.paper.read_align import (
    EDGE_STEP,
    _normalise,
    _reference,
    _register_from_code,
    _register_from_marks,
    _rotation,
    _row_shift,
    aligned_page,
)
from openproms.paper.read_bands import BAND_CELL, BAND_MM, LINE_MM, _bands
from openproms.paper.read_crease import flatten_creases
from openproms.paper.read_decide import (
    BILEVEL_BLANK,
    COARSE_BILEVEL,
    COARSE_PPM,
    to_person,
)
from openproms.paper.read_decide import _decide as _decide  # importable from here too
from openproms.paper.read_find import (
    LayoutMismatch,
    _is_blank,
    default_resolver,
    find_codes,
    is_bilevel,
    page_layout_for,
)
from openproms.paper.read_measure import PAPER_CAP, _measure_row, _missing_boxes
from openproms.paper.read_measure import _local_paper as _local_paper  # as above
from openproms.paper.read_types import (
    DEFAULT_THRESHOLDS,
    STRONG,
    BoxReading,
    BoxState,
    Decision,
    FloatImage,
    ItemReading,
    Measure,
    PageReading,
    PageStatus,
    Resolver,
    S,
    Thresholds,
)

__all__ = [
    "BAND_CELL",
    "BAND_MM",
    "BILEVEL_BLANK",
    "COARSE_BILEVEL",
    "DEFAULT_THRESHOLDS",
    "EDGE_STEP",
    "LINE_MM",
    "PAPER_CAP",
    "STRONG",
    "BoxReading",
    "BoxState",
    "Decision",
    "FloatImage",
    "ItemReading",
    "LayoutMismatch",
    "Measure",
    "PageReading",
    "PageStatus",
    "Resolver",
    "S",
    "Thresholds",
    "default_resolver",
    "find_codes",
    "is_bilevel",
    "page_layout_for",
    "read_bytes",
    "read_file",
    "read_image",
    "read_page",
    "read_pages",
]


def read_page(
    img: GrayImage,
    page: PageLayout,
    h: npt.NDArray[np.float64],
    *,
    registration_mm: float,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    keep_image: bool = False,
    bilevel: bool = False,
) -> tuple[tuple[ItemReading, ...], GrayImage | None]:
    """Read every item of a registered page (``h``: page mm -> source px).

    ``bilevel``: the image is black and white only (:func:`is_bilevel`), so a
    blank item goes to a person (see :data:`BILEVEL_BLANK`), and every item does
    when the image is also coarse (:data:`COARSE_BILEVEL`)."""
    aligned = aligned_page(img, h)
    dark = _normalise(aligned)
    if not bilevel:
        dark = flatten_creases(dark, page)
    ref, explained = _reference(page)
    inset = style_for(_variant_of(page)).inset
    reg_ok = registration_mm <= thresholds.registration_mm
    reg_reason = f"page registration uncertain ({registration_mm:.1f} mm)"
    smooth = np.asarray(cv2.blur(dark, (3, 3)), np.float32)
    bands = _bands(dark, page, thresholds.shadow_paper)
    per_row: list[tuple[ItemRow, list[Measure], float]] = []
    missing: dict[str, frozenset[int]] = {}
    for row in page.items:
        dx, dy, match = _row_shift(dark, ref, row)
        if match < thresholds.row_match:
            dx = dy = 0.0
        else:
            missing[row.item_id] = _missing_boxes(
                dark, ref, row, dx, dy, thresholds.print_seen
            )
        per_row.append(
            (
                row,
                _measure_row(dark, smooth, explained, bands, row, inset, dx, dy),
                match,
            )
        )
    all_means = [m[1] for _, ms, _ in per_row for m in ms if m[0] >= 0]
    base = float(np.percentile(all_means, 25)) if all_means else 0.0
    base = min(base, 0.12)
    # The page's own level of stray ink round empty boxes (noise, shadow edges).
    outs = [m[3] for _, ms, _ in per_row for m in ms if m[0] >= 0]
    out_base = float(np.median(outs)) if outs else 0.0
    peaks = [m[4] for _, ms, _ in per_row for m in ms if m[0] >= 0]
    peak_base = float(np.median(peaks)) if peaks else 0.0
    per_row = [
        (
            row,
            [
                (c, mean, ink, max(0.0, o - out_base), pk, sh, nz, ob)
                for c, mean, ink, o, pk, sh, nz, ob in ms
            ],
            match,
        )
        for row, ms, match in per_row
    ]
    items: list[ItemReading] = []
    for row, ms, match in per_row:
        ok = reg_ok and match >= thresholds.row_match
        reason = (
            reg_reason
            if not reg_ok
            else f"printed boxes not found where expected (match {match:.2f})"
        )
        items.append(
            _decide(
                row,
                ms,
                base,
                peak_base,
                thresholds,
                ok,
                reason,
                bilevel,
                missing.get(row.item_id, frozenset()),
            )
        )
    if bilevel and _source_ppm(h) < COARSE_PPM:
        # A fax: what was read stays only as a suggestion (decision 0042).
        items = [to_person(it, COARSE_BILEVEL) for it in items]
    return tuple(items), (aligned if keep_image else None)


def _source_ppm(h: npt.NDArray[np.float64]) -> float:
    """Source pixels per page millimetre at the middle of the page (``h``: page
    mm -> source px), from the area the homography gives 1 mm square there."""
    pts = np.array([[[105.0, 148.5]], [[106.0, 148.5]], [[105.0, 149.5]]])
    a, b, c = cv2.perspectiveTransform(pts, h)[:, 0, :].tolist()
    area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return float(abs(area) ** 0.5)


def _variant_of(page: PageLayout) -> Variant:
    p = parse_payload(page.payload)
    return p.variant if p else "standard"


def read_image(
    img: GrayImage,
    *,
    source: str = "",
    index: int = 0,
    resolver: Resolver = default_resolver,
    fallback: PageLayout | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    keep_image: bool = False,
) -> list[PageReading]:
    """Read every form page in one image (several forms may share a photo).

    ``fallback``: the page layout a person chose, used when no QR code can be
    read; such a page gets status "needs_identity". Returns at least one
    :class:`PageReading` (status "rejected" or "blank" with a reason when no form
    could be read).
    """
    if img.ndim == 3:
        img = np.asarray(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), np.uint8)
    codes = find_codes(img)
    bilevel = is_bilevel(img)
    out: list[PageReading] = []
    for code in codes:
        try:
            page = page_layout_for(code.payload, resolver)
        except LayoutMismatch as e:
            out.append(PageReading(source, index, "rejected", str(e), code.payload))
            continue
        reg = _register_from_code(img, page, code, thresholds.registration_mm)
        if reg is None:
            out.append(
                PageReading(
                    source,
                    index,
                    "rejected",
                    "corner marks not found: rescan the whole page flat",
                    code.payload,
                )
            )
            continue
        h, resid, _ = reg
        items, aligned = read_page(
            img,
            page,
            h,
            registration_mm=resid,
            thresholds=thresholds,
            keep_image=keep_image,
            bilevel=bilevel,
        )
        out.append(
            PageReading(
                source,
                index,
                "read",
                None,
                code.payload,
                items,
                round(resid, 3),
                tuple(h.ravel().tolist()),
                _rotation(h),
                aligned,
            )
        )
    if out:
        return out
    if _is_blank(img):
        return [
            PageReading(
                source, index, "blank", "blank page: nothing printed or written"
            )
        ]
    if fallback is not None:
        reg2 = _register_from_marks(img, fallback)
        if reg2 is None:
            return [
                PageReading(
                    source,
                    index,
                    "rejected",
                    "QR code unreadable and corner marks not found",
                )
            ]
        h, resid = reg2
        items, aligned = read_page(
            img,
            fallback,
            h,
            registration_mm=resid,
            thresholds=thresholds,
            keep_image=keep_image,
            bilevel=bilevel,
        )
        payload = parse_payload(fallback.payload)
        return [
            PageReading(
                source,
                index,
                "needs_identity",
                "QR code unreadable: read with the layout a person chose; "
                "a person must say whose form this is",
                payload,
                items,
                resid,
                tuple(h.ravel().tolist()),
                _rotation(h),
                aligned,
            )
        ]
    return [
        PageReading(
            source,
            index,
            "rejected",
            "no openproms form code found (QR unreadable or not our form): "
            "choose the measure to read it by its corner marks",
        )
    ]


def read_pages(
    pages: Iterator[SourcePage] | list[SourcePage], **kwargs: object
) -> Iterator[PageReading]:
    """Read each :class:`SourcePage`; errors become rejected readings."""
    for sp in pages:
        if sp.image is None:
            yield PageReading(sp.source, sp.index, "rejected", sp.error)
            continue
        try:
            yield from read_image(sp.image, source=sp.source, index=sp.index, **kwargs)  # type: ignore[arg-type]
        except (cv2.error, ValueError, MemoryError) as e:
            yield PageReading(
                sp.source, sp.index, "rejected", f"page could not be read: {e}"
            )


def read_file(path: str | Path, **kwargs: object) -> Iterator[PageReading]:
    """Read every page of a PDF, TIFF, JPEG or PNG file on disk."""
    yield from read_pages(load_file(path), **kwargs)


def read_bytes(
    data: bytes, name: str = "upload", **kwargs: object
) -> Iterator[PageReading]:
    """Read every page of an uploaded file's bytes."""
    yield from read_pages(load_pages(data, name), **kwargs)
