"""What the noise rule would do if it weighed only the core of each box: a
diagnostic for tuning, not a benchmark row, and not what the reader does.

The noise rule (``Thresholds.doubt_noise``) puts an otherwise empty box in doubt
when its peak darkness over the paper round it is 2.5 times that paper's noise or
more. On folded_photo it is the limit of every item sent to a person "close to a
threshold". This reads the benchmark's pages (seeded as ``bench_omr.py`` seeds
each chunk) with the reader as it is, and decides each item a second time with
the noise rule weighing the peak of the box's core (the measured inside inset by
``--extra`` mm more) instead of the whole inside. It prints every item whose
decision would change, and per scenario how many items would no longer go to a
person, and whether their answer would be right. Run from the repository root:

    PYTHONPATH=. .venv/bin/python benchmarks/omr/review_noise_core.py --forms 100 \\
        --scenarios folded_photo,phone_bad,phone_typical,desk_photo,noise
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
from openproms.paper.read_measure import _sl  # noqa: E402
from openproms.paper.simulate import SCENARIOS  # noqa: E402

_measure_row = read._measure_row
_decide = read._decide


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=100)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--extra", type=float, default=0.5, help="mm inside the inset")
    ap.add_argument("--scenarios", required=True)
    args = ap.parse_args(argv)
    drop: dict[tuple[str, int], float] = {}
    changed: list[tuple[str, Any, Any]] = []

    def measuring(dark, smooth, explained, bands, row, inset, dx, dy):  # type: ignore[no-untyped-def]
        out = _measure_row(dark, smooth, explained, bands, row, inset, dx, dy)
        for o in row.options:
            whole = smooth[_sl(o.box.inset(inset), dx, dy)]
            core = smooth[_sl(o.box.inset(inset + args.extra), dx, dy)]
            if whole.size and core.size:
                drop[(row.item_id, o.code)] = max(
                    0.0, float(np.percentile(whole, 98) - np.percentile(core, 98))
                )
        return out

    def deciding(row, measures, base, peak_base, *a):  # type: ignore[no-untyped-def]
        now = _decide(row, measures, base, peak_base, *a)
        # The noise rule weighs peak / noise: the core's peak over the same noise
        # is the whole peak over a noise scaled up by peak / core peak.
        cored = []
        for code, mean, ink, outside, peak, shade, noise, broad in measures:
            core_peak = peak - drop.get((row.item_id, code), 0.0)
            if noise > 0 and peak > 0 and core_peak < peak:
                noise = noise * peak / core_peak if core_peak > 1e-6 else 1e9
            cored.append((code, mean, ink, outside, peak, shade, noise, broad))
        then = _decide(row, cored, base, peak_base, *a)
        if (now.needs_person, now.code) != (then.needs_person, then.code):
            changed.append((row.item_id, now, then))
        return now

    read._measure_row = measuring  # type: ignore[assignment]
    read._decide = deciding  # type: ignore[assignment]
    try:
        for name in args.scenarios.split(","):
            _one(name, args.forms, args.seed, drop, changed)
    finally:
        read._measure_row = _measure_row
        read._decide = _decide
    return 0


def _one(
    name: str,
    forms: int,
    seed0: int,
    drop: dict[tuple[str, int], float],
    changed: list[tuple[str, Any, Any]],
) -> None:
    counts: collections.Counter[str] = collections.Counter()
    done = k = 0
    while done < forms:
        seed = seed0 + 7919 * k  # as bench_omr.py seeds each chunk
        corpus = make_corpus(min(50, forms - done), 200.0, seed, None)
        rng = np.random.default_rng(seed + 1000)
        for form in corpus:
            img = SCENARIOS[name](form["img"], rng)
            drop.clear()
            changed.clear()
            counts["items"] += len(form["truth"])
            if not [r for r in read.read_image(img) if r.status == "read"]:
                continue
            truth = {t.item_id: t for t in form["truth"]}
            for item_id, now, then in changed:
                t = truth[item_id]
                if now.needs_person and not then.needs_person:
                    kind = "freed, right" if then.code == t.expect else "freed, WRONG"
                elif then.needs_person and not now.needs_person:
                    kind = "newly to a person"
                else:
                    kind = "other change"
                counts[kind] += 1
                print(
                    f"{name} chunk {k} form {form['index']} {item_id} "
                    f"(marks: {list(t.marks)}): {kind}: {now.reason} -> {then.reason}"
                )
        done += len(corpus)
        k += 1
    print(f"{name}: {dict(counts)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
