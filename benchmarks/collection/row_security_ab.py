#!/usr/bin/env python3
"""Row-level security off and on for the collection pages, measured A/B in process.

    OPENPROMS_DATABASE_URL=postgres://rls_app@127.0.0.1:5432/rls_bench \\
        .venv/bin/python benchmarks/collection/row_security_ab.py \\
        --data-dir benchmarks/out/rls-collection [--rounds 60] [--worker 1]

PostgreSQL only, on a database seeded by ``run.py`` and connected as a plain role
that owns the tables (a superuser passes every policy, so both columns would measure
"off"; see benchmarks/README.md, "Row-level security"). One seeded worker's due
list, a person's page and an answering page are fetched in turn with the wall down
(``ROW_LEVEL_SECURITY`` off: no organisation named, no policy narrows a row) and up
(the organisation named on the connection, every walled table's policy checked),
alternating request by request, so a busy machine slows both alike. Each request's
connection is closed after it, as under ``openproms start``. The table gives each
page's median and p95 wall time and median CPU time, and the change in per cent;
``run.py`` run twice with ``OPENPROMS_ROW_LEVEL_SECURITY=0`` and ``=1`` gives the
figures under load.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inprocess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--worker", type=int, default=1)
    args = parser.parse_args()
    inprocess.setup(args.data_dir)
    from django.db import connections
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    if connections["default"].vendor != "postgresql":
        raise SystemExit(
            "Row-level security is PostgreSQL's: set OPENPROMS_DATABASE_URL."
        )
    on, off = inprocess.signed_in(args.worker), inprocess.signed_in(args.worker)
    modes = {
        "on": (on, lambda: override_settings(ROW_LEVEL_SECURITY=True)),
        "off": (off, lambda: override_settings(ROW_LEVEL_SECURITY=False)),
    }
    pages = inprocess.worker_pages(on)
    for mode, (client, context) in modes.items():  # warm both; show the wall is up
        with context(), CaptureQueriesContext(connections["default"]) as queries:
            for url in pages.values():
                client.get(url)
        named = sum("set_config" in q["sql"] for q in queries.captured_queries)
        print(f"wall {mode}: {named} set_config statements over the three pages")
    timings = inprocess.alternate(pages, modes, args.rounds)
    print(
        f"\n{args.rounds} rounds, worker {args.worker}, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    inprocess.print_ab(timings, pages, "wall", base="off")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
