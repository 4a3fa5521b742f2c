"""Aligning the page (OMR steps 2-4): page millimetres to image pixels, light
divided out, each row re-aligned on its printed boxes.

:func:`_register_from_code` predicts the four corner marks from the QR code's
corners, finds each locally and fits a homography on all of them, with its worst
residual in millimetres; :func:`_register_from_marks` does without the code (the
ring mark gives the orientation). :func:`_normalise` turns the page warped to
:data:`~openproms.paper.read_types.S` px/mm into darkness with the paper's own
brightness divided out; :func:`_row_shift` matches a row's boxes against a rendering
of the printed page (:func:`_reference`) within +-1.5 mm.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage
from openproms.paper.layout import LAYOUT_VERSION, ItemRow, PageLayout, Rect
from openproms.paper.read_find import _Code
from openproms.paper.read_types import FloatImage, S


def _apply_h(
    h: npt.NDArray[np.float64], pts: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ h.T
    out: npt.NDArray[np.float64] = p[:, :2] / p[:, 2:3]
    return out


def _quad_area(q: npt.NDArray[np.float64]) -> float:
    x, y = q[:, 0], q[:, 1]
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def _rect_corners(r: Rect) -> npt.NDArray[np.float64]:
    return np.array([[r.x, r.y], [r.x1, r.y], [r.x1, r.y1], [r.x, r.y1]], np.float64)


@dataclass(frozen=True, slots=True)
class _Blob:
    centre: tuple[float, float]
    area: float
    fill: float  # dark share inside the outer contour (ring < solid)

    def inside(self, shape: tuple[int, ...], margin: float) -> bool:
        """True when the blob's centre is at least ``margin`` from the edges (a
        mark cut off by the search window has a wrong centre)."""
        x, y = self.centre
        return margin <= x <= shape[1] - margin and margin <= y <= shape[0] - margin


def _blobs(binary: GrayImage, min_area: float, max_area: float) -> list[_Blob]:
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    out: list[_Blob] = []
    for c in contours:
        area = cv2.contourArea(c)
        if not min_area <= area <= max_area:
            continue
        (_, _), (w, h), _ = cv2.minAreaRect(c)
        if w <= 0 or h <= 0 or not 0.6 <= w / h <= 1.65 or area / (w * h) < 0.72:
            continue
        hull = cv2.convexHull(c)
        if area / max(cv2.contourArea(hull), 1e-6) < 0.88:
            continue
        m = cv2.moments(c)
        if m["m00"] <= 0:
            continue
        mask = np.zeros(binary.shape, np.uint8)
        cv2.drawContours(mask, [c], -1, 255, -1)
        fill = float((binary[mask > 0] > 0).mean())
        out.append(_Blob((m["m10"] / m["m00"], m["m01"] / m["m00"]), area, fill))
    return out


def _find_fiducial_near(
    img: GrayImage, h: npt.NDArray[np.float64], rect: Rect, search_mm: float
) -> tuple[float, float] | None:
    """Find the corner mark whose page rectangle is ``rect`` near where ``h`` puts it."""
    corners = _apply_h(h, _rect_corners(rect))
    expected = _quad_area(corners)
    cx, cy = corners.mean(axis=0)
    px_per_mm = math.sqrt(expected) / rect.w
    r = search_mm * px_per_mm
    x0, x1 = int(max(0, cx - r)), int(min(img.shape[1], cx + r))
    y0, y1 = int(max(0, cy - r)), int(min(img.shape[0], cy + r))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    win = img[y0:y1, x0:x1]
    blobs: list[_Blob] = []
    for attempt in ("otsu", "flat", "darkest"):
        if attempt == "otsu":
            _, thr = cv2.threshold(win, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
        elif attempt == "flat":
            # A shadow edge across the window splits Otsu's threshold between
            # shadow and paper: divide the paper's brightness out and retry.
            k = int(math.sqrt(expected) * 2.5) | 1
            bg = cv2.morphologyEx(
                win, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
            )
            flat = cv2.divide(win, np.maximum(bg, 1), scale=255)
            _, thr = cv2.threshold(
                flat, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU
            )
        else:
            # A shadow too narrow to flatten (between the page edge and the
            # mark) joins the mark: split the dark pixels themselves.
            t, _ = cv2.threshold(win, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            dark = win[win <= t]
            if dark.size < expected:
                break
            t2, _ = cv2.threshold(
                dark.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
            )
            thr = np.where(win <= t2, 255, 0).astype(np.uint8)
        binary = np.asarray(thr, np.uint8)
        blobs = [
            b
            for b in _blobs(binary, expected * 0.3, expected * 2.2)
            if b.inside(binary.shape, math.sqrt(expected) * 0.55)
        ]
        if blobs:
            break
    if not blobs:
        return None
    best = min(
        blobs, key=lambda b: (b.centre[0] + x0 - cx) ** 2 + (b.centre[1] + y0 - cy) ** 2
    )
    return (best.centre[0] + x0, best.centre[1] + y0)


def _affine_fit(
    src: list[npt.NDArray[np.float64]], dst: list[npt.NDArray[np.float64]]
) -> npt.NDArray[np.float64]:
    """Least-squares affine map as a 3x3 matrix (stable for extrapolating from the
    small QR code to the far corners, where a homography is not)."""
    a = np.hstack([np.array(src), np.ones((len(src), 1))])
    sol, *_ = np.linalg.lstsq(a, np.array(dst), rcond=None)
    m = np.eye(3)
    m[:2, :] = sol.T
    return m


def _register_from_code(
    img: GrayImage, page: PageLayout, code: _Code, limit_mm: float = math.inf
) -> tuple[npt.NDArray[np.float64], float, int] | None:
    """Homography page-mm -> source px from the QR corners and the corner marks.
    Returns (H, worst residual in mm, marks used) or None.

    When all four marks are found but the worst residual is over ``limit_mm``,
    one mark may be wrong (a torn corner's edge or the scanner's lid taken for
    it): :func:`_drop_stray_mark` refits without it."""
    src = _rect_corners(page.qr)
    dst = code.corners
    # The QR's bottom-right corner has no finder pattern; its estimate is the
    # least exact, so predictions use the other three.
    src_pts: list[npt.NDArray[np.float64]] = [src[0], src[1], src[3]]
    dst_pts: list[npt.NDArray[np.float64]] = [dst[0], dst[1], dst[3]]
    h = _affine_fit(src_pts, dst_pts)
    qx, qy = page.qr.x + page.qr.w / 2, page.qr.y + page.qr.h / 2
    order = sorted(page.fiducials, key=lambda f: math.dist(f.centre, (qx, qy)))
    found = 0
    for f in order:
        dist = math.dist(f.centre, (qx, qy))
        p = _find_fiducial_near(img, h, f.rect, 9.0 + 0.16 * dist)
        if p is None:
            continue
        src_pts.append(np.array(f.centre))
        dst_pts.append(np.array(p))
        found += 1
        h = _affine_fit(src_pts, dst_pts)
    if found < 3:
        return None
    sp, dp = np.array(src_pts), np.array(dst_pts)
    fitted = _fit_homography(sp, dp)
    if fitted is None:
        return None
    hh, resid = fitted
    if found == 4 and resid > limit_mm:
        refit = _drop_stray_mark(sp, dp)
        if refit is not None:
            return refit[0], refit[1], 3
    return hh, resid, found


def _fit_homography(
    sp: npt.NDArray[np.float64], dp: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], float] | None:
    """Least-squares homography page mm -> px, and its worst residual in mm."""
    fit, _ = cv2.findHomography(sp, dp, 0)
    if fit is None:
        return None
    hh: npt.NDArray[np.float64] = np.asarray(fit, np.float64)
    back = _apply_h(np.asarray(np.linalg.inv(hh), np.float64), dp)
    return hh, float(np.max(np.linalg.norm(back - sp, axis=1)))


STRAY_MM = 3.0
"""Least distance (mm) between a corner mark found and where the QR code and the
other three marks put it for it to be left out of the fit (:func:`_drop_stray_mark`)."""
AGREE_MM = 0.5
"""Worst residual (mm) the QR code and the other three marks must then agree
within: a well-registered scan fits to about 0.15 mm, while a page that bends
(a fold, a curled photo) spreads its disagreement over every mark."""


def _drop_stray_mark(
    sp: npt.NDArray[np.float64], dp: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], float] | None:
    """Refit without one corner mark that disagrees with the rest.

    ``sp``, ``dp``: three QR corners then four corner marks (page mm, source
    px). A mark is left out when an affine map fitted on the QR code and the
    other three marks (six points, six unknowns, twelve equations) puts it at
    least :data:`STRAY_MM` from where it was found while those six agree within
    :data:`AGREE_MM`, and no other mark can be left out so (one stray, not a bent
    page). The fit is affine because a homography on six points, three of them
    close together on the QR code, bends to fit almost any fourth corner (left
    out in turn, every mark then looks stray) and puts the corner left out
    millimetres from where it is. A scanned page is affine to well within a
    millimetre; a photo that is not is left as it was. Returns the affine map
    (as a 3x3 matrix) and the six points' worst residual in mm, or None. What
    the tear took of the page is caught box by box
    (:func:`~openproms.paper.read_measure._missing_boxes`)."""
    fits: list[tuple[npt.NDArray[np.float64], float]] = []
    for i in range(3, len(sp)):
        rest = [j for j in range(len(sp)) if j != i]
        a = _affine_fit(list(sp[rest]), list(dp[rest]))  # mm -> px
        back = _apply_h(np.asarray(np.linalg.inv(a), np.float64), dp)
        err = np.linalg.norm(back - sp, axis=1)
        resid = float(np.max(err[rest]))
        if resid <= AGREE_MM and float(err[i]) >= STRAY_MM:
            fits.append((a, resid))
    return fits[0] if len(fits) == 1 else None


def _register_from_marks(
    img: GrayImage, page: PageLayout
) -> tuple[npt.NDArray[np.float64], float] | None:
    """Find the four corner marks anywhere in the image (no QR): the ring gives
    the bottom-right corner; the others follow by position."""
    _, binary = cv2.threshold(
        cv2.GaussianBlur(img, (3, 3), 0),
        0,
        255,
        cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU,
    )
    total = img.shape[0] * img.shape[1]
    blobs = _blobs(np.asarray(binary, np.uint8), total * 2e-5, total * 4e-3)
    blobs = sorted(blobs, key=lambda b: -b.area)[:14]
    best: tuple[float, list[_Blob]] | None = None
    for combo in itertools.combinations(blobs, 4):
        areas = [b.area for b in combo]
        if max(areas) / min(areas) > 2.0:
            continue
        rings = [b for b in combo if b.fill < 0.85]
        if len(rings) != 1:
            continue
        pts = np.array([b.centre for b in combo])
        hull = cv2.convexHull(pts.astype(np.float32))
        if len(hull) != 4:
            continue
        area = _quad_area(hull.reshape(4, 2).astype(np.float64))
        if best is None or area > best[0]:
            best = (area, list(combo))
    if best is None:
        return None
    chosen = best[1]
    br = next(b for b in chosen if b.fill < 0.85)
    others = [b for b in chosen if b is not br]
    tl = max(others, key=lambda b: math.dist(b.centre, br.centre))
    rest = [b for b in others if b is not tl]
    # Going tl -> tr -> br is clockwise on the page (y down): cross product > 0.
    a, b = rest
    v1 = np.subtract(a.centre, tl.centre)
    v2 = np.subtract(br.centre, tl.centre)
    tr, bl = (a, b) if v1[0] * v2[1] - v1[1] * v2[0] > 0 else (b, a)
    by_corner = {"tl": tl, "tr": tr, "bl": bl, "br": br}
    src = np.array([f.centre for f in page.fiducials], np.float64)
    dst = np.array([by_corner[f.corner].centre for f in page.fiducials], np.float64)
    h, _ = cv2.findHomography(src, dst, 0)
    if h is None:
        return None
    return np.asarray(h, np.float64), 0.0


def _rotation(h: npt.NDArray[np.float64]) -> int:
    a, b = _apply_h(h, np.array([[0.0, 0.0], [100.0, 0.0]]))
    ang = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    return round(ang) % 360


def aligned_page(img: GrayImage, h: npt.NDArray[np.float64]) -> GrayImage:
    """The page warped to :data:`~openproms.paper.read_types.S` px/mm (``h``: page
    mm -> source px); the image's edge is repeated where the page runs off it."""
    w, ht = round(210 * S), round(297 * S)
    to_src = h @ np.diag([1 / S, 1 / S, 1.0])
    aligned: GrayImage = np.asarray(
        cv2.warpPerspective(
            img,
            to_src,
            (w, ht),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        ),
        np.uint8,
    )
    return aligned


def _normalise(img: GrayImage) -> FloatImage:
    """Darkness 0..1 after dividing out the paper's own brightness.

    The background is a grey closing with a 14 mm kernel (larger than any mark)
    at full resolution, after a median filter. A closing with a flat convex
    kernel leaves a straight brightness step exactly where it is, so a hard
    shadow's edge divides out to white paper instead of a thin dark line along
    the edge (which a half-resolution or blurred background leaves behind, and
    which reads as a faint pencil stroke where it crosses a box).
    """
    # Smooth sensor noise and JPEG first, or the closing picks its peaks (a
    # median keeps a hard shadow's edge sharp).
    small = cv2.medianBlur(img, 5)
    k = int(14 * S) | 1
    bg = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    )
    # Along a slanted hard edge the closing puts the step a few pixels into the
    # shadow, which leaves a thin dark line (read as a slash where it crosses a
    # box): where the background steps by more than EDGE_STEP within 3 px, take
    # the darker side. Elsewhere (no hard shadow) the background is unchanged.
    low = cv2.erode(bg, _EDGE_KERNEL)
    step = cv2.subtract(bg, low)
    np.copyto(bg, low, where=step > EDGE_STEP)
    bgf = np.maximum(bg.astype(np.float32), 24.0)
    dark: FloatImage = np.clip(1.0 - img.astype(np.float32) / bgf, 0.0, 1.0)
    return dark


_EDGE_KERNEL = np.ones((7, 7), np.uint8)
EDGE_STEP = 20
"""Grey levels by which the background must step within 3 px to be a hard
shadow's edge (paper texture, uneven light and soft shadows step by less)."""


@functools.lru_cache(maxsize=16)
def _reference(page: PageLayout) -> tuple[GrayImage, npt.NDArray[np.bool_]]:
    """The printed page without marks or QR, as darkness at S px/mm, and the
    'explained by print' mask (print dilated by about 1 mm)."""
    import pypdfium2 as pdfium

    from openproms.paper.layout import PAGE_H, PAGE_W, Layout
    from openproms.paper.render import render_pdf

    layout = Layout("", "standard", LAYOUT_VERSION, PAGE_W, PAGE_H, (page,))
    doc = pdfium.PdfDocument(render_pdf([layout], draw_qr=False))
    try:
        bmp = doc[0].render(scale=S * 25.4 / 72.0, grayscale=True)
        arr = np.asarray(bmp.to_numpy())
    finally:
        doc.close()
    if arr.ndim == 3:
        arr = arr[..., 0]
    w, h = round(PAGE_W * S), round(PAGE_H * S)
    arr = cv2.resize(arr, (w, h), interpolation=cv2.INTER_AREA)
    dark: FloatImage = 1.0 - arr.astype(np.float32) / 255.0
    k = int(2.0 * S) | 1
    explained = cv2.dilate(
        (dark > 0.15).astype(np.uint8),
        cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)),
    ).astype(bool)
    # Kept as 8-bit darkness: 2 MB a page rather than 9.
    return np.asarray(np.round(dark * 255), np.uint8), explained


def _sl(r: Rect, dx: float = 0.0, dy: float = 0.0) -> tuple[slice, slice]:
    return (
        slice(max(0, round((r.y + dy) * S)), max(0, round((r.y1 + dy) * S))),
        slice(max(0, round((r.x + dx) * S)), max(0, round((r.x1 + dx) * S))),
    )


def _row_shift(
    dark: FloatImage, ref: GrayImage, row: ItemRow
) -> tuple[float, float, float]:
    """Best local shift (dx, dy in mm) of a row's box strip, and the match score."""
    boxes = [o.box for o in row.options] + list(row.digit_boxes)
    if not boxes:
        return 0.0, 0.0, 1.0
    x0 = min(b.x for b in boxes) - 1.0
    x1 = max(b.x1 for b in boxes) + 1.0
    y0 = min(b.y for b in boxes) - 1.0
    y1 = max(b.y1 for b in boxes) + 1.0
    pad = 1.5
    tpl = ref[_sl(Rect(x0, y0, x1 - x0, y1 - y0))].astype(np.float32) / 255.0
    area = dark[_sl(Rect(x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad))]
    if area.shape[0] < tpl.shape[0] or area.shape[1] < tpl.shape[1] or tpl.size == 0:
        return 0.0, 0.0, 0.0
    # Clip marks (they are darker than print can explain) so a filled box cannot
    # pull the match.
    # Blur both, so a blurred scan still matches the sharp reference.
    a = cv2.GaussianBlur(np.minimum(area, 0.6), (0, 0), 2.0)
    t = cv2.GaussianBlur(np.minimum(tpl, 0.6), (0, 0), 2.0)
    res = cv2.matchTemplate(a, t, cv2.TM_CCOEFF_NORMED)
    _, peak, _, loc = cv2.minMaxLoc(res)
    dx = loc[0] / S - pad
    dy = loc[1] / S - pad
    return dx, dy, float(peak)
