"""Benchmark: the weekly collection page ("Weekly collection", the manager's page of
completion and follow-up capture per service and per worker over 12 weeks), timed
through the Django test client on a seeded database.

Run from the repository root. The first run seeds a database in ``--data-dir``
(``openproms manage migrate`` and ``openproms manage seed --service-users N
--administrations M``); later runs with the same folder reuse it::

    .venv/bin/python benchmarks/reminders/capture_page.py \\
        --service-users 20000 --administrations 200000 \\
        --data-dir benchmarks/out/reminders-20k [--runs 5] [--check]

Full size (100,000 people, 1,000,000 answers)::

    .venv/bin/python benchmarks/reminders/capture_page.py \\
        --service-users 100000 --administrations 1000000 \\
        --data-dir benchmarks/out/reminders-100k --runs 5 --check

On PostgreSQL set ``OPENPROMS_DATABASE_URL`` to an empty database of its own first.

It signs in as ``manager@bench.example`` with the second factor given (as
``tests/conftest.py:verified_client``), names an implementation lead for every
service, and times GET of the page for all services and for one service: one
warm-up, then the median of ``--runs``. It prints JSON: each page's median and
runs, its queries, the machine's load average before and after, and the median
CPU time of this process for one page (user and system: less swayed by the other
work on the machine than the wall clock; on SQLite the whole query runs in this
process, on PostgreSQL the server's share is not in it); then, with
``--check``, how many series-weeks were checked equal to ``collection_rates`` for
the same week (one call per series and week: slow at full size).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _seed(data_dir: Path, people: int, answers: int, workers: int) -> float:
    env = {**os.environ, "OPENPROMS_DATA_DIR": str(data_dir)}
    python = str(ROOT / ".venv" / "bin" / "python")
    started = time.perf_counter()
    for command in (
        ["migrate", "--verbosity", "0"],
        [
            "seed",
            "--service-users",
            str(people),
            "--administrations",
            str(answers),
            "--workers",
            str(workers),
        ],
    ):
        subprocess.run(
            [python, "-m", "openproms.cli", "manage", *command], env=env, check=True
        )
    return time.perf_counter() - started


def _counter(queries: list[str]) -> Callable[..., Any]:
    """An execute wrapper that lists the SQL run (the request's start empties the
    query log that CaptureQueriesContext reads, so it counted none)."""

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    return wrapper


def _median(times: list[float]) -> float:
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--service-users", type=int, default=20_000)
    parser.add_argument("--administrations", type=int, default=200_000)
    parser.add_argument("--workers", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "benchmarks/out/reminders-page"
    )
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    marker = data_dir / "seeded.json"
    seeded_seconds = None
    if not marker.exists():
        seeded_seconds = _seed(
            data_dir, args.service_users, args.administrations, args.workers
        )
        marker.write_text(
            json.dumps(
                {
                    "service_users": args.service_users,
                    "administrations": args.administrations,
                    "workers": args.workers,
                    "seconds": round(seeded_seconds),
                }
            )
        )
    seeded = json.loads(marker.read_text())

    os.environ["OPENPROMS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collected static files in the data folder: plain static URLs, as in tests.
    override_settings(
        ALLOWED_HOSTS=["*"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {
                "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            },
        },
    ).enable()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice

    from openproms.accounts.models import Organisation, Service, User
    from openproms.reminders.models import ImplementationLead

    organisation = Organisation.objects.get(slug="bench")
    manager = User.objects.get(email="manager@bench.example")
    services = list(Service.objects.filter(organisation=organisation).order_by("pk"))
    for service in services:
        ImplementationLead.objects.get_or_create(
            organisation=organisation, service=service, defaults={"lead": manager}
        )

    client = Client()
    client.force_login(manager)
    device, _ = StaticDevice.objects.get_or_create(user=manager, name="benchmark")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["openproms_login_at"] = time.time()
    session.save()
    url = reverse("reminders:capture", kwargs={"org_slug": "bench"})

    results: dict[str, Any] = {
        "database": connection.vendor,
        **{key: seeded[key] for key in ("service_users", "administrations", "workers")},
        "seeded_seconds": seeded_seconds,
        "load_average_before": os.getloadavg(),
    }
    for name, params in (
        ("all_services", {}),
        ("one_service", {"service": str(services[0].pk)}),
    ):
        queries: list[str] = []
        with connection.execute_wrapper(_counter(queries)):
            response = client.get(url, params)  # warm-up
        assert response.status_code == 200, response.status_code
        times = []
        cpu = []
        for _ in range(args.runs):
            begun, begun_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params)
            times.append(time.perf_counter() - begun)
            cpu.append(time.process_time() - begun_cpu)
            assert response.status_code == 200, response.status_code
        results[name] = {
            "median_s": _median(times),
            "runs": [round(t, 3) for t in times],
            "cpu_median_s": _median(cpu),
            "queries": len(queries),
            "bytes": len(response.content),
        }
    results["load_average_after"] = os.getloadavg()
    print(json.dumps(results, indent=2), flush=True)

    if args.check:
        from openproms.collection.counts import collection_rates
        from openproms.reminders.capture import capture_overview

        today = timezone.localdate()
        overview = capture_overview(organisation, today=today)
        series = overview["services"] + overview["workers"]
        compared = 0
        for line in series:
            for week in line.weeks:
                rates = collection_rates(
                    organisation,
                    service=line.service,
                    worker=line.worker,
                    period=(week.start, week.end),
                    today=today,
                )
                assert rates.counts == week.counts, (line.label, week.start)
                assert rates.baseline_answered == week.baseline_answered
                assert rates.followed_up == week.followed_up
                compared += 1
        print(json.dumps({"weeks_equal_to_collection_rates": compared}))


if __name__ == "__main__":
    main()
