"""The reader: orientation, mark styles, fallbacks and refusals."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from openproms.paper import (
    FormContext,
    LayoutMismatch,
    make_layout,
    page_layout_for,
    parse_payload,
    read_image,
)
from openproms.paper.layout import Rect
from openproms.paper.marks import Pen, draw_mark, scale_mapping
from openproms.paper.read import S, is_bilevel
from openproms.paper.read_measure import _local_paper
from openproms.paper.simulate import rot90, rotate
from openproms.scoring import get_measure

from .helpers import DPI, layout_for, page_image


def _marked(layout, marks, page_no=1, seed=0):
    """Render page ``page_no`` with ``marks`` = [(item index, code, style), ...]."""
    page = layout.page(page_no)
    img = page_image(layout, page_no).astype(np.float32) / 255.0
    ppm = DPI / 25.4
    pen = Pen(img.shape, scale_mapping(ppm), ppm)
    rng = np.random.default_rng(seed)
    for k, code, style in marks:
        row = page.items[k]
        draw_mark(pen, next(o for o in row.options if o.code == code), row, style, rng)
    return (pen.apply(img) * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def phq9():
    return layout_for(get_measure("phq9"))


def _item(reading, k):
    return reading.items[k]


@pytest.mark.parametrize("style", ["tick", "cross", "fill", "slash", "circle"])
def test_each_clear_mark_style_is_read(phq9, style):
    img = _marked(phq9, [(0, 2, style), (1, 0, style), (2, 3, style)])
    [r] = read_image(img)
    assert [(i.decision, i.code) for i in r.items[:3]] == [
        ("answer", 2),
        ("answer", 0),
        ("answer", 3),
    ]
    assert not any(i.needs_person for i in r.items)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_page_is_read_in_any_quarter_turn(phq9, k):
    img = rot90(_marked(phq9, [(0, 1, "cross"), (4, 3, "tick")]), k)
    [r] = read_image(img)
    assert r.rotation is not None and r.rotation % 90 == 0 and r.rotation != 0
    assert (r.items[0].code, r.items[4].code) == (1, 3)


def test_skewed_upside_down_page_is_read(phq9):
    img = rotate(rot90(_marked(phq9, [(3, 2, "cross")]), 2), 7.0)
    [r] = read_image(img)
    assert r.items[3].code == 2 and not r.items[3].needs_person


def test_two_marks_are_multiple_and_go_to_a_person(phq9):
    [r] = read_image(_marked(phq9, [(0, 1, "cross"), (0, 2, "cross")]))
    item = r.items[0]
    assert (
        item.decision == "multiple"
        and item.needs_person
        and set(item.candidates) == {1, 2}
    )


def test_crossed_out_box_and_a_new_mark_reads_the_new_mark(phq9):
    [r] = read_image(_marked(phq9, [(0, 1, "cross"), (0, 1, "cancel"), (0, 3, "tick")]))
    item = r.items[0]
    assert (item.decision, item.code, item.needs_person) == ("answer", 3, False)
    assert "crossed out" in item.reason


def test_light_pencil_goes_to_a_person(phq9):
    [r] = read_image(_marked(phq9, [(0, 2, "light_pencil")], seed=4))
    item = r.items[0]
    assert (
        item.needs_person and item.decision in ("uncertain", "blank")
    ) or item.code == 2
    assert item.decision != "answer" or item.needs_person


def test_unmarked_item_is_an_accepted_blank_with_full_confidence(phq9):
    [r] = read_image(_marked(phq9, []))
    assert all(i.decision == "blank" and not i.needs_person for i in r.items)
    assert min(i.confidence for i in r.items) >= 0.9


def test_blank_item_on_a_black_and_white_copy_goes_to_a_person(phq9):
    """A copier's threshold turns light pencil into paper: on a thresholded page
    "no mark" is not certain, so blanks go to a person; clear marks still read."""
    grey = _marked(phq9, [(0, 2, "cross"), (1, 0, "light_pencil")], seed=4)
    copy = np.where(grey < 150, 0, 255).astype(np.uint8)
    assert is_bilevel(copy) and not is_bilevel(grey)
    [r] = read_image(copy)
    assert (r.items[0].code, r.items[0].needs_person) == (2, False)
    blanks = [i for i in r.items if i.decision == "blank"]
    assert blanks and all(i.needs_person for i in blanks)
    assert "black and white" in blanks[-1].reason
    # The same copy saved as a JPEG is still recognised.
    jpeg = cv2.imdecode(
        cv2.imencode(".jpg", copy, [cv2.IMWRITE_JPEG_QUALITY, 75])[1], 0
    )
    assert is_bilevel(jpeg)


def test_unreadable_qr_falls_back_to_the_corner_marks_and_a_chosen_layout(phq9):
    img = _marked(phq9, [(0, 2, "cross")])
    qr = phq9.pages[0].qr.inset(-2)
    ppm = DPI / 25.4
    img[int(qr.y * ppm) : int(qr.y1 * ppm), int(qr.x * ppm) : int(qr.x1 * ppm)] = 255
    [r] = read_image(img)
    assert r.status == "rejected" and "choose the measure" in (r.reason or "")
    [r] = read_image(rot90(img, 2), fallback=make_layout(get_measure("phq9")).pages[0])
    assert r.status == "needs_identity" and r.token is None and r.needs_person
    assert r.items[0].code == 2


def test_page_from_a_changed_layout_is_rejected_not_guessed(phq9):
    payload = parse_payload(phq9.pages[0].payload)
    wrong = dataclasses.replace(payload, fingerprint="00000000")
    with pytest.raises(LayoutMismatch, match="different layout"):
        page_layout_for(wrong)
    unknown = dataclasses.replace(payload, measure_key="nope@1")
    with pytest.raises(LayoutMismatch, match="not known"):
        page_layout_for(unknown)


def test_several_forms_in_one_photo_are_each_read():
    a = layout_for(get_measure("gad2"), token="form-a")
    b = layout_for(get_measure("phq2"), token="form-b")
    ia = _marked(a, [(0, 1, "cross")])
    ib = _marked(b, [(1, 3, "tick")])
    both = np.hstack([ia, np.full((ia.shape[0], 60), 255, np.uint8), ib])
    readings = sorted(read_image(both), key=lambda r: r.token or "")
    assert [r.token for r in readings] == ["form-a", "form-b"]
    assert readings[0].items[0].code == 1 and readings[1].items[1].code == 3


def test_blank_paper_is_reported_as_a_blank_page():
    [r] = read_image(np.full((1169, 827), 250, np.uint8))
    assert r.status == "blank"


def test_crops_come_from_the_aligned_page(phq9):
    [r] = read_image(_marked(phq9, [(0, 2, "cross")]), keep_image=True)
    crop = r.crop(r.items[0].crop)
    assert crop.shape[0] > 50 and crop.shape[1] > 500
    x, y = r.to_source(0, 0)
    assert abs(x) < 5 and abs(y) < 5


def test_write_in_number_always_goes_to_a_person():
    from .helpers import eq5d_with_wording

    layout = make_layout(
        eq5d_with_wording(), "standard", FormContext("Org", None, "t1")
    )
    page_no = next(
        p.number for p in layout.pages for r in p.items if r.item_id == "eq_vas"
    )
    img = page_image(layout, page_no)
    row = next(r for r in layout.page(page_no).items if r.item_id == "eq_vas")
    ppm = DPI / 25.4
    d = row.digit_boxes[0]
    cv2.putText(
        img,
        "7",
        (int((d.x + 1) * ppm), int((d.y1 - 1) * ppm)),
        cv2.FONT_HERSHEY_SIMPLEX,
        1.2,
        0,
        3,
    )
    with_wording = eq5d_with_wording()
    [rejected] = read_image(img)
    assert rejected.status == "rejected" and "resolver" in (rejected.reason or "")
    [r] = read_image(img, resolver=lambda payload: with_wording)
    vas = next(i for i in r.items if i.item_id == "eq_vas")
    assert (
        vas.decision == "uncertain"
        and vas.needs_person
        and "written number" in vas.reason
    )


def _shade(img, depth, soft_px, band):
    """Darken ``img`` by ``depth`` where ``band(x, y)`` is True (a shadow), with
    edges softened by ``soft_px`` (0: a hard edge)."""
    yy, xx = np.mgrid[0 : img.shape[0], 0 : img.shape[1]].astype(np.float32)
    mask = band(xx, yy).astype(np.float32)
    if soft_px:
        mask = cv2.GaussianBlur(mask, (0, 0), soft_px)
    return np.clip(img * (1.0 - depth * mask), 0, 255).astype(np.uint8)


def _column_x(layout, k, code):
    """Pixel x of the middle of option ``code``'s box on row ``k`` of page 1."""
    box = next(o for o in layout.page(1).items[k].options if o.code == code).box
    return (box.x + box.w / 2) * DPI / 25.4


_SHADOW_MARKS = [(0, 2, "cross"), (2, 1, "tick"), (4, 3, "fill"), (6, 0, "slash")]
_SHADOW_EXPECT = {0: 2, 2: 1, 4: 3, 6: 0}


@pytest.mark.parametrize("tilt", [0.0, 0.05, -0.12])
def test_hard_shadow_edge_across_the_boxes_is_not_read_as_ink(phq9, tilt):
    """A hand or phone shadow with a sharp straight edge running through the
    answer boxes: the edge must divide out, not read as a faint mark."""
    x0 = _column_x(phq9, 0, 1)
    img = _shade(
        _marked(phq9, _SHADOW_MARKS),
        0.5,
        0,
        lambda x, y: x < x0 + tilt * (y - 600),
    )
    [r] = read_image(img)
    for k, item in enumerate(r.items):
        assert not item.needs_person, (k, item.reason)
        assert item.code == _SHADOW_EXPECT.get(k), (k, item)


def _soft_band(layout, img):
    """A soft shadow band about 3 cm wide (a finger or a pen) down the boxes: the
    14 mm background closing cannot flatten its floor completely."""
    xc = _column_x(layout, 0, 2)
    return _shade(img, 0.55, 25, lambda x, y: np.abs(x - xc - 0.04 * (y - 600)) < 90)


def test_soft_shadow_band_over_the_boxes_is_not_read_as_ink(phq9):
    """What the background leaves of the band is also round the box: each box
    is compared with the paper round it."""
    [r] = read_image(_soft_band(phq9, _marked(phq9, _SHADOW_MARKS)))
    for k, item in enumerate(r.items):
        assert not item.needs_person, (k, item.reason)
        assert item.code == _SHADOW_EXPECT.get(k), (k, item)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("where", ["hard_edge", "hard_inside", "soft_band"])
def test_light_pencil_in_a_shadow_still_goes_to_a_person(phq9, seed, where):
    """Dividing out shadows must never divide out a light pencil mark."""
    code = {"hard_edge": 1, "hard_inside": 0, "soft_band": 2}[where]
    img = _marked(phq9, [(k, code, "light_pencil") for k in (1, 3, 5)], seed=seed)
    if where == "soft_band":
        img = _soft_band(phq9, img)
    else:
        x0 = _column_x(phq9, 0, 1)
        img = _shade(img, 0.5, 0, lambda x, y: x < x0 + 0.05 * (y - 600))
    [r] = read_image(img)
    for k in (1, 3, 5):
        item = r.items[k]
        assert item.needs_person and item.decision != "answer", (k, item)


@pytest.mark.parametrize("width_mm", [2.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0])
@pytest.mark.parametrize("tilt", [0.0, 0.08, -0.15])
def test_a_shadow_band_across_the_boxes_is_never_read_as_an_answer(
    phq9, width_mm, tilt
):
    """A hard shadow band (a pen, a finger) down the page, from a sliver to wider
    than the 14 mm background kernel, slanted or not: the background cannot
    divide out a narrow one, and a slanted edge leaves a thin line, so a blank box
    in it can look filled in or slashed (the long benchmark runs accepted both as
    answers). Every item is read right or goes to a person."""
    xc = _column_x(phq9, 0, 2)
    half = width_mm / 2 * DPI / 25.4
    img = _shade(
        _marked(phq9, _SHADOW_MARKS),
        0.5,
        0,
        lambda x, y: np.abs(x - xc - tilt * (y - 600)) < half,
    )
    [r] = read_image(img)
    for k, item in enumerate(r.items):
        if not item.needs_person:
            assert item.code == _SHADOW_EXPECT.get(k), (k, item)


@pytest.mark.parametrize("width_mm", [2.0, 6.0, 12.0])
def test_rows_clear_of_a_shadow_band_are_still_read_automatically(phq9, width_mm):
    """A band over the first three rows only: the rows below it are read as usual
    (the band check is not a page-wide alarm)."""
    xc = _column_x(phq9, 0, 2)
    half = width_mm / 2 * DPI / 25.4
    y_end = phq9.page(1).items[3].rect.y * DPI / 25.4
    img = _shade(
        _marked(phq9, _SHADOW_MARKS),
        0.5,
        0,
        lambda x, y: (np.abs(x - xc) < half) & (y < y_end),
    )
    [r] = read_image(img)
    for k in range(4, len(r.items)):
        item = r.items[k]
        assert not item.needs_person, (k, item.reason)
        assert item.code == _SHADOW_EXPECT.get(k), (k, item)
    assert any(i.needs_person for i in r.items[:3])


@pytest.mark.parametrize("corner", ["tl", "tr", "bl", "br"])
@pytest.mark.parametrize("side", ["beside", "through"])
def test_corner_mark_is_found_with_a_shadow_edge_beside_or_through_it(
    phq9, corner, side
):
    """A hard shadow over the page's margin, its edge along the corner mark (the
    mark and the shadow merge under one global threshold) or through it."""
    f = next(f for f in phq9.page(1).fiducials if f.corner == corner)
    ppm = DPI / 25.4
    edge = (f.rect.x if corner[1] == "l" else f.rect.x1) * ppm
    if side == "through":
        edge = f.centre[0] * ppm
    left = corner[1] == "l"
    img = _shade(_marked(phq9, _SHADOW_MARKS), 0.5, 0, lambda x, y: (x < edge) == left)
    [r] = read_image(img)
    assert r.status == "read", r.reason
    assert r.registration_mm is not None and r.registration_mm < 0.5
    assert [i.code for i in r.items[:7:2]] == [2, 1, 3, 0]


def test_the_paper_noise_round_a_box_follows_the_shadow():
    """Sensor noise is even in brightness, so in darkness it is larger in shadow:
    each box's doubt level uses the noise of the paper round it, not the page's."""
    rng = np.random.default_rng(3)
    h, w = round(60 * S), round(120 * S)
    sigma = np.where(np.arange(w) < w // 2, 0.015, 0.035).astype(np.float32)
    dark = np.clip(0.02 + rng.normal(0.0, 1.0, (h, w)) * sigma, 0, 1)
    dark = dark.astype(np.float32)
    explained = np.zeros((h, w), bool)
    lit = _local_paper(dark, explained, Rect(20, 25, 5, 5), 0.0, 0.0)[2]
    shaded = _local_paper(dark, explained, Rect(90, 25, 5, 5), 0.0, 0.0)[2]
    assert lit == pytest.approx(0.015, rel=0.15)
    assert shaded == pytest.approx(0.035, rel=0.15)
