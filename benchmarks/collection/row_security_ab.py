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
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--worker", type=int, default=1)
    args = parser.parse_args()
    os.environ["OPENPROMS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from openproms.accounts.models import User

    if connections["default"].vendor != "postgresql":
        raise SystemExit(
            "Row-level security is PostgreSQL's: set OPENPROMS_DATABASE_URL."
        )

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as start does
    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(email=f"worker{args.worker}@bench.example")
    on, off = Client(), Client()
    for client in (on, off):
        client.force_login(user)
        session = client.session
        session["openproms_login_at"] = time.time()  # as a sign-in sets it
        session.save()
    modes = {
        "on": override_settings(ROW_LEVEL_SECURITY=True),
        "off": override_settings(ROW_LEVEL_SECURITY=False),
    }
    due = on.get("/o/bench/due/").content.decode()
    person = re.search(r'href="(/o/bench/people/\d+/)"', due)
    point = re.search(r'href="(/o/bench/answer/time-points/\d+/)"', due)
    if person is None or point is None:
        raise SystemExit("The worker's due list has no one due: seed first (run.py).")
    pages = {
        "due list": "/o/bench/due/",
        "person page": person.group(1),
        "answering page": point.group(1),
    }
    timings: dict[tuple[str, str], list[tuple[float, float]]] = {
        (page, mode): [] for page in pages for mode in ("on", "off")
    }
    for mode, client in (("on", on), ("off", off)):  # warm both; show the wall is up
        with modes[mode], CaptureQueriesContext(connections["default"]) as queries:
            for url in pages.values():
                client.get(url)
        named = sum("set_config" in q["sql"] for q in queries.captured_queries)
        print(f"wall {mode}: {named} set_config statements over the three pages")
    for round_ in range(args.rounds):
        for page, url in pages.items():
            order = [("on", on), ("off", off)]
            if round_ % 2:
                order.reverse()
            for mode, client in order:
                wall, cpu = time.perf_counter(), time.process_time()
                with modes[mode]:
                    response = client.get(url)
                connections.close_all()  # as the server does when a request ends
                timings[(page, mode)].append(
                    (time.perf_counter() - wall, time.process_time() - cpu)
                )
                assert response.status_code == 200, (url, response.status_code)
    print(
        f"\n{args.rounds} rounds, worker {args.worker}, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| page | wall | median ms | p95 ms | median CPU ms | p95 change | "
        "median CPU change |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for page in pages:
        base = timings[(page, "off")]
        base_p95 = _p95([w for w, _ in base])
        base_cpu = statistics.median(c for _, c in base)
        for mode in ("off", "on"):
            rows = timings[(page, mode)]
            walls = [w for w, _ in rows]
            cpu = statistics.median(c for _, c in rows)
            change = (
                "" if mode == "off" else f"{100 * (_p95(walls) / base_p95 - 1):+.1f}%"
            )
            cpu_change = "" if mode == "off" else f"{100 * (cpu / base_cpu - 1):+.1f}%"
            print(
                f"| {page} | {mode} | {1000 * statistics.median(walls):.1f} | "
                f"{1000 * _p95(walls):.1f} | {1000 * cpu:.1f} | {change} | "
                f"{cpu_change} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
