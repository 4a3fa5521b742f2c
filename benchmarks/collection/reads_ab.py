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
    from django.test import Client, override_settings

    from openproms.accounts.models import User

    call_command("migrate", verbosity=0)
    settings.ALLOWED_HOSTS = ["*"]
    user = User.objects.get(email=f"worker{args.worker}@bench.example")
    on, off = Client(), Client()
    for client in (on, off):
        client.force_login(user)
        session = client.session
        session["openproms_login_at"] = time.time()  # as a sign-in sets it
        session.save()
    without = [m for m in settings.MIDDLEWARE if not m.endswith("ReadAuditMiddleware")]
    with override_settings(MIDDLEWARE=without):
        off.get("/healthz/")  # the client's handler keeps the chain it loads first
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
        (page, mode): [] for page in pages for mode in ("with", "without")
    }
    for client in (on, off):  # warm both
        for url in pages.values():
            client.get(url)
    for round_ in range(args.rounds):
        for page, url in pages.items():
            order = [("with", on), ("without", off)]
            if round_ % 2:
                order.reverse()
            for mode, client in order:
                wall, cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings[(page, mode)].append(
                    (time.perf_counter() - wall, time.process_time() - cpu)
                )
                assert response.status_code == 200, (url, response.status_code)
    print(
        f"\n{args.rounds} rounds, worker {args.worker}, load average "
        f"{os.getloadavg()[0]:.1f} at the end\n"
    )
    print(
        "| page | audit | median ms | p95 ms | median CPU ms | p95 change | "
        "median CPU change |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for page in pages:
        base = timings[(page, "without")]
        base_p95 = _p95([w for w, _ in base])
        base_cpu = statistics.median(c for _, c in base)
        for mode in ("without", "with"):
            rows = timings[(page, mode)]
            walls = [w for w, _ in rows]
            cpu = statistics.median(c for _, c in rows)
            change = (
                ""
                if mode == "without"
                else f"{100 * (_p95(walls) / base_p95 - 1):+.1f}%"
            )
            cpu_change = (
                "" if mode == "without" else f"{100 * (cpu / base_cpu - 1):+.1f}%"
            )
            print(
                f"| {page} | {mode} | {1000 * statistics.median(walls):.1f} | "
                f"{1000 * _p95(walls):.1f} | {1000 * cpu:.1f} | {change} | "
                f"{cpu_change} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
