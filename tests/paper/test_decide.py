"""The per-item decision on the edge of its thresholds: measurements taken from
marks the long benchmark runs caught being accepted wrongly (benchmarks/README.md,
Paper), replayed through the decision rule."""

from __future__ import annotations

import pytest

from openproms.paper.read import DEFAULT_THRESHOLDS
from openproms.paper.read_decide import _decide
from openproms.scoring import get_measure

from .helpers import layout_for


def _row(measure: str, item_id: str):
    layout = layout_for(get_measure(measure))
    return next(r for p in layout.pages for r in p.items if r.item_id == item_id)


def _decide_row(
    row,
    boxes: dict[int, tuple[float, float, float]],
    base=0.0,
    peak=0.0,
    noise: float | dict[int, float] = 0.02,
):
    """``boxes``: code -> (mean darkness, strong-ink share, peak) above the page's
    empty boxes; every other box empty; ``noise``: the paper's noise round each
    box (0.02: a phone photo or a noisy scan), or code -> noise with 0.02 for
    the others."""
    measures = []
    for o in row.options:
        mean, ink, box_peak = boxes.get(o.code, (0.0, 0.0, 0.0))
        nz = noise.get(o.code, 0.02) if isinstance(noise, dict) else noise
        measures.append((o.code, base + mean, ink, 0.0, peak + box_peak, 0.0, nz, 0.0))
    return _decide(row, measures, base, peak, DEFAULT_THRESHOLDS, True, "")


def test_a_light_tick_smeared_by_motion_blur_goes_to_a_person() -> None:
    """GAD-7 item 2 under 7 px motion blur: mean 0.0116, peak 0.0566 (just under
    the faint-stroke level) was read as blank with confidence 0.79."""
    item = _decide_row(_row("gad7", "gad7_2"), {2: (0.0116, 0.0, 0.0566)})
    assert item.decision == "blank"
    assert item.needs_person
    assert "close to a threshold" in item.reason


def test_light_pencil_lifted_over_the_strong_level_by_noise_goes_to_a_person() -> None:
    """ONS4 item 2 under sensor noise: a light pencil cross, mean 0.129 but only
    2.1% of its pixels over the strong level, was accepted as a clear 5."""
    item = _decide_row(
        _row("ons4", "ons4_worthwhile"), {5: (0.1294, 0.021, 0.2789)}, 0.0045, 0.0203
    )
    assert item.needs_person
    assert item.reason.startswith("one mark, but")
    assert item.code == 5  # the best guess, for the person


def test_light_pencil_lifted_by_a_phone_photos_contrast_goes_to_a_person() -> None:
    """CORE-10 item 10 on a bad phone photo: a light pencil mark with 4.8% of its
    pixels over the strong level (more than the noise band allows) but a peak only
    0.26 above the empty boxes (pen ticks reach 0.28 and more) was accepted as 1."""
    item = _decide_row(
        _row("core10", "core10_10"), {1: (0.1437, 0.0475, 0.2559)}, 0.001, 0.0327
    )
    assert item.needs_person
    assert item.reason.startswith("one mark, but")
    assert item.code == 1


def test_light_pencil_in_the_lit_part_of_a_half_shadowed_photo_goes_to_a_person() -> (
    None
):
    """GAD-7 item 4 on a bad phone photo half in shadow: noise grows in shadow, so
    the page's empty boxes peaked at 0.041 and a light pencil tick in the lit
    part, 0.038 above that (mean 0.017), was read as blank with confidence 0.52.
    Its peak is 4.9 times the noise of the paper round it (0.016); the other
    boxes, in shadow, have noise 0.035 or so."""
    item = _decide_row(
        _row("gad7", "gad7_4"),
        {0: (0.0172, 0.0, 0.0382)},
        0.0002,
        0.041,
        {0: 0.0163, 1: 0.035, 2: 0.035, 3: 0.035},
    )
    assert item.decision == "blank"
    assert item.needs_person
    assert "close to a threshold" in item.reason


def test_an_empty_box_in_the_shadow_of_the_same_photo_is_still_accepted() -> None:
    """The same page's empty boxes in shadow: peak 0.05 over noise 0.035."""
    item = _decide_row(
        _row("gad7", "gad7_4"), {1: (0.005, 0.0, 0.009)}, 0.0002, 0.041, 0.035
    )
    assert (item.decision, item.needs_person) == ("blank", False)


@pytest.mark.parametrize(
    ("boxes", "decision", "code"),
    [
        ({}, "blank", None),  # nothing at all
        ({2: (0.010, 0.0, 0.030)}, "blank", None),  # paper texture, no stroke
        ({2: (0.30, 0.15, 0.80)}, "answer", 2),  # a pen tick
        ({2: (0.09, 0.05, 0.40)}, "answer", 2),  # a thin pencil tick
    ],
)
def test_clear_boxes_are_still_accepted(boxes, decision, code) -> None:
    item = _decide_row(_row("gad7", "gad7_2"), boxes)
    assert (item.decision, item.code, item.needs_person) == (decision, code, False)


def test_a_box_in_a_narrow_hard_shadow_goes_to_a_person() -> None:
    """RAND-36 under a hard shadow band narrower than the background kernel: the
    blank box inside it looked filled in (mean 0.42, every pixel strong) and was
    accepted as the answer; the paper round it is as dark as the box."""
    row = _row("rand36", "rand36_22")
    shaded = (0.422, 1.0, 35.1, 0.422, 0.502, 0.02)  # mean, ink, outside, peak,
    # paper, noise
    measures = [
        (o.code, *(shaded if o.code == 1 else (0.0,) * 6), 0.0) for o in row.options
    ]
    item = _decide(row, measures, 0.0, 0.0, DEFAULT_THRESHOLDS, True, "")
    assert item.decision == "uncertain" and item.needs_person
    assert "dark paper round the box" in item.reason


def test_a_faint_mark_beside_a_clear_cross_names_both_marks() -> None:
    """UCLA-3 item 1: a clear cross on 1 and a faint mark on 3. The person is told
    of every mark the reader saw, not only the faint one."""
    item = _decide_row(
        _row("ucla3", "ucla3_1"), {1: (0.30, 0.15, 0.80), 3: (0.035, 0.0, 0.07)}
    )
    assert item.decision == "uncertain" and item.needs_person
    assert item.candidates == (1, 3)
    assert item.reason == "not clear: 3 (faint mark); also seen: 1 (marked)"


def test_every_kind_of_mark_seen_is_named_when_one_is_doubtful() -> None:
    """A filled-in (crossed out) box, a clear mark and ink near a third box."""
    row = _row("gad7", "gad7_1")
    measures = []
    for o in row.options:
        mean, ink, outside, peak = {
            0: (0.62, 0.95, 0.0, 0.9),  # filled in completely
            1: (0.30, 0.15, 0.0, 0.80),  # a clear mark
            3: (0.0, 0.0, 3.0, 0.0),  # a stroke beside the box
        }.get(o.code, (0.0, 0.0, 0.0, 0.0))
        measures.append((o.code, mean, ink, outside, peak, 0.0, 0.02, 0.0))
    item = _decide(row, measures, 0.0, 0.0, DEFAULT_THRESHOLDS, True, "")
    assert item.decision == "uncertain"
    assert item.reason == (
        "not clear: 3 (ink near the box); also seen: 0 (filled in), 1 (marked)"
    )


@pytest.mark.parametrize(("broad", "circled"), [(0.0, True), (2.4, True), (5.4, False)])
def test_a_stain_s_rim_across_a_label_is_not_a_circle(broad, circled) -> None:
    """GAD-7 item 3 under a coffee ring (benchmarks/README.md, "coffee_ring at
    length"): no mark, but the ring's rim crossed label 2's column, 7.0 mm2 of
    unexplained ink, 5.4 of it kept through the 1.5 mm opening, and was read as
    the label circled. A pen circle keeps at most about a third."""
    row = _row("gad7", "gad7_3")
    measures = [
        (o.code, 0.0, 0.0, 7.0 if o.code == 2 else 0.0, 0.0, 0.0, 0.0, 0.0)
        for o in row.options
    ]
    measures[2] = (*measures[2][:7], broad)
    item = _decide(row, measures, 0.0, 0.0, DEFAULT_THRESHOLDS, True, "")
    if circled:
        assert (item.decision, item.code, item.reason) == ("answer", 2, "label circled")
    else:
        assert item.decision == "uncertain" and item.needs_person
        assert item.reason == "not clear: 2 (ink near the box)"
