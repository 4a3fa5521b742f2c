"""Finding the page (OMR step 1): which form an image holds, and what kind of image.

Every openproms QR code in the image is decoded (OpenCV; any rotation, upside down,
several per image) and its payload names the measure, variant, page and layout
fingerprint; :func:`page_layout_for` rebuilds the page and refuses one whose
fingerprint differs (never guess which form it is). :func:`is_bilevel` says whether
the image is black and white only, and :func:`_is_blank` whether anything is on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.inputs import GrayImage
from openproms.paper.layout import (
    LAYOUT_VERSION,
    FormContext,
    Layout,
    PageLayout,
    Payload,
    Variant,
    make_layout,
    parse_payload,
)
from openproms.paper.read_types import Resolver
from openproms.paper.words import split_form_key
from openproms.scoring import MeasureDefinition, get_measure
from openproms.scoring.errors import ScoringError, WordingNotAvailable
from openproms.scoring.translations import definition_translated, shipped_translation


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


#: (long side in px, preparation, ArUco-based detector): cheapest first; the
#: ArUco finder reads the code at about 1 000 px across a page in a few
#: hundredths of a second. The first to find a code ends the search.
ATTEMPTS: tuple[tuple[float, str, bool], ...] = (
    (1000, "plain", True),
    (1400, "plain", True),
    (1400, "sharpen", True),  # blurred scans and photos
    (2600, "plain", False),
    (700, "plain", True),
    (1800, "binarise", False),
)
#: Tried only when every attempt above finds nothing: a page lying small in a
#: photo of a checked or busy desk, its code about 2 px a module at 1 400 px
#: (the ArUco finder reads it at 1 800-2 200 px, where the plain finder is lost
#: among the desk's squares). Pages read before are read exactly as before.
LAST_RESORT: tuple[tuple[float, str, bool], ...] = (
    (1800, "plain", True),
    (2200, "plain", True),
)


def find_codes(img: GrayImage) -> list[_Code]:
    """Decode every openproms QR code in ``img``; tries several scales and a
    binarised copy before giving up (:data:`ATTEMPTS`, then :data:`LAST_RESORT`)."""
    long_side = float(max(img.shape))

    def at(px: float) -> float:
        return min(1.0, px / long_side)

    attempts: list[tuple[float, str, bool]] = [
        (at(px), mode, aruco) for px, mode, aruco in ATTEMPTS + LAST_RESORT
    ]
    seen: dict[str, _Code] = {}
    resized: dict[float, GrayImage] = {}  # the same scale, resized once
    for n, (scale, mode, aruco) in enumerate(attempts):
        if (scale, mode, aruco) in attempts[:n]:
            continue  # the same search on a small image: it found nothing
        if scale not in resized:
            resized[scale] = _resize(img, scale)
        small = resized[scale]
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
