"""Paper as it really arrives, for tests and the benchmark: folded for the post,
stained, faxed, photographed on a desk, written on, torn and stapled.

Each function takes an upright page image (grey, 0-255, the whole A4 page; its
pixels per millimetre are taken from its width) and a seeded generator, and models
how the damage happens, not what it looks like to the reader (docs/paper.md, "Test
support", says how each is built). Nothing here is used when reading real scans;
:data:`openproms.paper.simulate.SCENARIOS` names the combinations.
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.layout import PAGE_W
from openproms.paper.marks import Pen, scale_mapping
from openproms.paper.simulate_capture import (
    _scaled,
    _smooth_field,
    blur,
    jpeg,
    keystone,
    light,
    noise,
    phone,
    resample,
    rotate,
    shadow,
)

GrayImage = npt.NDArray[np.uint8]
FloatImage = npt.NDArray[np.float32]
Corner = Literal["tl", "tr", "bl", "br"]


def _ppm(img: GrayImage) -> float:
    """Pixels per millimetre of an upright A4 page image."""
    return float(img.shape[1]) / PAGE_W


def _wobble(n: int, rng: np.random.Generator, amp: float, period: float) -> FloatImage:
    """A smooth 1-D wobble of ``n`` samples: three sines of about ``period``
    samples, ``amp`` at most."""
    t = np.arange(n, dtype=np.float32)
    out = np.zeros(n, np.float32)
    for _ in range(3):
        p = period * float(rng.uniform(0.4, 1.6))
        out += np.sin(2 * np.pi * t / p + rng.uniform(0, 2 * np.pi)).astype(np.float32)
    out *= amp / 3.0
    return out


def _fall(x: FloatImage) -> FloatImage:
    """1 / (1 + e^x) without overflow: 1 well below 0, 0 well above."""
    out: FloatImage = (0.5 * (1.0 - np.tanh(0.5 * x))).astype(np.float32)
    return out


# ------------------------------------------------------------------ folds


def fold(
    img: GrayImage,
    rng: np.random.Generator,
    at: tuple[float, ...],
    *,
    photo: bool = False,
) -> GrayImage:
    """A page folded across its width at the fractions ``at`` of its height (letter
    fold: (1/3, 2/3); in half: (1/2,)), then opened and scanned (or, with
    ``photo``, laid open to be photographed; see :func:`folded_photo`).

    Each crease lies within 3 mm of where it was meant, up to 0.8 degrees off
    square, and wanders by a fraction of a millimetre. The paper does not lie flat
    across a crease: it rises into a low tent a few millimetres wide, so there
    (on a flatbed, whose depth of field is shallow) the page is out of focus and
    darker, lit a little more on the lamp's side than the other, and the panels on
    either side are seen slightly shifted and turned against each other (0.2-0.8
    mm, up to 0.3 degrees; up to 1.5 mm and 0.5 degrees for a photo). The crease
    itself is a thin broken dark line where the fibres were crushed.
    """
    h, w = img.shape
    ppm = _ppm(img)
    q = 4  # displacement and light vary over millimetres: a quarter grid is enough
    sh, sw = max(2, h // q), max(2, w // q)
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
    ys, xs = ys * q, xs * q
    disp_x = np.zeros((sh, sw), np.float32)
    disp_y = np.zeros((sh, sw), np.float32)
    panel_light = np.ones((sh, sw), np.float32)
    fine_x = np.arange(w, dtype=np.float32)
    creases: list[tuple[FloatImage, float, float, float]] = []
    for frac in at:
        y0 = frac * h + float(rng.uniform(-3, 3)) * ppm
        slope = math.tan(math.radians(float(rng.uniform(-0.8, 0.8))))
        wob = _wobble(w, rng, float(rng.uniform(0.1, 0.4)) * ppm, 60 * ppm)
        line = y0 + (fine_x - w / 2) * slope + wob
        tent = float(rng.uniform(2.5, 7.0)) * ppm * (1.6 if photo else 1.0)
        creases.append((line, tent, slope, y0))
        # The panel below is seen shifted and turned (its top edge follows the
        # crease): a smooth step across the tent.
        shift = float(rng.uniform(0.2, 0.8)) * (1.9 if photo else 1.0) * ppm
        along = float(rng.normal(0, 0.3)) * (1.9 if photo else 1.0) * ppm
        turn = math.radians(float(rng.uniform(-0.3, 0.3)) * (1.7 if photo else 1.0))
        d = ys - (y0 + (xs - w / 2) * slope)
        below = 0.5 * (1 + np.tanh(d / tent))
        disp_x += below * (along - (ys - y0) * turn)
        disp_y += below * (shift + (xs - w / 2) * turn)
        if photo:
            # The panel below faces the light at another angle: a step in its
            # brightness, sharp at the crease.
            step = float(rng.uniform(0.03, 0.12)) * rng.choice([-1.0, 1.0])
            panel_light += step * 0.5 * (1 + np.tanh(d / (0.5 * ppm)))
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    map_x = gx + _smooth_field((h, w), disp_x)
    map_y = gy + _smooth_field((h, w), disp_y)
    out = np.asarray(
        cv2.remap(
            img,
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=255,
        ),
        np.uint8,
    )
    del gx, gy, map_x, map_y
    if photo:
        panel_light /= panel_light.max()
        out = _scaled(out, _smooth_field((h, w), panel_light))
    lamp = 1.0 if rng.random() < 0.5 else -1.0  # which side the light comes from
    for line, tent, _slope, _y0 in creases:
        lo = max(0, int(line.min() - 4 * tent))
        hi = min(h, int(line.max() + 4 * tent) + 1)
        if hi <= lo:
            continue
        rows = np.arange(lo, hi, dtype=np.float32)[:, None]
        d = rows - line[None, :]
        g = np.exp(-((d / tent) ** 2))
        band = out[lo:hi].astype(np.float32)
        if not photo:
            soft = cv2.GaussianBlur(band, (0, 0), float(rng.uniform(1.2, 2.5)))
            band = band * (1 - g) + soft * g
        depth = float(rng.uniform(0.04, 0.14)) * (0.6 if photo else 1.0)
        side = float(rng.uniform(0.02, 0.07)) * (2.0 if photo else 1.0)
        factor = 1.0 - depth * g + lamp * side * (d / tent) * g * 1.6
        width = float(rng.uniform(0.12, 0.3)) * ppm
        crush = float(rng.uniform(0.1, 0.35))
        broken = np.clip(0.6 + _wobble(w, rng, 0.8, 15 * ppm), 0.0, 1.0)
        factor -= crush * broken[None, :] * np.exp(-((d / width) ** 2))
        out[lo:hi] = _scaled(
            np.clip(band, 0, 255).astype(np.uint8), factor.astype(np.float32)
        )
    return out


def folded_photo(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """A page folded in thirds for the post, opened on a table and photographed
    with a phone: the panels do not lie in one plane, so each faces the light at
    its own angle and is seen shifted and turned against the next, and the
    creases show as steps of light; then the photo of a typical phone
    (:func:`~openproms.paper.simulate_capture.phone`, severity 2)."""
    return phone(fold(img, rng, (1 / 3, 2 / 3), photo=True), rng, 2)


# ------------------------------------------------------------------ stains


def _stain_layer(
    shape: tuple[int, int], q: int
) -> tuple[FloatImage, FloatImage, FloatImage]:
    h, w = shape
    sh, sw = max(2, h // q), max(2, w // q)
    ys, xs = np.mgrid[0:sh, 0:sw].astype(np.float32)
    return ys * q, xs * q, np.zeros((sh, sw), np.float32)


def coffee_ring(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """A coffee cup put down on the page once or twice: a ring the size of a mug's
    base (70-90 mm across), darkest at its sharp outer edge, where the coffee's
    solids gather as it dries, fading inwards, broken where the cup's rim was
    dry, over a faint tint; and a drip or two. The stain darkens print and paper
    alike (a dye in the paper)."""
    h, w = img.shape
    ppm = _ppm(img)
    q = 2
    ys, xs, dark = _stain_layer((h, w), q)
    cx = float(rng.uniform(30, 180)) * ppm
    cy = float(rng.uniform(40, 260)) * ppm
    for ring in range(1 + int(rng.random() < 0.4)):
        r0 = float(rng.uniform(35, 45)) * ppm
        ox, oy = (0.0, 0.0) if ring == 0 else tuple(rng.uniform(-25, 25, 2) * ppm)
        squash = float(rng.uniform(0.94, 1.0))
        dx, dy = xs - (cx + ox), (ys - (cy + oy)) / squash
        r = np.sqrt(dx * dx + dy * dy)
        theta = np.arctan2(dy, dx)
        along = np.zeros_like(theta)
        for f in (1, 2, 3, 5):
            along += np.cos(f * theta + rng.uniform(0, 2 * np.pi)) / f
        strength = np.clip(0.55 + 0.45 * along, 0.0, 1.0)
        rim = float(rng.uniform(0.15, 0.35))
        inner_w = float(rng.uniform(1.0, 3.0)) * ppm
        outer_w = 0.35 * ppm
        prof = np.where(
            r < r0,
            np.exp(-(((r - r0) / inner_w) ** 2)),
            np.exp(-(((r - r0) / outer_w) ** 2)),
        )
        tint = float(rng.uniform(0.01, 0.05)) * _fall((r - r0) / (0.5 * ppm))
        np.maximum(dark, (rim * prof * strength + tint).astype(np.float32), out=dark)
    for _ in range(int(rng.integers(0, 3))):
        a = float(rng.uniform(0, 2 * np.pi))
        dist = float(rng.uniform(45, 70)) * ppm
        rr = float(rng.uniform(1.5, 4.0)) * ppm
        d = np.hypot(xs - cx - dist * math.cos(a), ys - cy - dist * math.sin(a))
        blob = float(rng.uniform(0.08, 0.2)) * _fall((d - rr) / (0.3 * ppm))
        np.maximum(dark, blob.astype(np.float32), out=dark)
    factor = 1.0 - _smooth_field((h, w), dark)
    return _scaled(img, factor)


def water_stain(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """Water spilt on the page and dried: an irregular patch 40-110 mm across whose
    edge leaves one to three tide lines (the dirt the water carried, left where it
    stopped at each stage of drying), the paper inside a little darker, and the
    ink inside slightly feathered (wet ink spreads into the fibres)."""
    h, w = img.shape
    ppm = _ppm(img)
    q = 2
    ys, xs, _ = _stain_layer((h, w), q)
    sh, sw = xs.shape
    cx = float(rng.uniform(30, 180)) * ppm
    cy = float(rng.uniform(40, 260)) * ppm
    size = float(rng.uniform(20, 55)) * ppm
    # An irregular shape: the distance from the centre bent by smooth noise.
    cells = rng.standard_normal((8, 6)).astype(np.float32)
    bend = cv2.resize(cells, (sw, sh), interpolation=cv2.INTER_CUBIC)
    field = np.hypot(xs - cx, ys - cy) / size + 0.25 * bend
    inside = _fall((field - 1.0) / 0.01)
    dark = float(rng.uniform(0.005, 0.03)) * inside
    for k in range(int(rng.integers(1, 4))):
        level = 1.0 - 0.12 * k
        line = np.exp(
            -(((field - level) * size / (float(rng.uniform(0.3, 0.9)) * ppm)) ** 2)
        )
        dark = np.maximum(dark, float(rng.uniform(0.05, 0.14)) * line)
    wet = _smooth_field((h, w), inside.astype(np.float32))
    feathered = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.5, 1.0)))
    mixed = img.astype(np.float32) * (1 - wet) + feathered.astype(np.float32) * wet
    factor = 1.0 - _smooth_field((h, w), dark.astype(np.float32))
    return _scaled(np.clip(mixed, 0, 255).astype(np.uint8), factor)


# --------------------------------------------------------------------- fax


def fax(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """A page sent by fax and received as an image.

    The sending machine pulls the page through at a slight skew and scans it at
    standard resolution (8 dots/mm across, 3.85 lines/mm down: 204 x 98 dpi),
    thresholding each dot to black or white (light pencil vanishes; grey print
    may break up). Dirt on its scanning glass draws a black streak down the page
    (in one page in two), and line errors in transmission lose a few scan lines
    (the rest of the page moves up) or repeat the last good line. The receiving
    machine adds its header line at the top, and the received file, at 98 dpi
    down, is shown with square pixels (every other dot across dropped): 1-bit,
    about 100 dpi.
    """
    ppm = _ppm(img)
    skewed = rotate(img, float(rng.uniform(-1.5, 1.5)))
    h, w = skewed.shape
    fx, fy = 8.0 / ppm, 3.85 / ppm
    sent = cv2.resize(
        skewed, (round(w * fx), round(h * fy)), interpolation=cv2.INTER_AREA
    )
    bits = np.where(sent < float(rng.uniform(115, 150)), 0, 255).astype(np.uint8)
    hh, ww = bits.shape
    if rng.random() < 0.5:
        x = int(rng.integers(ww // 10, ww - ww // 10))
        bits[:, x : x + int(rng.integers(2, 4))] = 0
    lines = [bits[i] for i in range(hh)]
    for _ in range(int(rng.integers(1, 5))):
        at = int(rng.integers(hh // 8, hh - 8))
        n = int(rng.integers(1, 5))
        if rng.random() < 0.5:
            del lines[at : at + n]
        else:
            lines[at : at + n] = [lines[at - 1].copy() for _ in range(n)]
    received = np.full((hh, ww), 255, np.uint8)
    got = np.stack(lines[:hh])
    received[: len(got)] = got
    # The receiver's header: a line of small text 2-5 mm from the top.
    top, cell = round(2.0 * 3.85), 8
    for x in range(16, int(ww * 0.8), cell):
        if rng.random() < 0.8:
            received[top : top + round(2.5 * 3.85), x : x + cell - 3] = 0
    speck = rng.random(received.shape) < 0.0004
    received[speck] = 0
    out: GrayImage = np.ascontiguousarray(received[:, ::2])
    return out


# --------------------------------------------------------------- desk photo


def _desk(shape: tuple[int, int], rng: np.random.Generator, ppm: float) -> GrayImage:
    """A desk seen from above: wood grain, a checked cloth, or a cluttered desk
    (other papers with lines of text, a pen, a mug)."""
    h, w = shape
    kind = int(rng.integers(3))
    if kind == 0:
        # Wood: grain lines along the board, bent and of varying darkness.
        small_h, small_w = max(2, h // 4), max(2, w // 4)
        ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
        bend = 6 * np.sin(xs / float(rng.uniform(40, 90)) + rng.uniform(0, 6))
        grain = np.sin((ys + bend) / float(rng.uniform(1.5, 4.0)))
        base = float(rng.uniform(90, 150))
        field = base + float(rng.uniform(12, 30)) * grain
        desk = cv2.resize(field.astype(np.float32), (w, h))
    elif kind == 1:
        # A checked cloth (gingham): squares 8-20 mm in two greys, softly woven.
        sq = float(rng.uniform(8, 20)) * ppm
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        a = (np.floor(xs / sq) % 2).astype(np.float32)
        b = (np.floor(ys / sq) % 2).astype(np.float32)
        desk = 200 - 55 * (a + b)
        desk = cv2.GaussianBlur(desk, (0, 0), 1.5)
    else:
        desk = np.full((h, w), float(rng.uniform(70, 120)), np.float32)
        for _ in range(int(rng.integers(2, 5))):
            sheet = np.zeros((h, w), np.uint8)
            cx, cy = float(rng.uniform(0, w)), float(rng.uniform(0, h))
            sw_, sh_ = 210 * ppm * float(rng.uniform(0.5, 1.0)), 297 * ppm * 0.6
            box = cv2.boxPoints(((cx, cy), (sw_, sh_), float(rng.uniform(-40, 40))))
            cv2.fillPoly(sheet, [box.astype(np.int32)], 1)
            desk[sheet > 0] = float(rng.uniform(195, 240))
            # Lines of text on it.
            text = np.zeros((h, w), np.uint8)
            for k in range(int(sh_ / (6 * ppm))):
                y = cy - sh_ / 2 + (k + 1) * 6 * ppm
                pts = np.array(
                    [[cx - sw_ * 0.4, y], [cx + sw_ * float(rng.uniform(0, 0.4)), y]],
                    np.int32,
                )
                cv2.polylines(text, [pts], False, 1, max(1, round(1.6 * ppm)))
            desk[(text > 0) & (sheet > 0)] = 60
        # A pen and a mug.
        p0 = rng.uniform(0, 1, 2) * (w, h)
        a = float(rng.uniform(0, np.pi))
        p1 = p0 + 140 * ppm * np.array([math.cos(a), math.sin(a)])
        cv2.line(
            desk,
            tuple(int(v) for v in p0),
            tuple(int(v) for v in p1),
            float(rng.uniform(20, 60)),
            round(8 * ppm),
        )
        c = tuple(int(v) for v in rng.uniform(0, 1, 2) * (w, h))
        cv2.circle(desk, c, round(40 * ppm), float(rng.uniform(30, 80)), -1)
        cv2.circle(desk, c, round(30 * ppm), float(rng.uniform(120, 180)), -1)
    grain = rng.standard_normal((h, w), dtype=np.float32) * 6
    out: GrayImage = np.clip(np.asarray(desk, np.float32) + grain, 0, 255).astype(
        np.uint8
    )
    return out


def desk_photo(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """A phone photo of a page lying on a patterned or cluttered desk, taken from
    further away than a careful photo (the page fills only half to two thirds of
    the frame): perspective, rotation, uneven light and a soft shadow, blur,
    sensor noise and JPEG as a typical phone photo, and about 160 dpi on the
    page."""
    h, w = img.shape
    ppm = _ppm(img)
    m = float(rng.uniform(0.18, 0.3))
    mx, my = int(w * m), int(h * m)
    canvas = _desk((h + 2 * my, w + 2 * mx), rng, ppm)
    canvas[my : my + h, mx : mx + w] = img
    out = keystone(canvas, 0.06 * rng.choice([-1, 1]), bg=90, margin=0.02)
    out = rotate(out, float(rng.uniform(-8, 8)), bg=90)
    out = light(out, rng, 0.4)
    out = shadow(out, rng, 0.35, 40)
    out = blur(resample(out, 0.8), 1.1)
    out = noise(out, rng, 5)
    return jpeg(out, 70)


# ------------------------------------------------------------ written notes


def _handwriting(
    pen: Pen,
    start: tuple[float, float],
    length: float,
    angle: float,
    rng: np.random.Generator,
    *,
    x_height: float,
    width: float,
    level: float,
) -> None:
    """A line of joined-up handwriting from ``start`` (mm) along ``angle``
    (radians): words of loops of ``x_height``, some with ascenders or descenders,
    a pen lift between words."""
    ca, sa = math.cos(angle), math.sin(angle)
    pos = 0.0
    while pos < length:
        word = min(length - pos, float(rng.uniform(6, 20)))
        pts: list[tuple[float, float]] = []
        t = 0.0
        phase = float(rng.uniform(0, 2 * np.pi))
        while t <= word:
            letter = float(rng.uniform(1.4, 2.4))
            tall = 2.2 if rng.random() < 0.2 else (-1.2 if rng.random() < 0.1 else 1.0)
            for s in np.linspace(0, 1, 7):
                u = pos + t + s * letter
                v = -x_height * tall * (0.5 - 0.5 * math.cos(2 * np.pi * s + phase))
                v += float(rng.normal(0, 0.08))
                pts.append((start[0] + u * ca - v * sa, start[1] + u * sa + v * ca))
            t += letter
        pen.stroke(pts, width, level)
        pos += word + float(rng.uniform(2.0, 4.0))


def written_notes(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """Notes a person or a worker wrote on the form: one or two lines across the
    header (over the organisation and the measure's title, left of the QR code),
    and lines down the left or right margin, as people turn the page to use the
    space; in pen (black or blue; darkness 0.55-0.9, 0.3-0.6 mm wide). No note
    crosses an answer box."""
    ppm = _ppm(img)
    pen = Pen(img.shape, scale_mapping(ppm), ppm)
    style = {
        "x_height": float(rng.uniform(1.8, 3.0)),
        "width": float(rng.uniform(0.3, 0.6)),
        "level": float(rng.uniform(0.55, 0.9)),
    }
    for k in range(int(rng.integers(1, 3))):
        y = float(rng.uniform(14, 30)) + 7 * k
        x0 = float(rng.uniform(22, 50))
        _handwriting(
            pen,
            (x0, y),
            float(rng.uniform(50, 150 - x0)),
            math.radians(float(rng.uniform(-4, 4))),
            rng,
            **style,
        )
    if rng.random() < 0.8:
        # Down the left margin, written with the page turned (reads bottom to top).
        y0 = float(rng.uniform(150, 265))
        _handwriting(
            pen,
            (float(rng.uniform(11, 16)), y0),
            float(rng.uniform(50, y0 - 30)),
            -math.pi / 2,
            rng,
            **style,
        )
    if rng.random() < 0.6:
        # Down the right margin, below the QR code.
        y0 = float(rng.uniform(60, 120))
        _handwriting(
            pen,
            (float(rng.uniform(196, 199)), y0),
            float(rng.uniform(40, 265 - y0)),
            math.pi / 2,
            rng,
            **style,
        )
    page = (img.astype(np.float32) / 255.0).astype(np.float32)
    out: GrayImage = np.clip(pen.apply(page) * 255.0, 0, 255).astype(np.uint8)
    return out


# ------------------------------------------------------- torn and stapled


def tear_corner(
    img: GrayImage,
    rng: np.random.Generator,
    corner: Corner | None = None,
    along_mm: tuple[float, float] | None = None,
) -> GrayImage:
    """A corner torn off, scanned on a flatbed: the tear runs from one edge to the
    other ``along_mm`` (across, down) from the corner (15-45 mm each unless
    given), ragged; beyond it the scanner's lid shows (white, a grey backing, or
    black with the lid open); the torn edge, a little raised, casts a thin shadow
    on the lid side, and shows a rim of white fibres on the paper side."""
    h, w = img.shape
    ppm = _ppm(img)
    if corner is None:
        corner = ("tl", "tr", "bl", "br")[int(rng.integers(4))]
    a, b = along_mm if along_mm is not None else tuple(rng.uniform(15, 45, 2))
    sx = 1 if corner in ("tl", "bl") else -1
    sy = 1 if corner in ("tl", "tr") else -1
    ox, oy = (0.0 if sx > 0 else w - 1.0), (0.0 if sy > 0 else h - 1.0)
    # A ragged path from (a, 0) to (0, b) in corner coordinates (mm).
    n = 40
    pts = []
    for i in range(n + 1):
        t = i / n
        u, v = a * (1 - t), b * t
        j = float(rng.normal(0, 0.6)) if 0 < i < n else 0.0
        nx, ny = b / math.hypot(a, b), a / math.hypot(a, b)
        pts.append((u + j * nx, v + j * ny))
    poly = [(ox + sx * u * ppm, oy + sy * v * ppm) for u, v in pts]
    poly += [(ox, oy)]
    gone = np.zeros((h, w), np.uint8)
    cv2.fillPoly(gone, [np.round(np.array(poly)).astype(np.int32)], 1)
    lid = (245.0, 160.0, 35.0)[int(rng.choice(3, p=[0.6, 0.2, 0.2]))]
    out = img.copy()
    out[gone > 0] = np.clip(
        lid + rng.standard_normal(int(gone.sum()), dtype=np.float32) * 2, 0, 255
    ).astype(np.uint8)
    edge = np.array([(ox + sx * u * ppm, oy + sy * v * ppm) for u, v in pts])
    rim = np.zeros((h, w), np.uint8)
    cv2.polylines(
        rim, [np.round(edge).astype(np.int32)], False, 1, max(1, round(0.8 * ppm))
    )
    fibres = (rim > 0) & (gone == 0)
    out[fibres] = np.maximum(out[fibres], 250)
    shade = (rim > 0) & (gone > 0)
    out[shade] = (out[shade].astype(np.float32) * 0.7).astype(np.uint8)
    return out


def staple(img: GrayImage, rng: np.random.Generator) -> GrayImage:
    """Pages stapled at the top left corner and scanned still stapled, or with the
    staple pulled out. A staple: a 12 mm metal crown at about 45 degrees 6-14 mm
    from both edges, dark with a bright line where it catches the lamp; the
    paper round it puckered into short creases. Pulled out (one in three): two
    holes and a small tear between them."""
    ppm = _ppm(img)
    cx, cy = (float(v) * ppm for v in rng.uniform(6, 14, 2))
    a = math.radians(float(rng.uniform(30, 60)))
    half = 6.35 * ppm
    p0 = (cx - half * math.cos(a), cy + half * math.sin(a))
    p1 = (cx + half * math.cos(a), cy - half * math.sin(a))
    out = img.copy()
    for _ in range(int(rng.integers(2, 4))):
        # Puckers: short faint creases fanning out from the staple.
        ang = a + float(rng.uniform(-1.2, 1.2)) + math.pi / 2
        ln = float(rng.uniform(8, 25)) * ppm
        q = (cx + ln * math.cos(ang), cy + ln * math.sin(ang))
        cv2.line(
            out,
            (int(cx), int(cy)),
            (int(q[0]), int(q[1])),
            float(rng.uniform(200, 235)),
            max(1, round(0.3 * ppm)),
            cv2.LINE_AA,
        )
    pi0 = (int(p0[0]), int(p0[1]))
    pi1 = (int(p1[0]), int(p1[1]))
    if rng.random() < 1 / 3:
        r = max(1, round(0.5 * ppm))
        cv2.circle(out, pi0, r, 40, -1)
        cv2.circle(out, pi1, r, 40, -1)
        cv2.line(out, pi0, pi1, 120, 1, cv2.LINE_AA)
    else:
        cv2.line(out, pi0, pi1, float(rng.uniform(30, 80)), max(2, round(0.8 * ppm)))
        cv2.line(out, pi0, pi1, 235, 1, cv2.LINE_AA)
    return out
