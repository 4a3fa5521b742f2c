"""What the in-process collection benchmarks share (``reads_ab.py``,
``row_security_ab.py``, ``pages.py``): Django set up on a seeded data folder, a
seeded worker signed in through the test client, the worker's three pages found
on their due list, the timing loop that alternates two ways of serving, and the
table it prints.

On a database seeded by ``run.py`` (``openproms manage seed``, organisation
``bench``, workers ``worker<N>@bench.example``).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def setup(data_dir: str) -> None:
    """Django on the seeded folder (``OPENPROMS_DATABASE_URL`` for PostgreSQL),
    migrated, its static files collected, with every host allowed (the test client's ``testserver``)."""
    os.environ["OPENPROMS_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as start does
    settings.ALLOWED_HOSTS = ["*"]


def signed_in(worker: int) -> Any:
    """A test client signed in as seeded worker ``worker`` (the session as a
    sign-in leaves it)."""
    from django.test import Client

    from openproms.accounts.models import User

    user = User.objects.get(email=f"worker{worker}@bench.example")
    client = Client()
    client.force_login(user)
    session = client.session
    session["openproms_login_at"] = time.time()  # as a sign-in sets it
    session.save()
    return client


def worker_pages(client: Any) -> dict[str, str]:
    """The due list, and the first person and answering page it links to."""
    due = client.get("/o/bench/due/").content.decode()
    person = re.search(r'href="(/o/bench/people/\d+/)"', due)
    point = re.search(r'href="(/o/bench/answer/time-points/\d+/)"', due)
    if person is None or point is None:
        raise SystemExit("The worker's due list has no one due: seed first (run.py).")
    return {
        "due list": "/o/bench/due/",
        "person page": person.group(1),
        "answering page": point.group(1),
    }


def request_done() -> None:
    """What the server does with the connection when a request ends: Django's
    ``close_old_connections`` (the test client leaves it out). SQLite's is closed
    (``CONN_MAX_AGE`` 0); PostgreSQL's is kept for 60 s, as under ``openproms
    start``. (Before 2026-12-07 these benchmarks closed every connection, so each
    PostgreSQL request paid a new connection and its cold caches.)"""
    from django.db import close_old_connections

    close_old_connections()


Timings = dict[tuple[str, str], list[tuple[float, float]]]


def alternate(
    pages: dict[str, str],
    ways: dict[str, tuple[Any, Callable[[], AbstractContextManager[Any]]]],
    rounds: int,
) -> Timings:
    """Fetch each page once each way per round, alternating which way goes first
    (so a busy machine slows both alike). ``ways`` maps a name to its client and
    a context to serve in. After each request its connection is closed or kept
    as the server does (:func:`request_done`); returns (wall, CPU) seconds per
    page and way."""

    timings: Timings = {(page, way): [] for page in pages for way in ways}
    order = list(ways.items())
    for round_ in range(rounds):
        for page, url in pages.items():
            for way, (client, context) in order if round_ % 2 == 0 else order[::-1]:
                wall, cpu = time.perf_counter(), time.process_time()
                with context():
                    response = client.get(url)
                request_done()
                timings[(page, way)].append(
                    (time.perf_counter() - wall, time.process_time() - cpu)
                )
                assert response.status_code == 200, (url, response.status_code)
    return timings


def print_ab(timings: Timings, pages: dict[str, str], label: str, base: str) -> None:
    """The A/B table: each page's median and p95 wall time and median CPU time
    each way, and the change from ``base`` in per cent."""
    ways = sorted({way for _, way in timings}, key=lambda way: way != base)
    print(
        f"| page | {label} | median ms | p95 ms | median CPU ms | p95 change | "
        "median CPU change |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for page in pages:
        first = timings[(page, base)]
        base_p95 = p95([w for w, _ in first])
        base_cpu = statistics.median(c for _, c in first)
        for way in ways:
            rows = timings[(page, way)]
            walls = [w for w, _ in rows]
            cpu = statistics.median(c for _, c in rows)
            change = "" if way == base else f"{100 * (p95(walls) / base_p95 - 1):+.1f}%"
            cpu_change = "" if way == base else f"{100 * (cpu / base_cpu - 1):+.1f}%"
            print(
                f"| {page} | {way} | {1000 * statistics.median(walls):.1f} | "
                f"{1000 * p95(walls):.1f} | {1000 * cpu:.1f} | {change} | "
                f"{cpu_change} |"
            )
