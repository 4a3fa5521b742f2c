"""Print -> fill -> render -> read round trips over every printable measure."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.paper import default_resolver, read_image
from openproms.paper.simulate import SCENARIOS, fill_page, render_pages

from .helpers import DPI, eq5d_with_wording, layout_for, printable_measures

EQ5D = eq5d_with_wording()
MEASURES = [*printable_measures(), EQ5D]


def _resolver(payload):
    return EQ5D if payload.measure_key == EQ5D.key else default_resolver(payload)


DEGRADED = [
    "rotate_4",
    "rotate_180_skew_2",
    "keystone_5",
    "blur_2px",
    "jpeg_20",
    "uneven_light",
    "hard_shadow",
    "noise",
    "phone_good",
]


@st.composite
def filled_forms(draw: st.DrawFn) -> tuple:
    defn = draw(st.sampled_from(MEASURES))
    variant = draw(st.sampled_from(["standard", "large_print", "blank"]))
    layout = layout_for(defn, variant)
    page_no = draw(st.integers(1, len(layout.pages)))
    page = layout.page(page_no)
    answers = {}
    for row in page.items:
        codes = [o.code for o in row.options]
        answers[row.item_id] = (
            draw(st.one_of(st.none(), st.sampled_from(codes))) if codes else None
        )
    seed = draw(st.integers(0, 2**31))
    return layout, page_no, answers, seed


def _fill(layout, page_no, answers, seed):
    page = layout.page(page_no)
    img = render_pages(layout, DPI)[page_no - 1]
    rng = np.random.default_rng(seed)
    filled, truth = fill_page(img, page, DPI, rng, answers=answers)
    return filled, truth, rng


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filled_forms())
def test_clean_render_reads_back_identical_answers(form):
    layout, page_no, answers, seed = form
    filled, truth, _ = _fill(layout, page_no, answers, seed)
    [reading] = read_image(filled, resolver=_resolver)
    assert reading.status == "read"
    assert reading.page == page_no and reading.measure_key == layout.measure_key
    got = {i.item_id: (i.decision, i.code) for i in reading.items}
    for t in truth:
        row = next(r for r in layout.page(page_no).items if r.item_id == t.item_id)
        if row.kind == "write_in":
            assert got[t.item_id] == ("blank", None)
        elif t.expect is None:
            assert got[t.item_id] == ("blank", None), t
        else:
            assert got[t.item_id] == ("answer", t.expect), t
    assert not any(i.needs_person for i in reading.items)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(filled_forms(), st.sampled_from(DEGRADED))
def test_degraded_render_never_gives_a_silent_error(form, scenario):
    layout, page_no, answers, seed = form
    filled, truth, rng = _fill(layout, page_no, answers, seed)
    readings = read_image(SCENARIOS[scenario](filled, rng), resolver=_resolver)
    for reading in readings:
        if reading.status != "read":
            continue  # rejected pages go to a person: not silent
        assert (
            reading.token == layout.pages[0].payload.split("|")[-1]
            or reading.token is None
        )
        by_id = {t.item_id: t for t in truth}
        for item in reading.items:
            if not item.needs_person:
                assert item.code == by_id[item.item_id].expect, (scenario, item)
