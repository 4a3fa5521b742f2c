"""Shadow bands on the page as a whole (part of OMR step 5): where a shadow the
background could not divide out (one narrower than its kernel) lies, so that an
option whose column it crosses goes to a person rather than being read as ink.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.layout import PageLayout, Rect
from openproms.paper.read_align import _reference, _sl
from openproms.paper.read_types import FloatImage, S

BAND_CELL = 3
"""Pixels of the aligned page per cell of the shadow-band map (0.5 mm)."""
BAND_MM = 24.0
"""Length of straight dark paper that makes a band (a pen stroke is shorter)."""


def _line_kernels(length: int, angles: int) -> tuple[npt.NDArray[np.uint8], ...]:
    """One-pixel digital lines ``length`` cells long, at ``angles`` even angles."""
    out = []
    c = length // 2
    for i in range(angles):
        a = math.pi * i / angles
        dx, dy = math.cos(a) * c, math.sin(a) * c
        k = np.zeros((length, length), np.uint8)
        p0 = (round(c - dx), round(c - dy))
        p1 = (round(c + dx), round(c + dy))
        cv2.line(k, p0, p1, 1, 1)
        out.append(k)
    return tuple(out)


_BAND_LINES = _line_kernels(int(BAND_MM * S / BAND_CELL) | 1, 16)
_PAIR = np.ones((2, 2), np.uint8)
_BRIDGE = np.ones((int(12 * S / BAND_CELL) | 1,) * 2, np.uint8)
LINE_MM = 40.0
"""Length of a thin straight dark line taken for a shadow: longer than any mark
(a circle round a label spans at most a column, about 35 mm, and is curved)."""
_STROKE_KERNEL = np.ones((int(1.5 * S) | 1, int(1.5 * S) | 1), np.uint8)


@functools.lru_cache(maxsize=16)
def _band_print(
    page: PageLayout,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Print of ``page`` for the band map, faint print and the QR code included (a
    hairline rule between rows is lighter than the 'explained' mask's level, and a
    long straight line): the pixels within 1 mm of it, and the 0.5 mm cells that
    hold any."""
    ref, explained = _reference(page)
    k = int(2.0 * S) | 1
    faint = cv2.dilate(
        (ref > 5).astype(np.uint8),
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)),
    )
    printed = np.asarray(faint, bool) | explained
    # The QR code (not in the reference): its modules line up in long runs.
    printed[_sl(page.qr.inset(-2.0))] = True
    h, w = printed.shape
    c = BAND_CELL
    share = cv2.resize(
        printed.astype(np.float32), (w // c, h // c), interpolation=cv2.INTER_AREA
    )
    return printed, np.asarray(share > 0)


def _bands(dark: FloatImage, page: PageLayout, floor: float) -> npt.NDArray[np.uint8]:
    """Where a shadow band the background did not divide out (one narrower than
    its kernel) lies, per 0.5 mm cell (1 there): long broad paper at least
    ``floor`` dark, and long thin straight dark lines.

    An erosion 1.5 mm wide removes pen strokes, blurred (print counts as paper, so a
    stroke along print goes too); a cell with print takes the darkness that
    brackets it within 12 mm (a grey closing), so a band runs on through text
    and rules while a circle round a label does not fill it; a linear opening
    at 16 angles keeps what lies on a straight run :data:`BAND_MM` long, which
    no mark makes (a filled box is under 10 mm, with paper round it); cells
    with print are then left out."""
    near_print, printed = _band_print(page)
    h, w = printed.shape
    m = cv2.erode(np.where(near_print, np.float32(0.0), dark), _STROKE_KERNEL)
    cells = cv2.resize(m, (w, h), interpolation=cv2.INTER_AREA)
    closed = cv2.morphologyEx(cells, cv2.MORPH_CLOSE, _BRIDGE)
    np.copyto(cells, closed, where=printed)
    # Flat morphology commutes with a threshold: opening the cells at least
    # ``floor`` dark gives what a grey opening would leave at ``floor`` or more,
    # at a fraction of the cost (8-bit).
    dark_cells = (cells >= floor).astype(np.uint8)
    best = np.zeros_like(dark_cells)
    for k in _BAND_LINES:
        np.bitwise_or(best, cv2.morphologyEx(dark_cells, cv2.MORPH_OPEN, k), out=best)
    # A band under about 3 mm (which the erosion removes) or the thin line a
    # slanted hard edge can leave: straight dark runs LINE_MM long, found at
    # 3 px/mm across gaps of up to 8 mm of print or paper.
    thin = cv2.dilate(((dark > 0.2) & ~near_print).astype(np.uint8), _PAIR)
    half = cv2.resize(
        thin, (thin.shape[1] // 2, thin.shape[0] // 2), interpolation=cv2.INTER_NEAREST
    )
    lines = cv2.HoughLinesP(
        half,
        1,
        np.pi / 180,
        60,
        minLineLength=round(LINE_MM * S / 2),
        maxLineGap=round(8 * S / 2),
    )
    if lines is not None:
        f = 2 / BAND_CELL
        for x0, y0, x1, y1 in lines.reshape(-1, 4):
            p0 = (round(x0 * f), round(y0 * f))
            cv2.line(best, p0, (round(x1 * f), round(y1 * f)), 1, 2)
    best[printed] = 0
    return best


def _band_at(bands: npt.NDArray[np.uint8], r: Rect, dx: float, dy: float) -> float:
    """1.0 when a band cell lies in ``r`` (moved by the row's shift), else 0.0."""
    f = S / BAND_CELL
    y0, x0 = max(0, int((r.y + dy) * f)), max(0, int((r.x + dx) * f))
    y1, x1 = math.ceil((r.y1 + dy) * f), math.ceil((r.x1 + dx) * f)
    cell = bands[y0:y1, x0:x1]
    return float(cell.max()) if cell.size else 0.0
