"""The OMR reader: page images in, per-item decisions with confidence out.

Steps for each form found in an image:

1. Decode the QR code (OpenCV; any rotation, upside down, several per image).
   Its payload names the measure, variant, page and layout fingerprint; the layout
   is rebuilt with :func:`~openproms.paper.layout.make_layout` and must match the
   fingerprint, or the page is rejected (never guess which form it is).
2. Register: a first homography from the QR code's corners predicts where the
   four corner marks are; each is found locally (a solid dark square of the right
   size nearest the prediction; when a shadow edge defeats one threshold, again
   after flattening the window, then by splitting its dark pixels) and the
   homography is refitted on all eight points. The worst residual, in
   millimetres, is checked.
3. Warp the page to a canonical 6 px/mm image and divide out the illumination
   (background = full-resolution grey closing with a kernel larger than any
   mark, which keeps a hard shadow's straight edge exactly where it is), so
   shadows and uneven light do not read as ink.
4. For each row, refine the alignment locally by matching the printed boxes (from a
   rendering of the same layout) within +-1.5 mm.
5. For each box measure: mean darkness inside (inset from the outline), share of
   strongly inked pixels, and ink in the option's own column that the printed page
   does not explain (a circle round a label, an overrunning stroke, a stray mark).
   Compare against the paper round each box (what a soft shadow leaves after
   step 3) and the page's own empty boxes. A shadow band the background could
   not divide out (narrower than its kernel) is found on the page as a whole
   (:func:`_bands`): an option whose column it crosses goes to a person.
6. Decide per item: one answer, blank, several, or uncertain, with a confidence
   and a reason. Faint marks, ink outside boxes, poor registration and written
   numbers always go to a person. A completely filled box next to another marked
   box is read as crossed out (the form's printed instruction).

When the QR code cannot be read, :func:`read_image` with ``fallback`` (a page
layout chosen by a person) registers on the corner marks alone (the ring mark
gives the orientation); the page then needs a person to say whose it is.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage, SourcePage, load_file, load_pages
from openproms.paper.layout import (
    LAYOUT_VERSION,
    FormContext,
    ItemRow,
    Layout,
    PageLayout,
    Payload,
    Rect,
    Variant,
    make_layout,
    parse_payload,
    style_for,
)
from openproms.paper.words import split_form_key
from openproms.scoring import MeasureDefinition, get_measure
from openproms.scoring.errors import ScoringError, WordingNotAvailable
from openproms.scoring.translations import definition_translated, shipped_translation

S = 6.0
"""Pixels per millimetre of the canonical (aligned) page image."""
STRONG = 0.35
"""Darkness of a strongly inked pixel (pen, marker, pressed pencil; not a light
pencil mark, which stays below about 0.3)."""

Decision = Literal["answer", "blank", "multiple", "uncertain"]
BoxState = Literal[
    "empty", "marked", "faint", "cancelled", "circled", "ink_nearby", "shadowed"
]
PageStatus = Literal["read", "needs_identity", "rejected", "blank"]
FloatImage = npt.NDArray[np.float32]
Measure = tuple[int, float, float, float, float, float, float]
"""(code, mean, strong-ink share, unexplained ink mm2, peak, shade, paper noise):
see :func:`_measure_row`."""
Resolver = Callable[[Payload], MeasureDefinition]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds (darkness is 0 for paper, 1 for black ink).

    Box darkness is measured above the page's own empty-box level. Defaults were
    set on the benchmark corpus (benchmarks/omr) and are documented in docs/paper.md.
    """

    marked: float = 0.075
    """Mean darkness above which a box is marked."""
    faint: float = 0.028
    """Mean darkness above which a box is not clearly empty."""
    strong_ink: float = 0.02
    """Share of strongly inked pixels (darkness > 0.35) a marked box needs; a
    mark with less (light pencil) goes to a person however large it is."""
    faint_peak: float = 0.06
    """Peak smoothed darkness above the page's empty boxes that marks a box as
    not clearly empty (a thin light pencil stroke with little mean darkness)."""
    sure_ink: float = 0.04
    """Share of strongly inked pixels above which a box with a marked mean is
    surely not light pencil. Between ``strong_ink`` and this a person looks: sensor
    noise lifts a few light-pencil pixels over the strong level (a light pencil
    cross under noise reached 0.021 and was accepted)."""
    pencil_ink: float = 0.10
    """Share of strongly inked pixels under which a marked box may still be light
    pencil that noise or a phone's contrast lifted over the strong level (one,
    under a bad phone photo, had 4.8% and was accepted): see ``pencil_peak``."""
    pencil_peak: float = 0.32
    """Peak smoothed darkness (above the page's empty boxes) that a marked box with
    under ``pencil_ink`` strong ink needs to be accepted: light pencil peaked at
    up to 0.27 on phone photos, pen ticks and crosses at 0.28-0.48."""
    shadow_paper: float = 0.15
    """Darkness of broad areas of the paper round a box (see :func:`_local_paper`)
    from which the box is in a shadow the page's background did not divide out,
    and goes to a person (a soft shadow leaves about 0.06)."""
    doubt_peak: float = 0.04
    """Peak smoothed darkness from which an otherwise empty box is in doubt (up to
    ``faint_peak``): a light tick smeared by motion blur peaked at 0.057 and read
    as blank; empty boxes stay below 0.04 but for about 1 in 1,000 on bad phone
    photos, and a soft shadow band over a box leaves about 0.034."""
    doubt_noise: float = 2.5
    """Peak smoothed darkness above the paper round a box, in units of that
    paper's own noise (:func:`_local_paper`), from which an otherwise empty box
    is in doubt. On a phone photo half in shadow the page's empty boxes peak
    high (noise grows in shadow), which hid light pencil in the lit part:
    on 1,000 light-pencil pages, of 12 pencil items read as blank 10 had 2.5-4.9,
    while about 3 in 10,000 empty boxes of phone photos reached 2.5 (at most 2.8; a
    noisy scan's at most 1.8)."""
    noise_floor: float = 0.008
    """Least paper noise round a box from which :attr:`doubt_noise` applies.
    Scans without sensor noise measure none (most paper pixels are exactly white,
    even after JPEG or blur), and their darkness has no shadow-dependent noise
    for a page-wide level to misjudge; a soft shadow band's edge there peaks at up
    to 0.043 over no noise at all. Photos measure 0.009-0.04 (phone_typical's 1st
    percentile 0.0086), a noisy scan 0.017-0.019."""
    clear_ink: float = 0.06
    """Share of strongly inked pixels that marks a box even when its mean darkness
    is low (a thin slash)."""
    cancelled_ink: float = 0.9
    """Share of strongly inked pixels above which a box is filled in (a heavy
    cross in a thick pen, blurred, reaches about 0.8: it must stay "marked", or
    two crosses would read as a changed answer)."""
    cancelled_dark: float = 0.5
    """Mean darkness a filled-in box also needs."""
    circle_mm2: float = 7.0
    """Unexplained ink (mm2) in an option's column above which it counts as circled."""
    nearby_mm2: float = 1.6
    """Unexplained ink (mm2) above which a person should look."""
    registration_mm: float = 1.2
    """Worst corner-mark residual above which all answers go to a person."""
    row_match: float = 0.3
    """Lowest match of a row's printed boxes before its answers go to a person."""
    accept: float = 0.5
    """Lowest confidence accepted without a person."""


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class BoxReading:
    """Measurements of one answer box."""

    code: int
    darkness: float
    ink: float
    outside_mm2: float
    state: BoxState


@dataclass(frozen=True, slots=True)
class ItemReading:
    """The decision for one item.

    ``decision`` is "answer" (``code`` set), "blank", "multiple" or "uncertain";
    ``needs_person`` is True unless the decision was accepted automatically.
    ``crop`` is the item's row on the page, in page millimetres (use
    :meth:`PageReading.crop` or :meth:`PageReading.to_source` to show it).
    """

    item_id: str
    number: int
    decision: Decision
    code: int | None
    confidence: float
    needs_person: bool
    reason: str
    crop: Rect
    boxes: tuple[BoxReading, ...] = ()
    candidates: tuple[int, ...] = ()
    """Codes a person should look at first (the marked or doubtful boxes)."""


@dataclass(slots=True)
class PageReading:
    """One form page found in an input (or the reason none could be read)."""

    source: str
    index: int
    status: PageStatus
    reason: str | None = None
    payload: Payload | None = None
    items: tuple[ItemReading, ...] = ()
    registration_mm: float | None = None
    homography: tuple[float, ...] | None = None
    """Page mm -> source pixels (row-major 3x3), when registered."""
    rotation: int | None = None
    """Approximate rotation of the page in the input, degrees clockwise."""
    aligned: GrayImage | None = field(default=None, repr=False)
    """The page warped to 6 px/mm (kept only when asked)."""

    @property
    def token(self) -> str | None:
        return self.payload.token if self.payload else None

    @property
    def measure_key(self) -> str | None:
        return self.payload.measure_key if self.payload else None

    @property
    def page(self) -> int | None:
        return self.payload.page if self.payload else None

    @property
    def needs_person(self) -> bool:
        return self.status != "read" or any(i.needs_person for i in self.items)

    def answers(self) -> dict[str, int | None]:
        """Accepted answers (code, or None for an accepted blank)."""
        return {i.item_id: i.code for i in self.items if not i.needs_person}

    def to_source(self, x_mm: float, y_mm: float) -> tuple[float, float]:
        """Map a page point (mm) to the input image's pixels."""
        if self.homography is None:
            raise ValueError("page was not registered")
        h = np.array(self.homography).reshape(3, 3)
        v = h @ np.array([x_mm, y_mm, 1.0])
        return (float(v[0] / v[2]), float(v[1] / v[2]))

    def crop(self, rect: Rect, pad_mm: float = 2.0) -> GrayImage:
        """The aligned image inside ``rect`` (needs ``keep_image=True``)."""
        if self.aligned is None:
            raise ValueError("read with keep_image=True to crop")
        r = rect.inset(-pad_mm)
        y0, y1 = max(0, int(r.y * S)), math.ceil(r.y1 * S)
        x0, x1 = max(0, int(r.x * S)), math.ceil(r.x1 * S)
        return self.aligned[y0:y1, x0:x1].copy()


class LayoutMismatch(Exception):
    """The page's code names a form whose layout cannot be rebuilt exactly."""


def default_resolver(payload: Payload) -> MeasureDefinition:
    """Look the measure up in the shipped library (``id@version``), in the
    language the form was printed in (``~cy``) when openproms ships its wording in
    that language."""
    mid, version, language = split_form_key(payload.measure_key)
    defn = get_measure(mid, version)
    if language == "en":
        return defn
    translation = shipped_translation(mid, version, language)
    if translation is None:
        raise LookupError(f"no {language} wording ships for {defn.key}")
    return definition_translated(defn, translation, language=language)


def page_layout_for(
    payload: Payload, resolver: Resolver = default_resolver
) -> PageLayout:
    """Rebuild the page layout a QR payload names; raise LayoutMismatch if the
    rebuilt page's fingerprint, page count or layout version differ."""
    if payload.version != LAYOUT_VERSION:
        raise LayoutMismatch(
            f"form printed with layout version {payload.version}; this reader "
            f"reads version {LAYOUT_VERSION}"
        )
    try:
        defn = resolver(payload)
    except (ScoringError, KeyError, LookupError) as e:
        raise LayoutMismatch(
            f"measure {payload.measure_key} is not known here ({e})"
        ) from e
    try:
        layout = _cached_layout(defn, payload.variant)
    except WordingNotAvailable as e:
        raise LayoutMismatch(
            f"{payload.measure_key} was printed with wording this reader was not given "
            "(pass a resolver that returns the organisation's worded definition)"
        ) from e
    if len(layout.pages) != payload.count:
        raise LayoutMismatch(
            f"form has {payload.count} pages but {payload.measure_key} now lays out "
            f"on {len(layout.pages)} (wording or measure changed since printing)"
        )
    page = layout.page(payload.page)
    if page.fingerprint != payload.fingerprint:
        raise LayoutMismatch(
            f"page {payload.page} of {payload.measure_key} was printed from a different "
            "layout (wording or measure changed since printing)"
        )
    return page


_LAYOUTS: dict[tuple[int, str], tuple[MeasureDefinition, Layout]] = {}


def _cached_layout(defn: MeasureDefinition, variant: Variant) -> Layout:
    """Layouts by definition object (kept alive with the entry, so its id is not
    reused) and variant."""
    key = (id(defn), variant)
    hit = _LAYOUTS.get(key)
    if hit is None or hit[0] is not defn:
        if len(_LAYOUTS) > 256:
            _LAYOUTS.clear()
        hit = (defn, make_layout(defn, variant, FormContext()))
        _LAYOUTS[key] = hit
    return hit[1]


# ----------------------------------------------------------------------------- QR


@dataclass(frozen=True, slots=True)
class _Code:
    payload: Payload
    corners: npt.NDArray[np.float64]  # 4x2 source px: QR's TL, TR, BR, BL


@functools.cache
def _qr_detector() -> cv2.QRCodeDetector:
    return cv2.QRCodeDetector()


@functools.cache
def _qr_detector_aruco() -> cv2.QRCodeDetectorAruco:
    return cv2.QRCodeDetectorAruco()


def _decode_multi(
    img: GrayImage, scale: float, det: cv2.QRCodeDetector | cv2.QRCodeDetectorAruco
) -> list[_Code]:
    try:
        ok, texts, points, _ = det.detectAndDecodeMulti(img)
    except cv2.error:
        return []
    out: list[_Code] = []
    if not ok or points is None:
        return out
    for text, pts in zip(texts, points, strict=False):
        if not text:
            continue
        p = parse_payload(text)
        if p is None:
            continue
        out.append(_Code(p, np.asarray(pts, np.float64).reshape(4, 2) / scale))
    return out


def _resize(img: GrayImage, scale: float) -> GrayImage:
    if abs(scale - 1.0) < 1e-6:
        return img
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    out = cv2.resize(img, None, fx=scale, fy=scale, interpolation=interp)
    return np.asarray(out, dtype=np.uint8)


def find_codes(img: GrayImage) -> list[_Code]:
    """Decode every openproms QR code in ``img``; tries several scales and a
    binarised copy before giving up."""
    long_side = float(max(img.shape))

    def at(px: float) -> float:
        return min(1.0, px / long_side)

    # (scale, binarise, ArUco-based detector): cheapest first; the ArUco finder
    # reads the code at about 1 000 px across a page in a few hundredths of a second.
    attempts: list[tuple[float, str, bool]] = [
        (at(1000), "plain", True),
        (at(1400), "plain", True),
        (at(1400), "sharpen", True),  # blurred scans and photos
        (at(2600), "plain", False),
        (at(700), "plain", True),
        (at(1800), "binarise", False),
    ]
    seen: dict[str, _Code] = {}
    for scale, mode, aruco in attempts:
        small = _resize(img, scale)
        if mode == "sharpen":
            small = np.asarray(
                cv2.addWeighted(
                    small, 2.0, cv2.GaussianBlur(small, (0, 0), 2.0), -1.0, 0
                ),
                np.uint8,
            )
        elif mode == "binarise":
            small = np.asarray(
                cv2.adaptiveThreshold(
                    cv2.GaussianBlur(small, (3, 3), 0),
                    255,
                    cv2.ADAPTIVE_THRESH_MEAN_C,
                    cv2.THRESH_BINARY,
                    51,
                    10,
                ),
                np.uint8,
            )
        det = _qr_detector_aruco() if aruco else _qr_detector()
        for c in _decode_multi(small, scale, det):
            key = f"{c.payload.encode()}@{int(c.corners[0, 0]) // 50},{int(c.corners[0, 1]) // 50}"
            seen.setdefault(key, c)
        if seen:
            break
    return list(seen.values())


# --------------------------------------------------------------- registration


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
    img: GrayImage, page: PageLayout, code: _Code
) -> tuple[npt.NDArray[np.float64], float, int] | None:
    """Homography page-mm -> source px from the QR corners and the corner marks.
    Returns (H, worst residual in mm, marks found) or None."""
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
    fit, _ = cv2.findHomography(sp, dp, 0)
    if fit is None:
        return None
    hh: npt.NDArray[np.float64] = np.asarray(fit, np.float64)
    back = _apply_h(np.asarray(np.linalg.inv(hh), np.float64), dp)
    resid = float(np.max(np.linalg.norm(back - sp, axis=1)))
    return hh, resid, found


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


# ---------------------------------------------------------------- measuring


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
) -> tuple[float, float, float]:
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
    hides under it."""
    outer = box.inset(-2.8)
    d, e = _shifted(dark, explained, outer, dx, dy)
    ring = np.where(e, np.float32(-1.0), d)
    _blank_out(ring, outer, box.inset(-1.3))
    unprinted = ring >= 0
    vals = ring[unprinted]
    if vals.size < 50:
        return 0.0, 0.0, 0.0
    # Print counts as paper here: blurred text is broad, but explained.
    broad = cv2.morphologyEx(
        np.where(e, np.float32(0.0), d), cv2.MORPH_OPEN, _BROAD_KERNEL
    )
    shade = float(np.percentile(broad[unprinted], 75))
    fine = d - cv2.blur(d, (5, 5))
    noise = 1.4826 * float(np.median(np.abs(fine[unprinted])))
    return min(float(np.median(vals)), PAPER_CAP), shade, noise


_BROAD_KERNEL = cv2.getStructuringElement(
    cv2.MORPH_ELLIPSE, (int(1.5 * S) | 1, int(1.5 * S) | 1)
)

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
        local, shade, noise = _local_paper(dark, explained, o.box, dx, dy)
        mean = float(inner.mean()) - local if inner.size else 0.0
        ink = float((inner > STRONG).mean()) if inner.size else 0.0
        peak = float(np.percentile(smooth[sl], 98)) - local if inner.size else 0.0
        zone = Rect(
            o.column.x + 0.3,
            o.box.y - 2.6,
            o.column.w - 0.6,
            row.rect.y1 - 0.8 - (o.box.y - 2.6),
        )
        # A band anywhere in the column: ink outside the box may be shadow.
        shade = max(shade, _band_at(bands, zone, dx, dy))
        d, e = _shifted(dark, explained, zone, dx, dy)
        z = np.where(e, np.float32(0.0), np.maximum(d - 0.12, 0.0))
        # The box itself (its inside is measured above).
        _blank_out(z, zone, o.box.inset(-0.6))
        out.append(
            (o.code, mean, ink, float(z[z > 0].sum()) / (S * S), peak, shade, noise)
        )
    for k, dbox in enumerate(row.digit_boxes):
        sl = _sl(dbox.inset(inset), dx, dy)
        inner = dark[sl]
        mean = float(inner.mean()) if inner.size else 0.0
        ink = float((inner > STRONG).mean()) if inner.size else 0.0
        peak = float(np.percentile(smooth[sl], 98)) if inner.size else 0.0
        out.append((-1 - k, mean, ink, 0.0, peak, 0.0, 0.0))
    return out


def _clarity(x: float, lo: float, hi: float) -> float:
    """1 far from the doubtful band [lo, hi], 0.5 at its edge, < 0.5 inside."""
    if x <= lo:
        return min(1.0, 0.5 + 0.5 * (lo - x) / max(lo, 1e-6))
    if x >= hi:
        return min(1.0, 0.5 + 0.5 * (x - hi) / max(hi, 1e-6))
    mid = (lo + hi) / 2
    return 0.5 * abs(x - mid) / ((hi - lo) / 2)


def _below(x: float, lo: float) -> float:
    """1 at 0, 0.5 at ``lo``, falling to 0 at twice ``lo`` and beyond: the
    clarity of a measurement that is only ever doubtful upwards."""
    return min(1.0, max(0.0, 1.0 - 0.5 * x / max(lo, 1e-6)))


_DOUBT = {
    "faint": "faint mark",
    "ink_nearby": "ink near the box",
    "shadowed": "dark paper round the box: a shadow?",
}
_SEEN = {
    "marked": "marked",
    "circled": "label circled",
    "cancelled": "filled in",
}
"""How a reason names the other marks seen on an item that goes to a person."""


def _decide(
    row: ItemRow,
    measures: list[Measure],
    base: float,
    peak_base: float,
    th: Thresholds,
    registration_ok: bool,
    registration_reason: str,
    bilevel: bool = False,
) -> ItemReading:
    boxes: list[BoxReading] = []
    clar: list[float] = []
    for code, mean, ink, outside, peak, shade, noise in measures:
        d = mean - base
        faint_stroke = peak - peak_base >= th.faint_peak
        state: BoxState
        if shade >= th.shadow_paper:
            state = "shadowed"
        elif ink >= th.cancelled_ink and d >= th.cancelled_dark:
            state = "cancelled"
        elif (d >= th.marked and ink >= th.strong_ink) or (
            d >= th.faint and ink >= th.clear_ink
        ):
            state = "marked"
        elif d >= th.faint or faint_stroke:
            state = "faint"
        elif outside >= th.circle_mm2:
            state = "circled"
        elif outside >= th.nearby_mm2:
            state = "ink_nearby"
        else:
            state = "empty"
        c = _clarity(d, th.faint, th.marked)
        if faint_stroke and state not in ("marked", "cancelled"):
            c = min(c, 0.4)
        if state == "marked":
            ways = []
            if d >= th.marked and ink >= th.strong_ink:
                # Dark enough, and enough strong ink that it is not light pencil.
                ways.append(min(c, _clarity(ink, th.strong_ink, th.sure_ink)))
            if d >= th.faint and ink >= th.clear_ink:
                ways.append(_clarity(ink, th.strong_ink, th.clear_ink))
            c = max(ways)
            if ink < th.pencil_ink and peak - peak_base < th.pencil_peak:
                c = min(c, 0.45)
        if state in ("empty", "circled", "ink_nearby"):
            c = min(c, _clarity(outside, th.nearby_mm2, th.circle_mm2))
            if not bilevel and code >= 0:
                # (A black-and-white page has no faint smears: its speckle would
                # only send clear items to a person. Digit boxes for a written
                # number are not measured against the paper round them.)
                c = min(c, _clarity(peak - peak_base, th.doubt_peak, th.faint_peak))
                if noise >= th.noise_floor:
                    c = min(c, _below(peak / noise, th.doubt_noise))
        clar.append(c)
        boxes.append(
            BoxReading(code, round(d, 4), round(ink, 3), round(outside, 2), state)
        )
    conf = float(min(clar)) if clar else 0.0
    crop = row.rect

    def result(
        decision: Decision,
        code: int | None,
        reason: str,
        cands: tuple[int, ...] = (),
        force_person: bool = False,
    ) -> ItemReading:
        accepted = (
            decision in ("answer", "blank") and conf >= th.accept and not force_person
        )
        if decision in ("answer", "blank") and not force_person and not accepted:
            reason = reason.replace("one clear mark", "one mark")
            reason += ", but a measurement is close to a threshold: a person checks"
        return ItemReading(
            row.item_id,
            row.number,
            decision,
            code,
            round(conf, 3),
            not accepted,
            reason,
            crop,
            tuple(boxes),
            cands,
        )

    if row.kind == "write_in":
        inked = [b for b in boxes if b.state != "empty"]
        if not inked:
            return result("blank", None, "no number written")
        return result(
            "uncertain", None, "written number: a person reads it", force_person=True
        )
    if not registration_ok:
        seen = tuple(b.code for b in boxes if b.state != "empty")
        return result("uncertain", None, registration_reason, seen, force_person=True)
    marked: list[BoxReading] = [b for b in boxes if b.state in ("marked", "circled")]
    cancelled = [b for b in boxes if b.state == "cancelled"]
    doubtful = [b for b in boxes if b.state in ("faint", "ink_nearby", "shadowed")]
    cands = tuple(b.code for b in boxes if b.state != "empty")
    if doubtful:
        # Name every mark seen, not only the doubtful ones: the person weighs a faint
        # mark against a clear one beside it.
        what = ", ".join(f"{b.code} ({_DOUBT[b.state]})" for b in doubtful)
        others = [b for b in boxes if b.state in _SEEN]
        if others:
            what += "; also seen: " + ", ".join(
                f"{b.code} ({_SEEN[b.state]})" for b in others
            )
        return result("uncertain", None, f"not clear: {what}", cands, force_person=True)
    if len(marked) == 1 and (not cancelled or marked[0].state == "marked"):
        reason = "one clear mark"
        if marked[0].state == "circled":
            reason = "label circled"
        if cancelled:
            reason += f"; filled box{'es' if len(cancelled) > 1 else ''} "
            reason += ", ".join(str(b.code) for b in cancelled) + " read as crossed out"
            conf = min(conf, 0.9)
        return result("answer", marked[0].code, reason, cands)
    if not marked and len(cancelled) == 1:
        return result("answer", cancelled[0].code, "one filled box", cands)
    if not marked and not cancelled:
        if bilevel:
            return result("blank", None, BILEVEL_BLANK, force_person=True)
        return result("blank", None, "no mark")
    return result(
        "multiple",
        None,
        "more than one box marked: " + ", ".join(str(c) for c in cands),
        cands,
    )


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
    blank item goes to a person (see :data:`BILEVEL_BLANK`)."""
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
    dark = _normalise(aligned)
    ref, explained = _reference(page)
    inset = style_for(_variant_of(page)).inset
    reg_ok = registration_mm <= thresholds.registration_mm
    reg_reason = f"page registration uncertain ({registration_mm:.1f} mm)"
    smooth = np.asarray(cv2.blur(dark, (3, 3)), np.float32)
    bands = _bands(dark, page, thresholds.shadow_paper)
    per_row: list[tuple[ItemRow, list[Measure], float]] = []
    for row in page.items:
        dx, dy, match = _row_shift(dark, ref, row)
        if match < thresholds.row_match:
            dx = dy = 0.0
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
                (c, mean, ink, max(0.0, o - out_base), pk, sh, nz)
                for c, mean, ink, o, pk, sh, nz in ms
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
        items.append(_decide(row, ms, base, peak_base, thresholds, ok, reason, bilevel))
    return tuple(items), (aligned if keep_image else None)


def _variant_of(page: PageLayout) -> Variant:
    p = parse_payload(page.payload)
    return p.variant if p else "standard"


def _rotation(h: npt.NDArray[np.float64]) -> int:
    a, b = _apply_h(h, np.array([[0.0, 0.0], [100.0, 0.0]]))
    ang = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))
    return round(ang) % 360


BILEVEL_BLANK = (
    "no mark seen, but this page is black and white only (a photocopy or a 1-bit "
    "scan), where light pencil can vanish: check the paper"
)
"""Why a blank item on a black-and-white page goes to a person: a copier's or
scanner's threshold turns light pencil into white paper, so "no mark" cannot be
told from "a mark the copy lost" (benchmarks/README.md, photocopy)."""


def is_bilevel(img: GrayImage) -> bool:
    """True when the image is black and white only: almost no grey edges on ink.

    A grey scan or photo of a printed page draws every edge of print and ink in
    greys: pixels between 40 and 215 are over 20% of the pixels darker than 215
    (27-41% on clean 200-dpi renders, 22-35% at 300 dpi, more on photos). A
    thresholded copy has none, and under 15% after JPEG at quality 50 (a copy
    saved at lower quality is not recognised)."""
    mid = cv2.countNonZero(cv2.inRange(img, 41, 214))
    dark = cv2.countNonZero(cv2.inRange(img, 0, 40))
    return mid < 0.1 * max(1, mid + dark)


def _is_blank(img: GrayImage) -> bool:
    small = _resize(img, min(1.0, 800.0 / max(img.shape)))
    blur = cv2.GaussianBlur(small, (0, 0), 8)
    diff = blur.astype(np.int16) - small.astype(np.int16)
    return bool((diff > 40).mean() < 0.0015)


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
        reg = _register_from_code(img, page, code)
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
