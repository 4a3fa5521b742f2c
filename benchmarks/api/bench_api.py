"""Benchmark: p95 of the API's list and detail endpoints.

Run from the repository root::

    .venv/bin/python benchmarks/api/bench_api.py [--service-users 5000]
        [--administrations 50000] [--requests 200] [--no-seed] [--token SECRET]

Seeds (``openproms manage seed``, the benchmark organisation "bench") a fresh
SQLite database in a temporary folder, or the database ``OPENPROMS_DATABASE_URL``
names (PostgreSQL: give it an empty database, or one seeded before with
``--no-seed``), makes a read-only API token (or uses ``--token``, one made before
for the organisation "bench"), and sends ``--requests`` requests to each endpoint
through the whole Django stack in this process (middleware, the token gate with
its rate-limit UPDATE and its audit INSERT, django-ninja, serialisation): lists
of 100 (first pages, pages deep in the cursor, ``updated_since``), and details of
random rows. Prints each endpoint's p50 and p95 in milliseconds, the queries one
request makes, and the load average, as JSON (``--show-queries`` also prints each
query with its time). Target: p95 under 150 ms on the 1,000,000-administration
database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _setup(data_dir: str) -> None:
    os.environ.setdefault("OPENPROMS_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service-users", type=int, default=5000)
    parser.add_argument("--administrations", type=int, default=50000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--no-seed",
        action="store_true",
        help="use the database as it is (seeded before with openproms manage seed)",
    )
    parser.add_argument(
        "--token",
        default="",
        help="an API token of the organisation 'bench' made before (default: make one)",
    )
    parser.add_argument(
        "--show-queries",
        action="store_true",
        help="print each endpoint's queries (SQL and seconds) for one request",
    )
    parser.add_argument(
        "--only", default="", help="run only the endpoints whose name contains this"
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="openproms-bench-api-")
    _setup(folder)

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from openproms.accounts.models import Membership, Organisation
    from openproms.accounts.policy import Role
    from openproms.api.services import api_token_create
    from openproms.collection.models import Administration, TimePoint
    from openproms.people.models import Episode, ServiceUser

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if not args.no_seed:
        call_command(
            "seed",
            service_users=args.service_users,
            administrations=args.administrations,
            verbosity=0,
        )
    seeded = time.perf_counter() - started
    organisation = Organisation.objects.get(slug="bench")
    admin = Membership.objects.filter(
        organisation=organisation, role=Role.ORG_ADMIN
    ).first()
    assert admin is not None
    secret = args.token
    if not secret:
        secret = api_token_create(
            organisation=organisation,
            name="Benchmark",
            access="read",
            services=[],
            expires_on=dt.date.today() + dt.timedelta(days=1),
            actor=admin.user,
        ).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    rng = random.Random(1)
    base = "/o/bench/api/v1"

    def keys(model: type) -> list[int]:
        return list(
            model.objects.filter(organisation=organisation).values_list("pk", flat=True)  # type: ignore[attr-defined]
        )

    people = keys(ServiceUser)
    episodes = keys(Episode)
    points = keys(TimePoint)
    answers = keys(Administration)

    latest = (
        Administration.objects.filter(organisation=organisation)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    ) or dt.datetime.now(dt.UTC)

    def deep(pks: list[int]) -> str:
        import base64

        after = pks[rng.randrange(len(pks) // 2, len(pks))]
        return base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=")

    # Later than anything the seed wrote (people, episodes, answers): a sync
    # client asking when nothing has changed.
    future = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    def day_ago() -> dt.datetime:
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def stamp(when: dt.datetime) -> str:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    cases = {
        "people list (first page)": lambda: f"{base}/people?limit=100",
        "people list (deep cursor)": lambda: (
            f"{base}/people?limit=100&cursor={deep(people)}"
        ),
        "people list (updated_since, last day)": lambda: (
            f"{base}/people?limit=100&updated_since={stamp(day_ago())}"
        ),
        "people list (updated_since, nothing changed since)": lambda: (
            f"{base}/people?limit=100&updated_since={stamp(future)}"
        ),
        "person detail": lambda: f"{base}/people/{rng.choice(people)}",
        "episodes list (deep cursor)": lambda: (
            f"{base}/episodes?limit=100&cursor={deep(episodes)}"
        ),
        "episodes list (updated_since, last day)": lambda: (
            f"{base}/episodes?limit=100&updated_since={stamp(day_ago())}"
        ),
        "episodes list (updated_since, nothing changed since)": lambda: (
            f"{base}/episodes?limit=100&updated_since={stamp(future)}"
        ),
        "episode detail": lambda: f"{base}/episodes/{rng.choice(episodes)}",
        "time points list (deep cursor)": lambda: (
            f"{base}/time-points?limit=100&cursor={deep(points)}"
        ),
        "time points list (updated_since, last day)": lambda: (
            f"{base}/time-points?limit=100&updated_since="
            + (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        ),
        "time point detail": lambda: f"{base}/time-points/{rng.choice(points)}",
        "administrations list (first page)": lambda: (
            f"{base}/administrations?limit=100"
        ),
        "administrations list (deep cursor)": lambda: (
            f"{base}/administrations?limit=100&cursor={deep(answers)}"
        ),
        "administrations list (updated_since, last day)": lambda: (
            f"{base}/administrations?limit=100&updated_since="
            + (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        ),
        "administrations list (updated_since, nothing changed since)": lambda: (
            f"{base}/administrations?limit=100&updated_since="
            + (latest + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        ),
        "administration detail": lambda: (
            f"{base}/administrations/{rng.choice(answers)}"
        ),
    }
    results = {}
    with override_settings(API_RATE_LIMIT_PER_MINUTE=10**9, ALLOWED_HOSTS=["*"]):
        for name, url in cases.items():
            if args.only not in name:
                continue
            for _ in range(5):  # warm the caches (definitions, plans)
                client.get(url())
            times = []
            for _ in range(args.requests):
                target = url()
                begin = time.perf_counter()
                response = client.get(target)
                times.append((time.perf_counter() - begin) * 1000)
                assert response.status_code == 200, (target, response.status_code)
            with CaptureQueriesContext(connection) as queries:
                client.get(url())
            if args.show_queries:
                print(f"\n{name}", file=sys.stderr)
                for q in queries.captured_queries:
                    print(f"  {q['time']}s {q['sql'][:600]}", file=sys.stderr)
            results[name] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(_p(times, 0.95), 1),
                "queries": len(queries.captured_queries),
            }
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "service_users": len(people),
                "episodes": len(episodes),
                "time_points": len(points),
                "administrations": len(answers),
                "seed_seconds": round(seeded, 1),
                "requests_each": args.requests,
                "load_average": Path("/proc/loadavg").read_text().split()[:3],
                "endpoints": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
