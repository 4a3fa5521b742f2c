#!/usr/bin/env python3
"""A worker's collection pages timed in process, with their queries.

    .venv/bin/python benchmarks/collection/pages.py --data-dir benchmarks/out/collection \\
        [--rounds 40] [--worker 1] [--profile PAGE]

On a database seeded by ``run.py`` (set ``OPENPROMS_DATABASE_URL`` for PostgreSQL),
one seeded worker's due list, the first person's page and an answering page it
links to are fetched ``--rounds`` times each through the Django test client (every
middleware, the audit of reads; each request's connection closed or kept after
it, as the server does). For each page: median and p95 wall time, median CPU time of this
process, the number of queries and the database's time for them (from one extra
request with the queries captured). ``--profile "person page"`` prints that page's
20 most expensive functions (cProfile, cumulative). ``run.py`` gives the figures
under load; this says where one request's time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--worker", type=int, default=1)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    inprocess.setup(args.data_dir)
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    client = inprocess.signed_in(args.worker)
    pages = inprocess.worker_pages(client)
    for url in pages.values():  # warm
        client.get(url)
    times: dict[str, list[tuple[float, float]]] = {page: [] for page in pages}
    for _ in range(args.rounds):
        for page, url in pages.items():
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            inprocess.request_done()
            times[page].append((time.perf_counter() - wall, time.process_time() - cpu))
            assert response.status_code == 200, (url, response.status_code)
    database = connections["default"].vendor
    print(
        f"\n{database}, worker {args.worker}, {args.rounds} rounds, load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} at the end\n"
    )
    print("| page | median ms | p95 ms | median CPU ms | queries | their database ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for page, url in pages.items():
        with CaptureQueriesContext(connections["default"]) as queries:
            client.get(url)
        sql_ms = 1000 * sum(float(q["time"]) for q in queries.captured_queries)
        walls = [w for w, _ in times[page]]
        cpu = statistics.median(c for _, c in times[page])
        print(
            f"| {page} | {1000 * statistics.median(walls):.1f} | "
            f"{1000 * inprocess.p95(walls):.1f} | {1000 * cpu:.1f} | "
            f"{len(queries.captured_queries)} | {sql_ms:.1f} |"
        )
    if args.profile:
        url = pages[args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            client.get(url)
            inprocess.request_done()
        profiler.disable()
        print(f"\n{args.profile}, 10 requests:")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(25)
        stats.sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
