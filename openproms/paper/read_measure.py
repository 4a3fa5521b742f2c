"""Measuring the boxes (OMR step 5): per box, how dark it is, how much of it is
strongly inked, its peak, the ink round it that print does not explain, and the
paper round it (how dark, how shaded, how noisy).

Every measure is taken on the aligned darkness image (``read_align``), moved by
the row's own shift; a shadow band found on the page as a whole (``read_bands``)
crossing an option's column counts as shade.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage
from openproms.paper.layout import ItemRow, Rect
from openproms.paper.read_align import _sl
from openproms.paper.read_bands import _band_at
from openproms.paper.read_types import STRONG, FloatImage, Measure, S, percentile

PAPER_CAP = 0.08
"""Most paper darkness round a box that is subtracted from the box (a soft shadow
narrower than the background kernel leaves about 0.06); darker is not taken for
paper, so a mark is never explained away by its surroundings."""


def _shifted(
    dark: FloatImage,
    explained: npt.NDArray[np.bool_],
    r: Rect,
    dx: float,
    dy: float,
) -> tuple[FloatImage, npt.NDArray[np.bool_]]:
    """``dark`` inside ``r`` shifted by the row's (dx, dy), and the printed
    page's 'explained' mask at the same place (the reference is not shifted)."""
    d = dark[_sl(r, dx, dy)]
    e = explained[_sl(r)]
    h, w = min(d.shape[0], e.shape[0]), min(d.shape[1], e.shape[1])
    return d[:h, :w], e[:h, :w]


def _blank_out(a: npt.NDArray[np.float32], outer: Rect, inner: Rect) -> None:
    """Set the part of ``a`` (the pixels of ``outer``) inside ``inner`` to -1."""
    so, si = _sl(outer), _sl(inner)
    y0, y1 = si[0].start - so[0].start, si[0].stop - so[0].start
    x0, x1 = si[1].start - so[1].start, si[1].stop - so[1].start
    a[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = -1.0


def _local_paper(
    dark: FloatImage,
    explained: npt.NDArray[np.bool_],
    box: Rect,
    dx: float,
    dy: float,
) -> tuple[float, float, float, float]:
    """Darkness of the paper round a box: the median of the unprinted pixels in a
    ring 1.3-2.8 mm outside it, capped at :data:`PAPER_CAP`; how dark the
    ring is in broad areas: its 75th percentile after a grey opening 1.5 mm wide
    (print taken as paper), which removes pen strokes (up to 1 mm) but keeps a
    shadow band (a hard shadow narrower than the background kernel is not divided
    out, and a blank box inside it looks filled in); and the paper's own noise
    there: the robust standard deviation (1.4826 x the median absolute value) of
    the darkness less its 5x5 mean. Noise in the photo is even in brightness, so
    in darkness it grows where the paper is in shadow: a page-wide level would be
    too high for the lit part of a half-shadowed page, where light pencil then
    hides under it; and how dark a stain in the ring is: its 95th percentile after
    a grey opening 0.8 mm wide (print taken as paper), which removes pen strokes
    and pencil lines but keeps a coffee ring's rim (1-3 mm) and a tide line,
    capped at :data:`STAIN_CAP`."""
    outer = box.inset(-2.8)
    d, e = _shifted(dark, explained, outer, dx, dy)
    ring = np.where(e, np.float32(-1.0), d)
    _blank_out(ring, outer, box.inset(-1.3))
    unprinted = ring >= 0
    vals = ring[unprinted]
    if vals.size < 50:
        return 0.0, 0.0, 0.0, 0.0
    # Print counts as paper here: blurred text is broad, but explained.
    unexplained = np.where(e, np.float32(0.0), d)
    broad = cv2.morphologyEx(unexplained, cv2.MORPH_OPEN, _BROAD_KERNEL)
    shade = float(percentile(broad[unprinted], 75))
    thin = cv2.morphologyEx(unexplained, cv2.MORPH_OPEN, _STAIN_KERNEL)
    stain = min(float(percentile(thin[unprinted], 95)), STAIN_CAP)
    fine = d - cv2.blur(d, (5, 5))
    noise = 1.4826 * float(np.median(np.abs(fine[unprinted])))
    return min(float(np.median(vals)), PAPER_CAP), shade, noise, stain


STAIN_CAP = 0.3
"""Most stain darkness allowed for: a coffee ring's rim is 0.15-0.35 dark; the
strong-ink level over it is then at most 0.545, still under a pen stroke's."""
STAIN_FLOOR = 0.03
"""Darkness of the stain round a box (:func:`_local_paper`) from which strong ink
is counted over the stain, not over white paper; under it (paper without a
stain) the level stays :data:`~openproms.paper.read_types.STRONG`. No decision
changed on the 19 scenarios the reader was first tuned on (decision 0043)."""


def _strong_over(stain: float) -> float:
    """The darkness from which a pixel is strong ink on paper as dark as
    ``stain``: a stain dyes paper, print and pencil alike, so light pencil under a
    coffee ring's rim is as dark as strong ink on white paper. Under
    :data:`STAIN_FLOOR` the paper counts as white."""
    if stain < STAIN_FLOOR:
        return STRONG
    return 1.0 - (1.0 - STRONG) * (1.0 - stain)


_STAIN_KERNEL = cv2.getStructuringElement(
    cv2.MORPH_ELLIPSE, (int(0.8 * S) | 1, int(0.8 * S) | 1)
)
_BROAD_KERNEL = cv2.getStructuringElement(
    cv2.MORPH_ELLIPSE, (int(1.5 * S) | 1, int(1.5 * S) | 1)
)


def _measure_row(
    dark: FloatImage,
    smooth: FloatImage,
    explained: npt.NDArray[np.bool_],
    bands: npt.NDArray[np.uint8],
    row: ItemRow,
    inset: float,
    dx: float,
    dy: float,
) -> list[Measure]:
    """(code, mean darkness, strong-ink share, unexplained ink mm2, peak, shade,
    paper noise) per box; peak = 98th percentile of the 3x3-smoothed darkness (a
    faint thin stroke); shade and noise of the paper round it: :func:`_local_paper`.

    Mean and peak are above the paper round the box (:func:`_local_paper`), so a
    shadow the background could not divide out is not read as ink. Unexplained
    ink is darkness (above a 0.12 floor, which drops paper noise; summed, so blur
    does not hide a thin stroke) in the option's column that the printed page,
    moved by the row's own shift, does not explain."""
    out: list[Measure] = []
    for o in row.options:
        sl = _sl(o.box.inset(inset), dx, dy)
        inner = dark[sl]
        local, shade, noise, stain = _local_paper(dark, explained, o.box, dx, dy)
        mean = float(inner.mean()) - local if inner.size else 0.0
        ink = float((inner > _strong_over(stain)).mean()) if inner.size else 0.0
        peak = float(percentile(smooth[sl].ravel(), 98)) - local if inner.size else 0.0
        zone = Rect(
            o.column.x + 0.3,
            o.box.y - 2.6,
            o.column.w - 0.6,
            row.rect.y1 - 0.8 - (o.box.y - 2.6),
        )
        # A band anywhere in the column: ink outside the box may be shadow.
        shade = max(shade, _band_at(bands, zone, dx, dy))
        d, e = _shifted(dark, explained, zone, dx, dy)
        unexplained = np.where(e, np.float32(0.0), d)
        z = np.maximum(unexplained - 0.12, 0.0)
        # The box itself (its inside is measured above).
        _blank_out(z, zone, o.box.inset(-0.6))
        inked = z > 0
        outside = float(z[inked].sum()) / (S * S)
        # The part of it in broad areas (a stain's rim, a tide line), which a pen
        # line, even blurred, is too narrow to keep through the opening.
        # With no such ink there is nothing to open (and the sum would be 0).
        outside_broad = 0.0
        if outside > 0.0:
            wide = cv2.morphologyEx(unexplained, cv2.MORPH_OPEN, _BROAD_KERNEL)
            kept = np.maximum(wide - 0.12, 0.0)[inked]
            outside_broad = float(kept.sum()) / (S * S)
        out.append((o.code, mean, ink, outside, peak, shade, noise, outside_broad))
    for k, dbox in enumerate(row.digit_boxes):
        sl = _sl(dbox.inset(inset), dx, dy)
        inner = dark[sl]
        mean = float(inner.mean()) if inner.size else 0.0
        ink = float((inner > STRONG).mean()) if inner.size else 0.0
        peak = float(percentile(smooth[sl].ravel(), 98)) if inner.size else 0.0
        out.append((-1 - k, mean, ink, 0.0, peak, 0.0, 0.0, 0.0))
    return out


def _missing_boxes(
    dark: FloatImage,
    ref: GrayImage,
    row: ItemRow,
    dx: float,
    dy: float,
    floor: float,
) -> frozenset[int]:
    """Codes of the row's boxes whose printed outline is not on the page (torn
    off, folded over, covered): where the printed page is dark within 0.5 mm of
    the box (its outline), the aligned page's darkness, moved by the row's shift,
    as a share of the printed darkness there, is under ``floor``."""
    out: list[int] = []
    for o in row.options:
        r = o.box.inset(-0.5)
        printed = ref[_sl(r)]
        seen = dark[_sl(r, dx, dy)]
        h = min(printed.shape[0], seen.shape[0])
        w = min(printed.shape[1], seen.shape[1])
        outline = printed[:h, :w] > 127
        if not outline.any():
            continue
        expected = float(printed[:h, :w][outline].mean()) / 255.0
        if float(seen[:h, :w][outline].mean()) < floor * expected:
            out.append(o.code)
    return frozenset(out)
