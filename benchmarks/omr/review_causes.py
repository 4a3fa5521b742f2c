"""Which step of the reader sends items to a person without need, per scenario.

A diagnostic for tuning, not a benchmark row: the benchmark's corpus (seeded as in
`bench_omr.py`) is degraded per scenario and read four times, with the page-level
shadow-band map as it is, without its thin straight lines (the Hough transform that
finds a band under 3 mm or a crease), without its broad bands, and without either.
For each reading it counts items sent to a person that did not need one (by
`bench_omr.reason_kind`) and items accepted wrongly (silent errors; the
erased-mark rescoring of the benchmark is not done here, so a mark a degradation
erased completely counts as an error). Run from the repository root:

    PYTHONPATH=. .venv/bin/python benchmarks/omr/review_causes.py --forms 20 \\
        --scenarios folded_thirds,folded_half,folded_photo
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np

cv2.setNumThreads(1)
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_omr import make_corpus, reason_kind  # noqa: E402

import openproms.paper.read_bands as bands  # noqa: E402
from openproms.paper import read_image  # noqa: E402
from openproms.paper.simulate import SCENARIOS  # noqa: E402

VARIANTS = ("as it is", "no thin lines", "no broad bands", "no band map")


def _set(variant: str, saved: dict[str, Any]) -> None:
    bands.LINE_MM = 1e6 if variant in ("no thin lines", "no band map") else saved["L"]
    bands._BAND_LINES = (
        () if variant in ("no broad bands", "no band map") else saved["B"]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--forms", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--scenarios", required=True)
    args = ap.parse_args(argv)
    corpus = make_corpus(args.forms, 200.0, args.seed, None)
    saved = {"L": bands.LINE_MM, "B": bands._BAND_LINES}
    for name in args.scenarios.split(","):
        rng = np.random.default_rng(args.seed + 1000)
        pages = [(f, SCENARIOS[name](f["img"], rng)) for f in corpus]
        items = sum(len(f["truth"]) for f in corpus)
        for variant in VARIANTS:
            _set(variant, saved)
            why: Counter[str] = Counter()
            silent = rejected = 0
            for form, img in pages:
                read = [r for r in read_image(img) if r.status == "read"]
                if not read:
                    rejected += 1
                    continue
                by_id = {i.item_id: i for i in read[0].items}
                for t in form["truth"]:
                    it = by_id[t.item_id]
                    if it.needs_person and t.expect != "flag":
                        why[reason_kind(it.reason)] += 1
                    elif not it.needs_person and it.code != t.expect:
                        silent += 1
            unneeded = sum(why.values())
            print(
                f"{name} | {variant} | {items} items | pages rejected {rejected} | "
                f"unneeded {unneeded} ({100 * unneeded / items:.1f}%) | "
                f"silent {silent} | "
                + "; ".join(f"{k}: {v}" for k, v in why.most_common(4)),
                flush=True,
            )
    _set("as it is", saved)
    return 0


if __name__ == "__main__":
    sys.exit(main())
