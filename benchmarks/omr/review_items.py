"""Each item the reader sends to a person without need, one by one, with its boxes.

A diagnostic for tuning, not a benchmark row: the benchmark's pages are made and
degraded exactly as `bench_omr.py --chunk` makes and degrades them (the same seeds
per chunk and per scenario), read with `read_image`, and every item that goes to a
person though it did not need one is printed with its true marks, its reason, and
per box the measures the decision was taken on (darkness above the page's empty
boxes, strong-ink share, unexplained ink round the box in mm2, peak above the page's
empty boxes, shade and noise of the paper round it) and the box's state, after the
page's empty boxes' own mean and peak (the noise rule weighs a box's peak itself,
not its peak above theirs, against the noise); and, per scenario, how many pages
had 0, 1, 2... creases found (black-and-white pages are not searched). Run from
the repository root:

    PYTHONPATH=. .venv/bin/python benchmarks/omr/review_items.py --forms 40 \\
        --chunk 20 --scenarios folded_thirds

The figures it counts are those of `bench_omr.py` but for the erased-mark rescoring
(a mark the degradation erased completely is counted here as needing no person).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import collections
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

cv2.setNumThreads(1)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_omr import make_corpus  # noqa: E402

import openproms.paper.read as read  # noqa: E402
import openproms.paper.read_crease as read_crease  # noqa: E402
from openproms.paper.simulate import SCENARIOS  # noqa: E402

_seen: dict[str, tuple[Any, float, float]] = {}
_decide = read._decide
_flatten = read.flatten_creases
_creases: list[int] = []


def _counting(dark: Any, page: Any) -> Any:
    """``read.flatten_creases``, counting the creases found on each page."""
    _creases.append(len(read_crease.find_creases(dark, page)))
    return _flatten(dark, page)


def _keeping(row: Any, measures: Any, base: float, peak_base: float, *a: Any) -> Any:
    """``read._decide``, keeping each row's measures for the listing."""
    _seen[row.item_id] = (measures, base, peak_base)
    return _decide(row, measures, base, peak_base, *a)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=40)
    ap.add_argument("--chunk", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--scenarios", required=True)
    args = ap.parse_args(argv)
    read._decide = _keeping  # type: ignore[assignment]
    read.flatten_creases = _counting
    try:
        for name in args.scenarios.split(","):
            _creases.clear()
            _list(name, args.forms, args.chunk, args.seed)
    finally:
        read._decide = _decide
        read.flatten_creases = _flatten
    return 0


def _list(name: str, forms: int, chunk: int, seed0: int) -> None:
    done = k = unneeded = items = 0
    while done < forms:
        seed = seed0 + 7919 * k  # as bench_omr.py seeds each chunk
        corpus = make_corpus(min(chunk, forms - done), 200.0, seed, None)
        rng = np.random.default_rng(seed + 1000)
        for form in corpus:
            img = SCENARIOS[name](form["img"], rng)
            _seen.clear()
            items += len(form["truth"])
            got = [r for r in read.read_image(img) if r.status == "read"]
            if not got:
                print(f"{name} chunk {k} form {form['index']}: page not read")
                continue
            by_id = {i.item_id: i for i in got[0].items}
            for t in form["truth"]:
                it = by_id[t.item_id]
                if not it.needs_person or t.expect == "flag":
                    continue
                unneeded += 1
                marks = ", ".join(f"{c} {s}" for c, s in t.marks) or "none"
                print(
                    f"{name} chunk {k} form {form['index']} {t.item_id} "
                    f"(marks: {marks}; confidence {it.confidence}): {it.reason}"
                )
                if t.item_id not in _seen:
                    continue
                measures, base, peak_base = _seen[t.item_id]
                print(f"    page's empty boxes: mean {base:.4f} peak {peak_base:.4f}")
                for (code, mean, ink, out, peak, shade, noise, _), box in zip(
                    measures, it.boxes, strict=False
                ):
                    print(
                        f"    box {code}: dark {mean - base:+.4f} ink {ink:.3f} "
                        f"round {out:.2f} peak {peak - peak_base:+.4f} "
                        f"shade {shade:.3f} noise {noise:.4f}: {box.state}"
                    )
        done += chunk
        k += 1
    by = sorted(collections.Counter(_creases).items())
    print(f"{name}: pages by creases found: " + ", ".join(f"{n}: {p}" for n, p in by))
    print(
        f"{name}: {unneeded} of {items} items to a person without need "
        f"({100 * unneeded / max(items, 1):.1f}%)"
    )


if __name__ == "__main__":
    sys.exit(main())
