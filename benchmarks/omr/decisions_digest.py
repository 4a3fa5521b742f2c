"""Per-item decisions of the OMR reader on a fixed, seeded sample, and their digest.

Shows that a change to the reader which should not change what it decides (moving
code, renaming, speeding up a step) does not: run this before and after, and
compare the SHA-256 on the last line (and, if they differ, the lines).

The sample is the benchmark's own corpus (`bench_omr.make_corpus`: seeded forms of
PHQ-9, CORE-10, ONS4, RAND-36 and GAD-7, every fifth in large print, one page each at
200 dpi, filled from the benchmark's mix of marks), degraded per scenario exactly as
`bench_omr.py` degrades it (one generator per scenario seeded ``seed + 1000``, drawn
from form by form), and read with `read_image`. Run from the repository root:

    PYTHONPATH=. .venv/bin/python benchmarks/omr/decisions_digest.py
    PYTHONPATH=. .venv/bin/python benchmarks/omr/decisions_digest.py --pages 5 \\
        --scenarios all --out /tmp/decisions.tsv

(``PYTHONPATH=.`` reads with the checkout the command is run in, not the one the
virtualenv was installed from.) One line per item, tab-separated: scenario, page
(form number, measure, page of the form), item, decision, value (the answer's code,
or "-"), whether a person checks it ("person" or "auto"), confidence, reason. A page
the reader could not read gives one line with its status and reason. The last line
is the SHA-256 of all the lines before it (each ending in a newline). ``--out``
writes the same to a file, after a first line (starting with "#") naming the
sample; tests/paper/data/decisions_pinned.tsv is such a file.

By default the scenarios are the 19 the reader was tuned on (``EXISTING``), so the
digest of a checkout without the later scenarios can be compared; ``--scenarios
all`` takes every scenario in ``simulate.SCENARIOS``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import hashlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import cv2
import numpy as np

cv2.setNumThreads(1)

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_omr import make_corpus  # noqa: E402

from openproms.paper import read_image  # noqa: E402
from openproms.paper.simulate import SCENARIOS  # noqa: E402

EXISTING = (
    "clean",
    "rotate_4",
    "rotate_10",
    "rotate_90",
    "rotate_180_skew_2",
    "keystone_5",
    "keystone_10",
    "blur_2px",
    "motion_blur_7px",
    "jpeg_20",
    "low_res_100dpi",
    "uneven_light",
    "hard_shadow",
    "soft_shadow",
    "noise",
    "photocopy",
    "phone_good",
    "phone_typical",
    "phone_bad",
)
"""The scenarios of the benchmark before the damage of real post, faxes and desks
was added (issue 19): the digest's default."""

SEED = 20261207
PAGES = 5
DPI = 200.0


def decision_lines(
    scenarios: Iterable[str], pages: int = PAGES, seed: int = SEED
) -> Iterator[str]:
    """One line per item read (see the module docstring), scenario by scenario."""
    corpus = make_corpus(pages, DPI, seed, None)
    for name in scenarios:
        degrade = SCENARIOS[name]
        rng = np.random.default_rng(seed + 1000)
        for form in corpus:
            img = degrade(form["img"], rng)
            where = f"{form['index']} {form['measure']} p{form['page']}"
            for r in read_image(img):
                if r.status != "read":
                    yield f"{name}\t{where}\t-\t{r.status}\t-\t-\t-\t{r.reason}"
                    continue
                for it in r.items:
                    value = "-" if it.code is None else str(it.code)
                    who = "person" if it.needs_person else "auto"
                    yield (
                        f"{name}\t{where}\t{it.item_id}\t{it.decision}\t{value}"
                        f"\t{who}\t{it.confidence:.3f}\t{it.reason}"
                    )


def digest(lines: Iterable[str]) -> str:
    """SHA-256 (hex) of the lines, each ending in a newline."""
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=PAGES, help="pages per scenario")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument(
        "--scenarios",
        default=",".join(EXISTING),
        help="comma-separated names, or 'all' (default: the 19 original ones)",
    )
    ap.add_argument("--out", type=Path, help="also write the lines here")
    args = ap.parse_args(argv)
    names = list(SCENARIOS) if args.scenarios == "all" else args.scenarios.split(",")
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        ap.error(f"no such scenario: {', '.join(unknown)}")
    lines = list(decision_lines(names, args.pages, args.seed))
    text = "".join(f"{line}\n" for line in lines)
    sys.stdout.write(text)
    total = digest(lines)
    print(f"sha256 {total} ({len(lines)} lines, {len(names)} scenarios)")
    if args.out:
        made_by = (
            f"# benchmarks/omr/decisions_digest.py --pages {args.pages} "
            f"--seed {args.seed} --scenarios {','.join(names)}\n"
        )
        args.out.write_text(made_by + text + f"sha256 {total}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
