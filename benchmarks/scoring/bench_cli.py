"""Benchmark: `score` CLI on a 1,000,000-row PHQ-9 CSV (seconds and peak memory).

Run from the repository root:

    .venv/bin/python benchmarks/scoring/bench_cli.py [--rows 1000000] [--keep]

Writes a CSV of random complete PHQ-9 responses (id column + 10 items, 1% of rows
missing one item) to a temporary directory, runs
``openproms.scoring.cli.main(["score", "--measure", "phq9", IN, "-o", OUT])`` in a
fresh child process and reports wall-clock seconds and that child's own peak RSS
(ru_maxrss of RUSAGE_SELF, printed by the child). The CSV is generated in another
child so this parent stays small (a forked child's high-water mark would otherwise
include the parent's memory). The CLI reads and writes in chunks, so memory should
not grow with the number of rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20261122
WRAPPER = (
    "import resource, sys\n"
    "from openproms.scoring.cli import main\n"
    "rc = main(['score', '--measure', 'phq9', sys.argv[1], '-o', sys.argv[2]])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    "sys.exit(rc)\n"
)


def write_csv(path: Path, rows: int) -> None:
    """Random PHQ-9 answers, written in blocks to keep this script's memory low."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    header = ["id"] + [f"phq9_{i}" for i in range(1, 10)] + ["phq9_difficulty"]
    block = 100_000
    with path.open("w", encoding="utf-8") as f:
        f.write(",".join(header) + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            codes = rng.integers(0, 4, size=(n, 10)).astype(str)
            codes[rng.random(n) < 0.01, 3] = ""
            lines = (
                f"P{start + i}," + ",".join(row) for i, row in enumerate(codes.tolist())
            )
            f.write("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the CSV files")
    parser.add_argument("--generate", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        write_csv(Path(args.generate), args.rows)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="openproms-bench-"))
    src, dst = tmp / "phq9.csv", tmp / "scored.csv"
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--generate", str(src), "--rows", str(args.rows)],
        check=True,
    )
    gen = time.perf_counter() - t0
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, "-c", WRAPPER, str(src), str(dst)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - t0
    peak = float(done.stdout.strip().splitlines()[-1]) / 1024
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        return done.returncode
    with dst.open(encoding="utf-8") as f:
        out_rows = sum(1 for _ in f) - 1
    result = {
        "rows": args.rows,
        "input_mb": round(src.stat().st_size / 1e6, 1),
        "output_rows": out_rows,
        "cli_seconds": round(elapsed, 2),
        "rows_per_second": round(args.rows / elapsed),
        "peak_rss_mb": round(peak, 1),
        "csv_generation_seconds": round(gen, 2),
    }
    print(
        f"score CLI: {args.rows:,} rows ({result['input_mb']} MB) in {elapsed:.2f} s "
        f"({result['rows_per_second']:,} rows/s); peak RSS {peak:.1f} MB"
    )
    print(json.dumps(result, indent=2))
    if not args.keep:
        src.unlink()
        dst.unlink()
        tmp.rmdir()
    else:
        print(f"files kept in {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
