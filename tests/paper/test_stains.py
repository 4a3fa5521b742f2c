"""A stain dyes paper, print and pencil alike: light pencil under a coffee ring's
rim is as dark as strong ink on white paper. Strong ink is counted over the
stained paper round the box, so the pencil still goes to a person and a pen mark
under the same rim is still read (benchmarks/README.md, "Light pencil under a
coffee ring")."""

from __future__ import annotations

import numpy as np
import pytest

from openproms.paper import read_image
from openproms.scoring import get_measure

from .helpers import DPI, layout_for
from .test_read import _marked

ITEM, CODE = 4, 2  # the 5th PHQ-9 item, alone on its part of page 1


@pytest.fixture(scope="module")
def phq9():
    return layout_for(get_measure("phq9"))


def _under_a_ring(img, layout, rim, angle, radius_mm=40.0, inner_mm=2.0):
    """``img`` with a coffee ring's rim (``rim`` dark at its edge, fading over
    ``inner_mm`` inwards and 0.35 mm outwards) running through the middle of the
    item's box, the ring's centre at ``angle`` from it."""
    ppm = DPI / 25.4
    row = layout.page(1).items[ITEM]
    box = next(o for o in row.options if o.code == CODE).box
    cx = box.x + box.w / 2 - radius_mm * np.cos(angle)
    cy = box.y + box.h / 2 - radius_mm * np.sin(angle)
    ys, xs = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32) / ppm
    r = np.hypot(xs - cx, ys - cy) - radius_mm
    profile = np.where(
        r < 0, np.exp(-((r / inner_mm) ** 2)), np.exp(-((r / 0.35) ** 2))
    )
    return np.clip(img * (1 - rim * profile), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [0.0, 0.8, 1.6, 2.4, 3.1, 4.0, 4.7, 5.5])
@pytest.mark.parametrize("rim", [0.15, 0.3])
def test_light_pencil_under_a_rim_goes_to_a_person(phq9, rim, angle):
    # (Before the stain was allowed for, 9 of these 16 rims read the pencil as
    # a clear mark, on at least one of the three ticks.)
    for seed in range(3):
        img = _marked(phq9, [(ITEM, CODE, "light_pencil")], seed=seed)
        [reading] = read_image(_under_a_ring(img, phq9, rim, angle))
        item = reading.items[ITEM]
        assert item.needs_person, (seed, item.reason)


@pytest.mark.parametrize("angle", [1.6, 3.1])  # the rim along the row, or across it
@pytest.mark.parametrize("style", ["tick", "cross", "slash", "fill"])
def test_a_pen_mark_under_the_same_rim_is_read(phq9, style, angle):
    img = _marked(phq9, [(ITEM, CODE, style)], seed=1)
    [reading] = read_image(_under_a_ring(img, phq9, 0.3, angle))
    item = reading.items[ITEM]
    assert (item.decision, item.code, item.needs_person) == ("answer", CODE, False)
