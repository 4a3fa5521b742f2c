"""Benchmark: what each browser journey pays for its demo (decision 0037).

Run from the repository root (SQLite; or set OPENPROMS_DATABASE_URL for
PostgreSQL, whose test database ``test_<name>`` is made and dropped as pytest
does)::

    .venv/bin/python benchmarks/demo_snapshot/bench_demo_snapshot.py [--runs 5]

Makes a test database as the test suite does (settings as under pytest: tasks
run inline, files in a temporary data folder), then times:

* ``seed``: the whole demo seeded into the empty database (what every journey
  paid before: ``run_seeders()``);
* ``take``: the snapshot of every table, sequence and media file, once a run;
* ``flush``: Django's flush that ends every transactional test (paid before and
  after, shown for scale);
* ``restore``: the snapshot put back after a flush (what every journey but the
  first pays now), the best and median of ``--runs``.

Prints the figures and the load average as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ["OPENPROMS_TESTING"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from openproms.core.demo import run_seeders
    from tests.conftest import audit_triggers_lifted
    from tests.demo_snapshot import DemoSnapshot

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        context = run_seeders()
        seed = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            snapshot = DemoSnapshot.take(
                context, day=timezone.localdate(), folder=Path(folder) / "snapshot"
            )
            take = time.perf_counter() - started
            flushes, restores = [], []
            for _ in range(args.runs):
                started = time.perf_counter()
                with audit_triggers_lifted():
                    call_command("flush", verbosity=0, interactive=False)
                flushes.append(time.perf_counter() - started)
                started = time.perf_counter()
                snapshot.restore()
                restores.append(time.perf_counter() - started)
            snapshot.close()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "seed_s": round(seed, 2),
                "take_s": round(take, 2),
                "flush_best_s": round(min(flushes), 2),
                "restore_best_s": round(min(restores), 2),
                "restore_median_s": round(statistics.median(restores), 2),
                "runs": args.runs,
                "loadavg": load,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
