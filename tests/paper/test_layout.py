"""The layout: every printable measure lays out cleanly; rules for variants."""

from __future__ import annotations

import itertools

import pytest

from openproms.paper import FormContext, make_layout, parse_payload
from openproms.paper.layout import PAGE_H, PAGE_W, PT, Rect
from openproms.scoring import WordingNotAvailable, get_measure

from .helpers import eq5d_with_wording, printable_measures


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.x1 and b.x < a.x1 and a.y < b.y1 and b.y < a.y1


@pytest.mark.parametrize("defn", printable_measures(), ids=lambda d: d.key)
@pytest.mark.parametrize("variant", ["standard", "large_print", "blank"])
def test_every_printable_measure_lays_out_with_separate_boxes(defn, variant):
    layout = make_layout(defn, variant, FormContext("Org", "AB 1", "t1"))
    assert layout.item_ids == defn.item_ids
    for page in layout.pages:
        boxes = [o.box for r in page.items for o in r.options] + [
            d for r in page.items for d in r.digit_boxes
        ]
        marks = [f.rect for f in page.fiducials] + [page.qr.inset(-3.0)]
        for b in boxes:
            assert b.x > 15 and b.x1 < PAGE_W - 15 and b.y > 45 and b.y1 < 268
            assert not any(_overlap(b, m) for m in marks)
        for a, b in itertools.combinations(boxes, 2):
            # at least 2 mm between any two boxes
            assert not _overlap(a.inset(-1.0), b.inset(-1.0))


def test_large_print_uses_at_least_16_point_text_and_bigger_boxes():
    d = get_measure("phq9")
    std = make_layout(d, "standard")
    large = make_layout(d, "large_print")
    item_text = [t for p in large.pages for t in p.text if 50 < t.y < 268]
    assert min(t.size for t in item_text if not t.grey) >= 16
    assert (
        large.pages[0].items[0].options[0].box.w
        > std.pages[0].items[0].options[0].box.w
    )
    assert len(large.pages) > len(std.pages)


def test_licensed_measure_without_wording_cannot_be_printed():
    with pytest.raises(WordingNotAvailable, match="licence"):
        make_layout(get_measure("epds"))


def test_rand36_spans_pages_and_numbers_them():
    layout = make_layout(
        get_measure("rand36"), "standard", FormContext("Org", "R1", "t")
    )
    n = len(layout.pages)
    assert n >= 3
    for k, page in enumerate(layout.pages, start=1):
        assert any(t.text.endswith(f"Page {k} of {n}") for t in page.text)


def test_zero_to_ten_range_prints_eleven_numbered_boxes():
    row = make_layout(get_measure("ons4")).pages[0].items[0]
    assert [o.code for o in row.options] == list(range(11))
    assert row.kind == "choice"


def test_visual_analogue_scale_prints_write_in_digit_boxes():
    layout = make_layout(eq5d_with_wording())
    vas = next(r for p in layout.pages for r in p.items if r.item_id == "eq_vas")
    assert vas.kind == "write_in" and len(vas.digit_boxes) == 3 and not vas.options


def test_context_never_moves_a_box():
    d = get_measure("core10")
    a = make_layout(
        d, "standard", FormContext("A very long organisation name " * 5, "X" * 80, "t1")
    )
    b = make_layout(d, "standard", FormContext())
    assert [p.fingerprint for p in a.pages] == [p.fingerprint for p in b.pages]
    assert [p.items for p in a.pages] == [p.items for p in b.pages]


def test_payload_round_trips_and_carries_no_personal_data():
    layout = make_layout(
        get_measure("phq9"),
        "standard",
        FormContext("Org", "Jane Smith 0423", "opaque_9"),
    )
    p = parse_payload(layout.pages[1].payload)
    assert p is not None
    assert (p.measure_key, p.variant, p.page, p.count, p.token) == (
        "phq9@1",
        "standard",
        2,
        2,
        "opaque_9",
    )
    assert "Jane" not in layout.pages[1].payload


def test_blank_form_code_names_only_the_measure_and_has_a_name_box():
    layout = make_layout(get_measure("gad7"), "blank", FormContext("Org"))
    p = parse_payload(layout.pages[0].payload)
    assert p is not None and p.token is None and p.variant == "blank"
    assert layout.pages[0].name_box is not None


def test_blank_form_may_carry_a_copy_token_that_names_no_person():
    """The web app gives each blank copy its own random token, so the pages of one
    copy stay together and another organisation's copies are recognised."""
    layout = make_layout(
        get_measure("gad7"), "blank", FormContext("Org", None, "copy_1")
    )
    p = parse_payload(layout.pages[0].payload)
    assert p is not None and p.token == "copy_1" and p.variant == "blank"


@pytest.mark.parametrize("token", ["has space", "a|b", "x" * 65, ""])
def test_bad_tokens_are_refused(token):
    with pytest.raises(ValueError, match="token"):
        make_layout(get_measure("phq2"), "standard", FormContext("Org", None, token))


def test_item_text_wraps_inside_the_page():
    layout = make_layout(get_measure("rand36"))
    for page in layout.pages:
        for t in page.text:
            if t.align == "left":
                from reportlab.pdfbase.pdfmetrics import stringWidth

                w = (
                    stringWidth(
                        t.text, "Helvetica-Bold" if t.bold else "Helvetica", t.size
                    )
                    * PT
                )
                assert t.x + w <= PAGE_W - 19, t.text
            assert 0 < t.y < PAGE_H
