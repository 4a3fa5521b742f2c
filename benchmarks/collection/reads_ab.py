#!/usr/bin/env python3
"""The cost of the audit of reads on the collection pages, measured A/B in process.

    .venv/bin/python benchmarks/collection/reads_ab.py --data-dir benchmarks/out/coll-after \
        [--rounds 60] [--worker 1]

On a database seeded by ``run.py`` (and migrated), one seeded worker's due list,
a person's page and an answering page are fetched in turn through two Django test
clients: one with ReadAuditMiddleware (each request writes its read event), one
without (the same code, the event never written). The two alternate request by
request, so a busy machine slows both alike; the table gives each page's median and
p95 wall time and median CPU time for both, and the change in per cent. Run
``run.py`` for the figures under load; this isolates what the audit adds.

As under ``openproms start``, each request's database connection is closed after
it, and one idle SQLite connection is held open (``--no-keeper`` leaves it out:
then the close after each write copies SQLite's log back, about 15 ms).
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--worker", type=int, default=1)
    parser.add_argument("--no-keeper", action="store_true")
    args = parser.parse_args()
    inprocess.setup(args.data_dir)
    from django.conf import settings
    from django.test import override_settings

    from openproms.cli import _hold_sqlite_open

    keeper = (
        None if args.no_keeper else _hold_sqlite_open(settings.DATABASES["default"])
    )
    on, off = inprocess.signed_in(args.worker), inprocess.signed_in(args.worker)
    without = [m for m in settings.MIDDLEWARE if not m.endswith("ReadAuditMiddleware")]
    with override_settings(MIDDLEWARE=without):
        off.get("/healthz/")  # the client's handler keeps the chain it loads first
    pages = inprocess.worker_pages(on)
    for client in (on, off):  # warm both
        for url in pages.values():
            client.get(url)
    timings = inprocess.alternate(
        pages, {"with": (on, nullcontext), "without": (off, nullcontext)}, args.rounds
    )
    print(
        f"\n{args.rounds} rounds, worker {args.worker}, load average "
        f"{os.getloadavg()[0]:.1f} at the end, "
        f"{'no idle connection held' if keeper is None else 'idle connection held'}\n"
    )
    inprocess.print_ab(timings, pages, "audit", base="without")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
