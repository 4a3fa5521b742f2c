"""Reporting benchmark: the service dashboard and a commissioner report on the seeded
database, and DuckDB computing the same paired-change figures from Parquet.

Run from the repository root (after ``benchmarks/collection/run.py`` has seeded
``benchmarks/out/collection/openproms.sqlite3``; ``pip install -r
benchmarks/reports/requirements.txt`` for DuckDB and pyarrow)::

    .venv/bin/python benchmarks/reports/run.py [--runs 5] [--keep-copy]

The seeded database is never written: it is copied (SQLite backup API) to
``benchmarks/out/reports/openproms.sqlite3`` first, and everything (sign-in session,
a benchmark contract) is written to the copy. Timings are the median of ``--runs``
runs after one warm-up run. Prints a JSON summary and a Markdown table row set.

On PostgreSQL, seed a database of its own and point the benchmark at it::

    createdb -h 127.0.0.1 -U postgres openproms_bench
    export OPENPROMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/openproms_bench
    OPENPROMS_DATA_DIR=benchmarks/out/pg .venv/bin/python -m openproms.cli manage migrate
    OPENPROMS_DATA_DIR=benchmarks/out/pg .venv/bin/python -m openproms.cli manage seed \
        --service-users 100000 --administrations 1000000
    .venv/bin/python benchmarks/reports/run.py --runs 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "benchmarks" / "out" / "collection" / "openproms.sqlite3"
WORK = ROOT / "benchmarks" / "out" / "reports"


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, list[float], Any]:
    result = fn()  # warm-up (page cache, imports, definitions)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def copy_database(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--keep-copy", action="store_true")
    args = parser.parse_args()
    postgres = bool(os.environ.get("OPENPROMS_DATABASE_URL"))
    copy_seconds = 0.0
    if postgres:
        # PostgreSQL: the seeded database named by OPENPROMS_DATABASE_URL is used as
        # it is (seed it with `openproms manage seed` first); the benchmark contract
        # and a session are written to it.
        pass
    elif not args.source.exists():
        sys.exit(f"{args.source} not found: seed it with benchmarks/collection/run.py")
    else:
        t = time.perf_counter()
        copy_database(args.source, WORK / "openproms.sqlite3")
        copy_seconds = time.perf_counter() - t
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ["OPENPROMS_DATA_DIR"] = str(WORK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openproms.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collected static files in the copy's folder: plain static URLs, as in tests.
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

    from openproms.accounts.models import CommissionerBody, Organisation, Service, User
    from openproms.catalogue.selectors import measure_definition
    from openproms.reports import report_builder
    from openproms.reports.models import Contract, ContractRequirement
    from openproms.reports.selectors import outcome_pairs
    from openproms.stats import paired_change, t_quantile

    organisation = Organisation.objects.get(slug="bench")
    service = Service.objects.filter(organisation=organisation).order_by("pk").first()
    manager = User.objects.get(email="manager@bench.example")
    today = timezone.localdate()
    start, end = today.replace(year=today.year - 1) + dt.timedelta(days=1), today

    # Signed in with the second factor given, as tests/conftest.py:verified_client.
    client = Client()
    client.force_login(manager)
    device, _ = StaticDevice.objects.get_or_create(user=manager, name="benchmark")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["openproms_login_at"] = time.time()
    session.save()
    url = reverse("reports:dashboard", kwargs={"org_slug": "bench"})

    def page(params: dict[str, str]) -> Callable[[], int]:
        def get() -> int:
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            return len(response.content)

        return get

    results: dict[str, Any] = {
        "database": connection.vendor,
        "copy_seconds": round(copy_seconds, 1),
        "period": [start.isoformat(), end.isoformat()],
        "load_average": os.getloadavg(),
    }
    for name, params in (
        ("service_dashboard_phq9", {"service": str(service.pk), "measure": "phq9"}),
        ("service_dashboard_gad7", {"service": str(service.pk), "measure": "gad7"}),
        ("organisation_dashboard_phq9", {"measure": "phq9"}),
    ):
        median, times, size = median_time(page(params), args.runs)
        results[name] = {
            "median_s": round(median, 3),
            "runs": [round(x, 3) for x in times],
            "bytes": size,
        }

    # The commissioner report: a contract on every service for PHQ-9 and GAD-7.
    body, _ = CommissionerBody.objects.get_or_create(
        slug="bench-icb", defaults={"name": "Bench ICB"}
    )
    contract, created = Contract.objects.get_or_create(
        organisation=organisation,
        commissioner=body,
        name="Benchmark contract",
        defaults={"start_date": start, "end_date": end},
    )
    if created:
        contract.services.set(Service.objects.filter(organisation=organisation))
        for measure_id in ("phq9", "gad7"):
            ContractRequirement.objects.create(
                contract=contract,
                measure_id=measure_id,
                figures=[
                    "reach",
                    "completion",
                    "follow_up",
                    "mean_change",
                    "effect_size",
                    "reliable_change",
                    "recovery",
                    "distribution",
                ],
            )
    median, times, _ = median_time(
        lambda: report_builder.build_report(contract, start=start, end=end), args.runs
    )
    results["commissioner_report_build"] = {
        "median_s": round(median, 3),
        "runs": [round(x, 3) for x in times],
    }

    # The same figures from the selectors: pairs + paired_change per measure.
    def ours() -> dict[str, tuple[int, float, float, float]]:
        out = {}
        for measure_id in ("phq9", "gad7"):
            defn = measure_definition(organisation=organisation, measure_id=measure_id)
            pairs = outcome_pairs(
                organisation=organisation,
                services=None,
                measure_id=measure_id,
                scale_id="total",
                start=start,
                end=end,
            )
            pc = paired_change(defn, "total", pairs)
            assert pc.mean_change is not None
            out[measure_id] = (
                pc.n,
                pc.mean_change.value,
                pc.mean_change.low,
                pc.mean_change.high,
            )
        return out

    median_ours, times, figures_ours = median_time(ours, args.runs)
    results["selectors_paired_change"] = {
        "median_s": round(median_ours, 3),
        "runs": [round(x, 3) for x in times],
        "figures": figures_ours,
    }

    # DuckDB on a Parquet export of the same rows.
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.episode_id, a.completed_at, a.id, a.measure_id, r.value, a.is_pilot
            FROM collection_scaleresult r
            JOIN collection_administration a ON a.id = r.administration_id
            WHERE a.organisation_id = %s AND r.scale_id = 'total'
              AND r.value IS NOT NULL AND a.episode_id IS NOT NULL
            ORDER BY r.administration_id
            """,
            [organisation.pk],
        )
        rows = cursor.fetchall()
    cols = list(zip(*rows, strict=True))
    completed = [
        c if isinstance(c, dt.datetime) else dt.datetime.fromisoformat(str(c))
        for c in cols[1]
    ]
    table = pa.table(
        {
            "episode_id": pa.array(cols[0], pa.int64()),
            "completed_at": pa.array(completed, pa.timestamp("us")),
            "admin_id": pa.array(cols[2], pa.int64()),
            "measure_id": pa.array(cols[3], pa.string()),
            "value": pa.array(cols[4], pa.float64()),
            "is_pilot": pa.array([bool(x) for x in cols[5]], pa.bool_()),
        }
    )
    parquet = Path(tempfile.mkdtemp()) / "scores.parquet"
    pq.write_table(table, parquet)
    del rows, cols, completed, table
    results["parquet_export_s"] = round(time.perf_counter() - t, 2)

    # Same rule as outcome_pairs (latest pairing): first score vs the latest score
    # on or before the end; the episode counts when that latest score is in the period.
    # UTC bounds of the local days, as the selectors use.
    lo = timezone.make_aware(dt.datetime.combine(start, dt.time.min)).astimezone(dt.UTC)
    hi = timezone.make_aware(
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    ).astimezone(dt.UTC)
    # The path and the dates are this script's own values, not input.
    sql = f"""
        WITH s AS (
          SELECT * FROM read_parquet('{parquet}')
          WHERE NOT is_pilot AND completed_at < TIMESTAMP '{hi:%Y-%m-%d %H:%M:%S}'
        ), e AS (
          SELECT measure_id, episode_id, count(*) AS k,
                 arg_min(value, (completed_at, admin_id)) AS first,
                 arg_max(value, (completed_at, admin_id)) AS latest,
                 max(completed_at) AS latest_at
          FROM s GROUP BY measure_id, episode_id
        )
        SELECT measure_id, count(*) AS n, avg(latest - first) AS mean_change,
               stddev_samp(latest - first) AS sd
        FROM e WHERE k >= 2 AND latest_at >= TIMESTAMP '{lo:%Y-%m-%d %H:%M:%S}'
        GROUP BY measure_id ORDER BY measure_id
    """  # noqa: S608
    con = duckdb.connect()

    def duck() -> dict[str, tuple[int, float, float, float]]:
        out = {}
        for measure_id, n, mean, sd in con.execute(sql).fetchall():
            half = t_quantile(0.975, n - 1) * sd / n**0.5
            out[measure_id] = (n, mean, mean - half, mean + half)
        return out

    median_duck, times, figures_duck = median_time(duck, args.runs)
    results["duckdb_parquet"] = {
        "median_s": round(median_duck, 3),
        "runs": [round(x, 3) for x in times],
        "figures": figures_duck,
    }
    results["ratio_selectors_to_duckdb"] = round(median_ours / median_duck, 1)
    results["ratio_service_dashboard_to_duckdb"] = round(
        results["service_dashboard_phq9"]["median_s"] / median_duck, 1
    )
    for measure_id, (n, mean, *_rest) in figures_ours.items():
        dn, dmean, *_ = figures_duck[measure_id]
        results.setdefault("figures_agree", {})[measure_id] = (
            n == dn and abs(mean - dmean) < 1e-9
        )
    print(json.dumps(results, indent=2, default=str))
    if not args.keep_copy:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{WORK / 'openproms.sqlite3'}{suffix}").unlink(missing_ok=True)
        parquet.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
