"""The OMR benchmark's scoring of marks that a degradation erased completely."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np
import pytest

from openproms.paper.marks import Pen, scale_mapping
from openproms.paper.simulate import SCENARIOS, render_pages
from openproms.scoring import get_measure

from .helpers import layout_for

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "omr" / "bench_omr.py"
DPI = 200.0


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_omr", BENCH)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def form():
    """A PHQ-9 page with light pencil (darkness 0.25, inside the box, clear of
    its outline) on item 1 and a pen cross on item 2, as the benchmark stores it."""
    layout = layout_for(get_measure("phq9"))
    page = layout.page(1)
    clean = render_pages(layout, DPI)[0]
    ppm = DPI / 25.4
    pen = Pen(clean.shape, scale_mapping(ppm), ppm)
    for row, level in ((page.items[0], 0.25), (page.items[1], 0.92)):
        b = row.options[2].box.inset(1.0)
        pen.stroke([(b.x, b.y), (b.x1, b.y1)], 0.5, level)
        pen.stroke([(b.x1, b.y), (b.x, b.y1)], 0.5, level)
    img = np.clip(pen.apply(clean) * 255.0, 0, 255).astype(np.uint8)
    unmarked = np.clip(clean * 255.0, 0, 255).astype(np.uint8)
    return {
        "img": img,
        "unmarked_png": cv2.imencode(".png", unmarked)[1].tobytes(),
        "dpi": DPI,
        "layout_page": page,
        "ids": (page.items[0].item_id, page.items[1].item_id),
    }


def _left(bench, form, item_id, scenario, seed=5):
    """What ``scenario`` leaves of the item's marks, per the benchmark."""
    rng = np.random.default_rng(seed)
    state = rng.bit_generator.state
    degraded = SCENARIOS[scenario](form["img"], rng)
    return bench.erasure(form, item_id, degraded, SCENARIOS[scenario], dict(state))


def test_the_copier_erases_light_pencil_completely(bench, form):
    pencil, pen = form["ids"]
    assert _left(bench, form, pencil, "photocopy") == "erased"
    assert _left(bench, form, pen, "photocopy") == "visible"


@pytest.mark.parametrize("scenario", ["clean", "hard_shadow", "jpeg_20", "rotate_4"])
def test_marks_that_survive_are_not_counted_as_erased(bench, form, scenario):
    pencil, pen = form["ids"]
    assert _left(bench, form, pencil, scenario) == "visible"
    assert _left(bench, form, pen, scenario) == "visible"


def test_exact_upper_bound_matches_clopper_pearson(bench) -> None:
    from scipy.stats import beta

    assert bench.exact_upper(0, 30_000) == pytest.approx(1 - 0.05 ** (1 / 30_000))
    for k, n in ((1, 30_000), (5, 1_000), (40, 479)):
        assert bench.exact_upper(k, n) == pytest.approx(
            beta.ppf(0.95, k + 1, n - k), rel=1e-9
        )
    assert bench.exact_upper(3, 3) == 1.0


def test_merging_runs_adds_their_counts_and_recomputes_the_bounds() -> None:
    spec = importlib.util.spec_from_file_location(
        "merge_runs", BENCH.parent / "merge_runs.py"
    )
    assert spec is not None and spec.loader is not None
    merge_runs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(merge_runs)

    def part(items: int, silent: int) -> dict:
        return {
            "results": [
                {
                    "scenario": "clean",
                    "pages": items // 5,
                    "items": items,
                    "accepted": items - 10,
                    "accepted_correct": items - 10 - silent,
                    "silent": silent,
                    "review": 10,
                    "cpu_s_per_page": 0.1,
                    "must_flag_share": 0.05,
                    "by_style": {"tick": {"items": items, "silent": silent}},
                }
            ]
        }

    [merged] = merge_runs.merge([part(20_000, 0), part(10_000, 1)])
    assert merged["items"] == 30_000 and merged["silent"] == 1
    assert merged["by_style"] == {"tick": {"items": 30_000, "silent": 1}}
    assert merged["pages_per_s_per_core"] == pytest.approx(10.0)
    assert merged["silent_per_10k_exact_upper95_one_sided"] == pytest.approx(
        1e4 * merge_runs.exact_upper(1, 30_000)
    )


def test_reasons_for_a_person_are_grouped_without_their_figures(bench):
    kind = bench.reason_kind
    assert kind("not clear: 2 (faint mark); also seen: 1 (marked)") == (
        "not clear: faint mark"
    )
    assert kind(
        "not clear: 0 (dark paper round the box: a shadow?), 3 (faint mark)"
    ) == ("not clear: dark paper round the box: a shadow? + faint mark")
    assert kind("printed boxes not found where expected (match 0.21)") == (
        "printed boxes not found where expected"
    )
    assert kind("page registration uncertain (1.4 mm)") == (
        "page registration uncertain"
    )
    assert kind("no mark, but a measurement is close to a threshold: a person checks")


def test_items_sent_to_a_person_without_need_are_listed_one_by_one(capsys):
    """benchmarks/omr/review_items.py reads the benchmark's pages as the benchmark
    does, lists each item with its boxes, and puts the reader back as it was."""
    import openproms.paper.read as read

    path = BENCH.parent / "review_items.py"
    spec = importlib.util.spec_from_file_location("review_items", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    before = read._decide, read.flatten_creases
    assert mod.main(["--forms", "3", "--chunk", "3", "--scenarios", "folded_half"]) == 0
    assert (read._decide, read.flatten_creases) == before
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("folded_half: ") and "items to a person without need" in last
