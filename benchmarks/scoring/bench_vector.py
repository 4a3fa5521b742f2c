"""Benchmark: vectorised scoring of 1,000,000 complete PHQ-9 and SWEMWBS responses.

Run from the repository root:

    .venv/bin/python benchmarks/scoring/bench_vector.py [--rows 1000000]

Each measure runs in a fresh child process (so peak memory, ru_maxrss, is its own).
Reported per measure: responses/s of score_table (best of 5), the ratio to a bare
numpy row-sum of the same array, the ratio to a scalar Python loop (score_response
on a timed sample, extrapolated: stated in the output), peak RSS and the
tracemalloc peak of the scoring call. Single core: thread pools are pinned to 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402  (thread settings must come first)

SEED = 20261122
SCALAR_SAMPLE = 20_000
REPEATS = 5


def child(measure_id: str, rows: int) -> dict[str, object]:
    """Time one measure in this process and return the figures."""
    from openproms.scoring import get_measure, score_response, score_table

    defn = get_measure(measure_id)
    rng = np.random.default_rng(SEED)
    cols = [
        rng.integers(rs.min, rs.max + 1, size=rows, dtype=np.int8)
        for rs in (i.response_set for i in defn.items)
    ]
    arr = np.ascontiguousarray(np.column_stack(cols))
    if measure_id == "phq9":  # the unscored difficulty item is not needed
        arr[:, defn.item_ids.index("phq9_difficulty")] = 0

    scored = [defn.item_ids.index(i) for i in defn.scales[0].items]
    assert scored == list(range(scored[0], scored[-1] + 1))
    block = arr[:, scored[0] : scored[-1] + 1]

    def best(fn: object) -> float:
        times = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - t0)
        return min(times)

    t_vec = best(lambda: score_table(defn, arr))
    t_sum = best(lambda: block.sum(axis=1))

    tracemalloc.start()
    table = score_table(defn, arr)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert table.valid.all()

    sample = [
        {item_id: int(v) for item_id, v in zip(defn.item_ids, row, strict=True)}
        for row in arr[:SCALAR_SAMPLE].tolist()
    ]
    t0 = time.perf_counter()
    scalar = [score_response(defn, a) for a in sample]
    t_scalar_sample = time.perf_counter() - t0
    t_scalar = t_scalar_sample * rows / SCALAR_SAMPLE
    first = defn.scales[0].id
    assert all(
        s[first].value == v
        for s, v in zip(
            scalar[:1000], table.scales[first].value[:1000].tolist(), strict=True
        )
    )
    return {
        "measure": measure_id,
        "rows": rows,
        "vector_seconds": round(t_vec, 4),
        "responses_per_second": round(rows / t_vec),
        "rowsum_seconds": round(t_sum, 4),
        "ratio_to_rowsum": round(t_vec / t_sum, 2),
        "scalar_sample_rows": SCALAR_SAMPLE,
        "scalar_seconds_extrapolated": round(t_scalar, 1),
        "speedup_over_scalar": round(t_scalar / t_vec),
        "tracemalloc_peak_mb": round(traced_peak / 1e6, 1),
        "peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
        "numpy": np.__version__,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.rows)))
        return 0
    results = []
    for measure in ("phq9", "swemwbs"):
        done = subprocess.run(
            [sys.executable, __file__, "--child", measure, "--rows", str(args.rows)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout))
    for r in results:
        print(
            f"{r['measure']}: {r['rows']:,} responses in {r['vector_seconds']} s = "
            f"{r['responses_per_second']:,}/s; bare row-sum {r['rowsum_seconds']} s "
            f"(ratio {r['ratio_to_rowsum']}x); scalar loop {r['scalar_seconds_extrapolated']} s "
            f"(extrapolated from {r['scalar_sample_rows']:,} rows; "
            f"vector is {r['speedup_over_scalar']}x faster); "
            f"peak RSS {r['peak_rss_mb']} MB, tracemalloc peak {r['tracemalloc_peak_mb']} MB"
        )
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
