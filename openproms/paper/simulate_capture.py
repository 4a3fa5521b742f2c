"""Capture for tests and the benchmark: what scanners and phone cameras do to a
page (rotation, perspective, blur, JPEG, resampling, uneven light, shadows, sensor
noise, a copier's threshold, a photo on a table).

Everything is seeded by the caller's generator; nothing here is used when reading
real scans. :data:`openproms.paper.simulate.SCENARIOS` names the combinations.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

GrayImage = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float32]


def _affine(
    img: GrayImage, m: npt.NDArray[np.float64], size: tuple[int, int], bg: int
) -> GrayImage:
    out = cv2.warpAffine(
        img,
        m,
        size,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=bg,
    )
    return np.asarray(out, dtype=np.uint8)


def rotate(img: GrayImage, degrees: float, bg: int = 255) -> GrayImage:
    """Rotate about the centre, growing the canvas so nothing is cut off."""
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c), int(h * c + w * s)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return _affine(img, np.asarray(m, np.float64), (nw, nh), bg)


def rot90(img: GrayImage, k: int) -> GrayImage:
    out: GrayImage = np.ascontiguousarray(np.rot90(img, k))
    return out


def keystone(
    img: GrayImage, frac: float, bg: int = 255, margin: float = 0.06
) -> GrayImage:
    """Perspective: the top edge shorter than the bottom by ``frac`` of the width,
    on a canvas with a margin of background."""
    h, w = img.shape
    mx, my = int(w * margin), int(h * margin)
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    d = frac * w / 2
    dst = np.array(
        [[mx + d, my], [mx + w - d, my], [mx + w, my + h], [mx, my + h]], np.float32
    )
    m = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(
        img, m, (w + 2 * mx, h + 2 * my), borderMode=cv2.BORDER_CONSTANT, borderValue=bg
    )
    return np.asarray(out, dtype=np.uint8)


def blur(img: GrayImage, sigma_px: float) -> GrayImage:
    out = cv2.GaussianBlur(img, (0, 0), sigma_px)
    return np.asarray(out, dtype=np.uint8)


def motion_blur(img: GrayImage, length_px: int) -> GrayImage:
    k = np.zeros((length_px, length_px), np.float32)
    k[length_px // 2, :] = 1.0 / length_px
    out = cv2.filter2D(img, -1, k)
    return np.asarray(out, dtype=np.uint8)


def jpeg(img: GrayImage, quality: int) -> GrayImage:
    _ok, enc = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    out = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return np.asarray(out, dtype=np.uint8)


def resample(img: GrayImage, factor: float) -> GrayImage:
    out = cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.uint8)


def _smooth_field(shape: tuple[int, int], small: FloatImage) -> FloatImage:
    """A smooth field computed on a small grid, brought up to ``shape`` (light and
    shadow vary over centimetres: computing them per pixel only costs time)."""
    h, w = shape
    out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.asarray(out, np.float32)


def _scaled(img: GrayImage, factor: FloatImage) -> GrayImage:
    """``img`` times ``factor`` (overwritten), clipped to 0-255 and truncated."""
    factor *= img
    np.clip(factor, 0, 255, out=factor)
    return factor.astype(np.uint8)


def light(img: GrayImage, rng: np.random.Generator, strength: float) -> GrayImage:
    """Uneven light: a brightness gradient at a random angle plus a vignette."""
    h, w = img.shape
    sh, sw = max(2, h // 8), max(2, w // 8)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy, xx = (yy + 0.5) / sh, (xx + 0.5) / sw
    a = rng.uniform(0, 2 * np.pi)
    g = np.cos(a) * (xx - 0.5) + np.sin(a) * (yy - 0.5)
    r2 = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2) * 2
    f = 1.0 - strength * (0.5 + g) * 0.6 - strength * 0.4 * r2
    factor = _smooth_field((h, w), np.clip(f, 0.2, 1.0).astype(np.float32))
    return _scaled(img, factor)


def shadow(
    img: GrayImage, rng: np.random.Generator, depth: float, soft: float
) -> GrayImage:
    """A shadow (a hand or a phone) over part of the page: a polygon darkened by
    ``depth``, with edges softened by ``soft`` pixels."""
    h, w = img.shape
    x0 = rng.uniform(0.2, 0.7) * w
    pts = np.array(
        [
            [x0, 0],
            [x0 + rng.uniform(0.1, 0.4) * w, 0],
            [x0 + rng.uniform(-0.1, 0.5) * w, h],
            [x0 - rng.uniform(0.1, 0.3) * w, h],
        ],
        np.int32,
    )
    if soft > 0:
        # A soft edge: drawn and blurred at an eighth of the size (the blur spans
        # centimetres), then brought up to the page.
        small = np.zeros((max(2, h // 8), max(2, w // 8)), np.float32)
        cv2.fillPoly(small, [np.round(pts / 8).astype(np.int32)], 1.0)
        small = np.asarray(cv2.GaussianBlur(small, (0, 0), soft / 8), np.float32)
        mask = _smooth_field((h, w), small)
    else:
        mask = np.zeros((h, w), np.float32)
        cv2.fillPoly(mask, [pts], 1.0)
    mask *= -depth
    mask += 1.0
    return _scaled(img, mask)


def noise(img: GrayImage, rng: np.random.Generator, sigma: float) -> GrayImage:
    n = rng.standard_normal(img.shape, dtype=np.float32)
    n *= sigma
    n += img
    out: GrayImage = np.clip(n, 0, 255).astype(np.uint8)
    return out


def photocopy(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """Binarise (a copier's threshold) and add speckle."""
    b = np.where(img < 150, 0, 255).astype(np.uint8)
    speck = rng.random(img.shape) < 0.0015
    b[speck] = 0
    return b


def on_background(
    img: GrayImage, rng: np.random.Generator, margin: float = 0.08
) -> GrayImage:
    """Lay the page on a darker, textured table (as in a phone photo)."""
    h, w = img.shape
    mx, my = int(w * margin), int(h * margin)
    # The table's grain, drawn at half size (it is blurred over 3 pixels anyway).
    H, W = h + 2 * my, w + 2 * mx
    grain = rng.standard_normal(((H + 1) // 2, (W + 1) // 2), dtype=np.float32)
    grain *= 12
    grain += rng.uniform(60, 120)
    grain = np.asarray(cv2.GaussianBlur(grain, (0, 0), 1.5), np.float32)
    bg = np.asarray(cv2.resize(grain, (W, H), interpolation=cv2.INTER_LINEAR))
    bg[my : my + h, mx : mx + w] = img
    out: GrayImage = np.clip(bg, 0, 255).astype(np.uint8)
    return out


def phone(img: GrayImage, rng: np.random.Generator, severity: int = 1) -> GrayImage:
    """A phone photo: page on a table, perspective, a few degrees of rotation,
    uneven light and a soft shadow, slight blur, sensor noise, JPEG."""
    s = severity
    out = on_background(img, rng)
    out = keystone(
        out, (0.03, 0.06, 0.10)[s - 1] * rng.choice([-1, 1]), bg=90, margin=0.02
    )
    out = rotate(out, rng.uniform(-1, 1) * (2, 5, 10)[s - 1], bg=90)
    out = light(out, rng, (0.25, 0.4, 0.55)[s - 1])
    out = shadow(out, rng, (0.2, 0.35, 0.5)[s - 1], 40)
    out = blur(out, (0.8, 1.2, 1.6)[s - 1])
    out = noise(out, rng, (3, 5, 8)[s - 1])
    return jpeg(out, (85, 70, 55)[s - 1])
