"""Paper as it really arrives (simulate_damage): each kind of damage is seeded,
gives an image of the expected kind and size, and the reader reads it without
crashing; a torn-off box sends its item to a person, and a torn corner's false
corner mark is left out of the fit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from openproms.paper import read_image
from openproms.paper.layout import FIDUCIAL_INSET, FIDUCIAL_SIZE
from openproms.paper.read_align import _drop_stray_mark, _register_from_code
from openproms.paper.read_find import find_codes, page_layout_for
from openproms.paper.simulate import SCENARIOS, filled_form, tear_corner
from openproms.paper.simulate_damage import written_notes
from openproms.scoring import get_measure

from .helpers import DPI, layout_for

NEW = (
    "folded_thirds",
    "folded_half",
    "coffee_ring",
    "water_stain",
    "fax",
    "desk_photo",
    "written_notes",
    "upside_down_low_res",
    "corner_torn",
    "stapled",
    "folded_photo",
)
ANSWERS = {f"phq9_{k}": k % 4 for k in range(1, 10)}


@pytest.fixture(scope="module")
def phq9():
    return layout_for(get_measure("phq9"))


@pytest.fixture(scope="module")
def page(phq9):
    """Page 1 of a PHQ-9 with one clear mark on every item, as a 150-dpi scan."""
    return filled_form(phq9, ANSWERS, dpi=DPI, rng=np.random.default_rng(5))[0]


def test_every_new_kind_of_damage_is_a_scenario():
    assert set(NEW) <= set(SCENARIOS)


@pytest.mark.parametrize("name", NEW)
def test_damage_is_the_same_from_the_same_seed(page, name):
    one = SCENARIOS[name](page, np.random.default_rng(3))
    two = SCENARIOS[name](page, np.random.default_rng(3))
    other = SCENARIOS[name](page, np.random.default_rng(4))
    assert one.dtype == np.uint8 and one.ndim == 2
    assert np.array_equal(one, two)
    assert not np.array_equal(one, other)


@pytest.mark.parametrize(
    "name", ["folded_thirds", "folded_half", "coffee_ring", "water_stain"]
)
def test_damage_to_the_paper_keeps_the_scan_and_darkens_it(page, name):
    out = SCENARIOS[name](page, np.random.default_rng(1))
    assert out.shape == page.shape
    changed = out.astype(int) - page.astype(int)
    assert (changed < -20).sum() > 200  # a crease, a ring or a tide line
    assert changed.mean() < 0


def test_a_crease_runs_where_the_page_was_folded(page):
    out = SCENARIOS["folded_half"](page, np.random.default_rng(2))
    h = page.shape[0]
    # Paper without print at the crease: the middle 10 mm of the page height is
    # darker than the same rows of the unfolded page, by more than elsewhere.
    band = slice(h // 2 - round(5 * DPI / 25.4), h // 2 + round(5 * DPI / 25.4))
    drop = page[band].astype(float).mean() - out[band].astype(float).mean()
    rest = page[: h // 3].astype(float).mean() - out[: h // 3].astype(float).mean()
    assert drop > 2 and drop > 4 * abs(rest)


def test_a_fax_is_black_and_white_at_about_100_dpi(page):
    out = SCENARIOS["fax"](page, np.random.default_rng(1))
    assert set(np.unique(out)) <= {0, 255}
    h, w = out.shape
    assert 95 <= w / (210 / 25.4) <= 112  # dots per inch across (skew adds a little)
    assert 92 <= h / (297 / 25.4) <= 104  # lines per inch down (lost lines too)


def test_a_desk_photo_shows_more_desk_than_a_careful_photo(page):
    out = SCENARIOS["desk_photo"](page, np.random.default_rng(1))
    # The page, at 0.8 of its size, fills under 60% of the frame.
    assert 0.64 * page.size / out.size < 0.6


def test_upside_down_low_res_is_a_smaller_page(page):
    out = SCENARIOS["upside_down_low_res"](page, np.random.default_rng(1))
    assert 0.43 < out.shape[1] / page.shape[1] < 0.5


def test_written_notes_never_touch_an_answer_box(phq9, page):
    out = written_notes(page, np.random.default_rng(8))
    assert (out.astype(int) - page.astype(int) < -60).sum() > 500
    ppm = DPI / 25.4
    for row in phq9.page(1).items:
        for o in row.options:
            b = o.column.inset(-1.0)
            sl = (
                slice(int(b.y * ppm), int(b.y1 * ppm) + 1),
                slice(int(b.x * ppm), int(b.x1 * ppm) + 1),
            )
            assert np.array_equal(out[sl], page[sl])


def test_a_torn_corner_shows_the_scanner_lid(page):
    out = tear_corner(page, np.random.default_rng(0), "bl", (30.0, 30.0))
    ppm = DPI / 25.4
    h = page.shape[0]
    corner = out[h - round(5 * ppm) :, : round(5 * ppm)]
    assert abs(float(corner.mean()) - float(corner.flat[0])) < 10  # one flat lid
    assert np.array_equal(out[: h // 2], page[: h // 2])


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("seed", [0, 1])
def test_the_reader_reads_damaged_paper_without_crashing(page, name, seed):
    readings = read_image(SCENARIOS[name](page, np.random.default_rng(seed)))
    assert readings
    for r in readings:
        assert r.status in ("read", "needs_identity", "rejected", "blank")
        assert r.status == "read" or r.reason
        if r.status == "read":
            assert r.items and all(i.item_id in ANSWERS for i in r.items)
            for it in r.items:
                # Whatever the damage, an accepted answer is the one marked.
                if not it.needs_person:
                    assert it.code == ANSWERS[it.item_id], (name, seed, it)


@pytest.mark.parametrize("lid_seed", [0, 1, 2, 3, 4, 5])
def test_a_torn_corner_taking_a_box_sends_that_item_to_a_person(phq9, lid_seed):
    """The bottom right corner torn off across the last item's box furthest
    right, on which it was marked: the mark went with the paper, so only a
    person can say what it was (the lid behind is white, grey or black by seed)."""
    page1 = phq9.page(1)
    last = page1.items[-1]
    ppm = DPI / 25.4
    rng = np.random.default_rng(lid_seed)
    marked = max(last.options, key=lambda o: o.box.x)
    img = filled_form(phq9, {last.item_id: marked.code}, dpi=DPI, rng=rng)[0]
    # A tear whose line passes beyond the box's far corner (its top left).
    across, up = 210.0 - marked.box.x, 297.0 - marked.box.y
    torn = tear_corner(img, rng, "br", (2.2 * across, 2.2 * up))
    gone = torn[round(marked.box.y * ppm + 2), round(marked.box.x * ppm + 2)]
    assert gone != img[round(marked.box.y * ppm + 2), round(marked.box.x * ppm + 2)]
    [r] = read_image(torn)
    assert r.status == "read"
    item = next(i for i in r.items if i.item_id == last.item_id)
    assert item.needs_person
    assert "torn off or covered" in item.reason
    # Items whose boxes are all on the page are still read.
    first = next(i for i in r.items if i.item_id == page1.items[0].item_id)
    assert not first.needs_person and first.decision == "blank"


def _false_mark_in_torn_corner(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The bottom left corner torn off (white lid) with a dark square the size of
    a corner mark 10 mm up and right of where the mark was (the torn edge's
    shadow or a scrap on the lid, taken for the mark)."""
    torn = tear_corner(img, rng, "bl", (30.0, 30.0))
    ppm = DPI / 25.4
    s = round(FIDUCIAL_SIZE * ppm)
    x0 = round((FIDUCIAL_INSET + 10.0) * ppm)
    y0 = round((297.0 - FIDUCIAL_INSET - FIDUCIAL_SIZE - 10.0) * ppm)
    torn[y0 : y0 + s, x0 : x0 + s] = 20
    return torn


def test_a_torn_corners_false_mark_is_dropped_and_the_page_is_read(page):
    torn = _false_mark_in_torn_corner(page, np.random.default_rng(2))
    [r] = read_image(torn)
    assert r.status == "read"
    assert r.registration_mm is not None and r.registration_mm < 0.5
    assert not any("registration" in i.reason for i in r.items)
    for it in r.items:
        # Rows well clear of the tear are read; none is read wrong.
        if it.crop.y1 < 297.0 - 100.0:
            assert not it.needs_person, it
        if not it.needs_person:
            assert it.code == ANSWERS[it.item_id], it


def test_with_every_mark_used_the_false_mark_sends_the_page_to_a_person(page):
    """What the refit avoids: the false mark in the fit puts the registration far
    over its limit, and every item goes to a person."""
    torn = _false_mark_in_torn_corner(page, np.random.default_rng(2))
    [code] = find_codes(torn)
    lay = page_layout_for(code.payload)
    reg = _register_from_code(torn, lay, code)
    assert reg is not None and reg[1] > 1.2 and reg[2] == 4
    fixed = _register_from_code(torn, lay, code, 1.2)
    assert fixed is not None and fixed[1] < 0.5 and fixed[2] == 3


def _marks_and_code(
    bend: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Three QR corners then the four corner marks (page mm), and where an image
    at 8 px/mm bent by ``bend`` (mm -> mm) shows them."""
    sp = np.array(
        [[160, 12], [190, 12], [160, 42], [12, 12], [198, 12], [12, 285], [198, 285]],
        np.float64,
    )
    return sp, bend(sp) * 8.0


def test_one_stray_mark_is_left_out_of_the_fit():
    def stray(p: np.ndarray) -> np.ndarray:
        q = p.copy()
        q[5] += (6.0, -4.0)  # the bottom left mark found 7 mm off
        return q

    sp, dp = _marks_and_code(stray)
    refit = _drop_stray_mark(sp, dp)
    assert refit is not None and refit[1] < 0.01


def test_a_page_bent_at_every_corner_keeps_all_its_marks():
    """A page that bends spreads its disagreement over every mark: none is left
    out (the registration then sends the page to a person, as before)."""

    def bent(p: np.ndarray) -> np.ndarray:
        return p + 0.02 * (p - (105, 148)) ** 2 / 10 * np.sign(p - (105, 148))

    sp, dp = _marks_and_code(bent)
    assert _drop_stray_mark(sp, dp) is None


def test_two_stray_marks_are_not_guessed_at():
    def two(p: np.ndarray) -> np.ndarray:
        q = p.copy()
        q[5] += (6.0, -4.0)
        q[6] += (-5.0, -5.0)
        return q

    sp, dp = _marks_and_code(two)
    assert _drop_stray_mark(sp, dp) is None
