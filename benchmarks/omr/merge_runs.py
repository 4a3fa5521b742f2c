"""Add up `bench_omr.py` runs over disjoint chunks of one seed.

A long run can be split across cores by chunk: the same ``--seed``, ``--chunk`` and
scenarios, with ``--first-chunk`` and ``--forms`` choosing each part's chunks (for
example chunks 0-49 in one process and ``--first-chunk 50 --forms 1500`` in
another). This adds their counts per scenario and recomputes the shares, rates and
bounds, as one run over all those chunks would report them (the risk-coverage curve,
which needs every item's confidence, is left out)::

    .venv/bin/python benchmarks/omr/merge_runs.py OUT.json PART1.json PART2.json ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_omr import EXAMPLES, exact_upper, wilson_upper

COUNTS = (
    "pages",
    "items",
    "pages_read",
    "pages_rejected",
    "pages_misidentified",
    "review",
    "review_unneeded",
    "accepted",
    "accepted_correct",
    "silent",
    "erased",
    "trace_on_print_only",
)


def merge(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The scenarios' results of ``parts`` (each a bench_omr JSON) added up."""
    acc: dict[str, dict[str, Any]] = {}
    for part in parts:
        for r in part["results"]:
            a = acc.setdefault(
                r["scenario"],
                {"cpu": 0.0, "must": 0.0, "by_style": {}, "examples": []}
                | dict.fromkeys(COUNTS, 0),
            )
            for k in COUNTS:
                a[k] += r.get(k, 0)
            a["cpu"] += r["cpu_s_per_page"] * r["pages"]
            a["must"] += r["must_flag_share"] * r["items"]
            for style, counts in r["by_style"].items():
                mine = a["by_style"].setdefault(style, {})
                for k, x in counts.items():
                    mine[k] = mine.get(k, 0) + x
            a["examples"] += r.get("silent_examples", [])
    out = []
    for name, a in acc.items():
        n = max(a["items"], 1)
        out.append(
            {"scenario": name}
            | {k: a[k] for k in COUNTS}
            | {
                "accepted_share": a["accepted"] / n,
                "accepted_accuracy": a["accepted_correct"] / max(a["accepted"], 1),
                "silent_per_10k": 1e4 * a["silent"] / n,
                "silent_per_10k_upper95": 1e4 * wilson_upper(a["silent"], n),
                "silent_per_10k_exact_upper95_one_sided": 1e4
                * exact_upper(a["silent"], n),
                "review_share": a["review"] / n,
                "review_unneeded_share": a["review_unneeded"] / n,
                "must_flag_share": a["must"] / n,
                "cpu_s_per_page": a["cpu"] / max(a["pages"], 1),
                "pages_per_s_per_core": a["pages"] / max(a["cpu"], 1e-9),
                "by_style": a["by_style"],
                "silent_examples": a["examples"][:EXAMPLES],
            }
        )
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    out, *paths = argv
    parts = [json.loads(Path(p).read_text()) for p in paths]
    Path(out).write_text(
        json.dumps({"merged_from": paths, "results": merge(parts)}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
