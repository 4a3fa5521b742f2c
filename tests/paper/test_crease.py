"""Creases (read_crease): a fold's crease is recognised as a crease and taken out
of the page, while a mark along or across it stays."""

from __future__ import annotations

import numpy as np
import pytest

from openproms.paper import read_image
from openproms.paper.layout import PageLayout
from openproms.paper.read_align import (
    _normalise,
    _register_from_code,
    aligned_page,
)
from openproms.paper.read_crease import _nanmedian, find_creases, flatten_creases
from openproms.paper.read_find import find_codes, page_layout_for
from openproms.paper.read_types import S
from openproms.paper.simulate import SCENARIOS, filled_form
from openproms.paper.simulate_damage import fold
from openproms.scoring import get_measure

from .helpers import DPI, layout_for

W, H = round(210 * S), round(297 * S)


@pytest.fixture(scope="module")
def page1() -> PageLayout:
    return layout_for(get_measure("phq9")).page(1)


def _creased(y_mm: float, tilt: float = 0.004) -> tuple[np.ndarray, np.ndarray]:
    """Blank darkness at S px/mm with a crease at ``y_mm`` (mid-page): a broken
    line 0.25 dark, 2 px, in a tent 0.08 dark about 4 mm wide. Returns the image
    and the line's row per column."""
    xs = np.arange(W)
    line = y_mm * S + (xs - W / 2) * tilt
    rows = np.arange(H)[:, None]
    d = rows - line[None, :]
    tent = 0.08 * np.exp(-((d / (4 * S)) ** 2))
    broken = 0.7 + 0.3 * np.sin(xs / 40.0)
    crush = 0.25 * broken[None, :] * np.exp(-((d / 1.0) ** 2))
    return (tent + crush).astype(np.float32), line


def _box_of(page: PageLayout, item: int, code: int) -> tuple[slice, slice, float]:
    o = next(o for o in page.items[item].options if o.code == code)
    r = o.box.inset(0.6)
    ys = slice(round(r.y * S), round(r.y1 * S))
    return ys, slice(round(r.x * S), round(r.x1 * S)), (o.box.y + o.box.y1) / 2


def test_a_crease_across_the_page_is_recognised(page1):
    dark, _ = _creased(150.0)
    [(y0, slope)] = find_creases(dark, page1)
    assert abs(y0 + slope * W / 2 - 150.0 * S) <= 3
    assert abs(slope - 0.004) < 0.003


def test_a_crease_is_taken_out_of_the_boxes_it_crosses(page1):
    ys, xs, y = _box_of(page1, 3, 1)
    dark, _ = _creased(y)
    assert float(dark[ys, xs].max()) > 0.2
    flat = flatten_creases(dark, page1)
    assert float(np.percentile(flat[ys, xs], 98)) < 0.03


def test_a_crease_along_a_box_outline_is_taken_out_inside_the_box(page1):
    """The crease 0.6 mm inside a box's bottom outline: the paper just below the
    line is the outline's print, so the paper above it gives the level."""
    o = page1.items[3].options[1]
    ys, xs, _ = _box_of(page1, 3, 1)
    dark, _ = _creased(o.box.y1 - 0.6, tilt=0.0)
    # The printed outline below the line, as print is on the page.
    dark[round(o.box.y1 * S) : round(o.box.y1 * S) + 2, xs] = 0.8
    flat = flatten_creases(dark, page1)
    assert float(np.percentile(flat[ys, xs], 98)) < 0.05


@pytest.mark.parametrize("scenario", ["clean", "hard_shadow", "phone_typical"])
def test_pages_without_a_fold_have_no_crease(scenario):
    """Print, marks, shadows and a phone's light are not creases."""
    layout = layout_for(get_measure("phq9"))
    answers = {f"phq9_{k}": k % 4 for k in range(1, 8)}
    [img, _] = filled_form(layout, answers, dpi=DPI, rng=np.random.default_rng(3))
    img = SCENARIOS[scenario](img, np.random.default_rng(3))
    [code] = find_codes(img)
    page = page_layout_for(code.payload)
    reg = _register_from_code(img, page, code)
    assert reg is not None
    assert find_creases(_normalise(aligned_page(img, reg[0])), page) == []


def test_a_short_mark_in_a_box_on_the_crease_stays(page1):
    """Light pencil along the crease inside one box only (not on the paper either
    side): it is not part of the crease's profile, and stays dark enough to be
    seen."""
    ys, xs, y = _box_of(page1, 3, 1)
    dark, line = _creased(y)
    pencil = dark.copy()
    for x in range(xs.start, xs.stop):
        r = round(line[x])
        under = pencil[r - 2 : r + 3, x]
        pencil[r - 2 : r + 3, x] = 1 - (1 - under) * (1 - 0.22)
    flat = flatten_creases(pencil, page1)
    blank = flatten_creases(dark, page1)
    # The pencil keeps most of what it adds over the crease.
    kept = float((flat[ys, xs] - blank[ys, xs]).sum())
    added = float((pencil[ys, xs] - dark[ys, xs]).sum())
    assert kept >= 0.5 * added
    assert float(np.percentile(flat[ys, xs], 98)) > 0.1


def test_a_stroke_across_the_crease_stays(page1):
    ys, xs, y = _box_of(page1, 3, 1)
    dark, _ = _creased(y)
    slash = dark.copy()
    for i in range(ys.stop - ys.start):
        x = xs.start + i * (xs.stop - xs.start) // (ys.stop - ys.start)
        slash[ys.start + i, x : x + 3] = 0.5
    flat = flatten_creases(slash, page1)
    blank = flatten_creases(dark, page1)
    kept = float((flat[ys, xs] - blank[ys, xs]).sum())
    added = float((slash[ys, xs] - dark[ys, xs]).sum())
    assert kept >= 0.9 * added


@pytest.mark.parametrize("seed", range(4))
def test_pencil_along_a_fold_is_never_read_as_blank(page1, seed):
    """End to end: light pencil drawn along the middle of a box, the page folded
    there (the crease lands within 3 mm) and scanned: the item goes to a person
    or is read as that box, never as blank or another answer."""
    layout = layout_for(get_measure("phq9"))
    [img, _] = filled_form(layout, {}, dpi=DPI, rng=np.random.default_rng(seed))
    o = next(o for o in page1.items[3].options if o.code == 2)
    ppm = DPI / 25.4
    yc = (o.box.y + o.box.y1) / 2
    y = round(yc * ppm)
    img = img.copy()
    img[y - 2 : y + 2, round((o.box.x + 0.8) * ppm) : round((o.box.x1 - 0.8) * ppm)] = (
        190
    )
    folded = fold(img, np.random.default_rng(seed), (yc / 297.0,))
    [r] = read_image(folded)
    it = next(i for i in r.items if i.item_id == page1.items[3].item_id)
    assert it.needs_person or it.code == 2, it


@pytest.mark.parametrize("seed", range(3))
def test_folded_pages_are_read_with_their_creases_taken_out(seed):
    layout = layout_for(get_measure("phq9"))
    answers = {f"phq9_{k}": k % 4 for k in range(1, 8)}
    [img, _] = filled_form(layout, answers, dpi=DPI, rng=np.random.default_rng(7))
    [r] = read_image(SCENARIOS["folded_thirds"](img, np.random.default_rng(seed)))
    for it in r.items:
        if not it.needs_person:
            assert it.code == answers[it.item_id], it


def test_the_median_leaving_nan_out_is_numpys():
    rng = np.random.default_rng(0)
    a = rng.random((7, 9, 6))
    a[rng.random(a.shape) < 0.4] = np.nan
    a[0, 0] = np.nan
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        want = np.nanmedian(a, axis=-1)
    np.testing.assert_array_equal(_nanmedian(a), want)
