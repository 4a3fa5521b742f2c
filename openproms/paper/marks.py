"""Pen marks drawn procedurally onto page images, for tests and the benchmark.

Marks are drawn in page millimetres through a mapping to pixels, with jitter, as
ink that darkens the page multiplicatively (like real ink on paper). Styles:

* ``fill`` - the box filled in (pen or marker);
* ``tick``, ``cross``, ``slash`` - in three sizes, some overrunning the box;
* ``circle`` - a loop round the box and its label;
* ``light_pencil`` - a tick or cross at darkness 0.10-0.30;
* ``cancel`` - a box scribbled out completely (the form's way to change an
  answer: "fill the wrong box in completely and mark the right one").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from openproms.paper.layout import ItemRow, OptionBox, Rect

MarkStyle = Literal[
    "fill", "tick", "cross", "slash", "circle", "light_pencil", "cancel"
]
MARK_STYLES: tuple[MarkStyle, ...] = (
    "fill",
    "tick",
    "cross",
    "slash",
    "circle",
    "light_pencil",
)
"""Styles that mean "this is my answer" (``cancel`` means the opposite)."""

FloatImage = npt.NDArray[np.float32]
ToPixels = Callable[[float, float], tuple[float, float]]


def scale_mapping(px_per_mm: float) -> ToPixels:
    """The mm -> pixel mapping of an undistorted render."""
    return lambda x, y: (x * px_per_mm, y * px_per_mm)


class Pen:
    """Draws strokes on an ink layer, then applies it to a page image."""

    def __init__(
        self, shape: tuple[int, int], to_px: ToPixels, px_per_mm: float
    ) -> None:
        self.ink: FloatImage = np.zeros(shape, np.float32)
        self.to_px = to_px
        self.ppm = px_per_mm

    def _pts(self, pts: list[tuple[float, float]]) -> npt.NDArray[np.int32]:
        out = [self.to_px(x, y) for x, y in pts]
        return (np.array(out) * 16).round().astype(np.int32)

    def stroke(
        self, pts: list[tuple[float, float]], width_mm: float, level: float
    ) -> None:
        layer = np.zeros_like(self.ink)
        t = max(1, round(width_mm * self.ppm))
        cv2.polylines(layer, [self._pts(pts)], False, 1.0, t, cv2.LINE_AA, 4)
        np.maximum(self.ink, layer * level, out=self.ink)

    def polygon(self, pts: list[tuple[float, float]], level: float) -> None:
        layer = np.zeros_like(self.ink)
        cv2.fillPoly(layer, [self._pts(pts)], 1.0, cv2.LINE_AA, 4)
        np.maximum(self.ink, layer * level, out=self.ink)

    def apply(self, page: FloatImage) -> FloatImage:
        """Darken ``page`` (float, 1 = white) by the ink drawn so far."""
        out: FloatImage = (page * (1.0 - self.ink)).astype(np.float32)
        return out


def _jit(rng: np.random.Generator, s: float) -> float:
    return float(rng.normal(0, s))


def _ink_level(rng: np.random.Generator) -> float:
    """Black pen, blue pen or pencil grey, as darkness on white paper."""
    return float(rng.choice([0.92, 0.85, 0.65, 0.5]))


def draw_mark(
    pen: Pen,
    option: OptionBox,
    row: ItemRow,
    style: MarkStyle,
    rng: np.random.Generator,
) -> None:
    """Draw one mark of ``style`` on ``option`` (page mm, through ``pen``)."""
    b = option.box
    cx, cy = b.x + b.w / 2 + _jit(rng, 0.3), b.y + b.h / 2 + _jit(rng, 0.3)
    s = b.w
    width = float(rng.uniform(0.3, 1.0))
    level = _ink_level(rng)
    if style == "light_pencil":
        level = float(rng.uniform(0.10, 0.30))
        width = float(rng.uniform(0.3, 0.7))
        style = "tick" if rng.random() < 0.5 else "cross"
    size = s * float(rng.choice([0.75, 1.0, 1.35]))
    h = size / 2
    if style == "tick":
        p0 = (cx - h * 0.8 + _jit(rng, 0.2), cy + _jit(rng, 0.3))
        p1 = (cx - h * 0.2 + _jit(rng, 0.2), cy + h * 0.8 + _jit(rng, 0.2))
        p2 = (cx + h * 0.9 + _jit(rng, 0.3), cy - h * 1.0 + _jit(rng, 0.3))
        pen.stroke([p0, p1, p2], width, level)
    elif style == "cross":
        a = h * 0.85
        pen.stroke(
            [
                (cx - a + _jit(rng, 0.2), cy - a + _jit(rng, 0.2)),
                (cx + a + _jit(rng, 0.2), cy + a + _jit(rng, 0.2)),
            ],
            width,
            level,
        )
        pen.stroke(
            [
                (cx + a + _jit(rng, 0.2), cy - a + _jit(rng, 0.2)),
                (cx - a + _jit(rng, 0.2), cy + a + _jit(rng, 0.2)),
            ],
            width,
            level,
        )
    elif style == "slash":
        a = h * 0.85
        pen.stroke(
            [
                (cx + a + _jit(rng, 0.2), cy - a + _jit(rng, 0.2)),
                (cx - a + _jit(rng, 0.2), cy + a + _jit(rng, 0.2)),
            ],
            width,
            level,
        )
    elif style == "fill":
        # A filled box: a scribble covering most of the inside, in pen or marker.
        _scribble(pen, b, rng, level, coverage=float(rng.uniform(0.75, 0.98)))
    elif style == "cancel":
        _scribble(pen, b.inset(-0.3), rng, max(level, 0.8), coverage=1.0)
    elif style == "circle":
        col = option.column
        top = b.y - 1.6
        bottom = row.rect.y1 - 3.4
        ex, ey = col.x + col.w / 2, (top + bottom) / 2
        ax, ay = col.w / 2 - 0.6, (bottom - top) / 2
        start = float(rng.uniform(0, 2 * math.pi))
        sweep = 2 * math.pi * float(rng.uniform(1.02, 1.15))
        pts = [
            (
                ex + (ax + _jit(rng, 0.1)) * math.cos(start + t * sweep / 40),
                ey + (ay + _jit(rng, 0.1)) * math.sin(start + t * sweep / 40),
            )
            for t in range(41)
        ]
        pen.stroke(pts, width, level)
    else:
        raise ValueError(f"unknown mark style {style!r}")


def _scribble(
    pen: Pen, b: Rect, rng: np.random.Generator, level: float, coverage: float
) -> None:
    """Zig-zag strokes across ``b`` until about ``coverage`` of it is inked."""
    inner = b.inset(b.w * (1 - coverage) / 2)
    width = 0.9
    n = max(3, int(inner.h / (width * 0.7)))
    pts: list[tuple[float, float]] = []
    for k in range(n + 1):
        y = inner.y + inner.h * k / n
        x = inner.x if k % 2 == 0 else inner.x1
        pts.append((x + _jit(rng, 0.15), y + _jit(rng, 0.1)))
    pen.stroke(pts, width, level)
    pen.polygon(
        [
            (inner.x + 0.3, inner.y + 0.3),
            (inner.x1 - 0.3, inner.y + 0.3),
            (inner.x1 - 0.3, inner.y1 - 0.3),
            (inner.x + 0.3, inner.y1 - 0.3),
        ],
        level * float(rng.uniform(0.85, 1.0)),
    )


def draw_stray(pen: Pen, row: ItemRow, rng: np.random.Generator) -> None:
    """A small stray mark in the question text area (must not change a reading)."""
    x = float(rng.uniform(row.rect.x + 10, row.rect.x1 - 10))
    y = row.rect.y + 2.0 + float(rng.uniform(0, 3))
    pen.stroke(
        [(x, y), (x + float(rng.uniform(1, 4)), y + float(rng.uniform(-1, 1)))],
        0.4,
        0.8,
    )
