"""Scale results behind row-level security: an EXISTS on their administration (the
parent) against an organisation column of their own (decision 0016).

Copies collection_scaleresult twice into scratch tables, one behind the EXISTS
policy and one with the administration's organisation behind a direct policy
(the policies' own SQL, from openproms.core.row_security), times a
whole-organisation count and 20 people's results on both, with nothing named and
with the organisation named, and drops the copies. On the seeded benchmark
database (organisation ``bench``), as a plain role::

    BENCH_DATABASE_URL=postgresql://rls_app@127.0.0.1:5432/rls_bench \\
        .venv/bin/python benchmarks/reports/scale_result_policy.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from openproms.core.row_security import policy_create_sql

COPY = (
    "CREATE TABLE {name} AS SELECT s.id, s.administration_id, s.scale_id, s.value,"
    " a.organisation_id FROM collection_scaleresult s"
    " JOIN collection_administration a ON a.id = s.administration_id"
)
PEOPLE = (
    "SELECT count(*) FROM {name} s JOIN collection_administration a"
    " ON a.id = s.administration_id WHERE a.service_user_id = ANY(%s)"
)


def main() -> None:
    db = psycopg.connect(
        os.environ["BENCH_DATABASE_URL"], options="-c jit=off", autocommit=True
    )
    row = db.execute("SELECT id FROM accounts_organisation WHERE slug = 'bench'")
    organisation = row.fetchone()[0]  # type: ignore[index]
    tables = {
        "EXISTS on the administration": (
            "bench_sr_exists",
            {"parent": ("administration_id", "collection_administration")},
        ),
        "own organisation column": ("bench_sr_column", {}),
    }
    for name, options in tables.values():
        db.execute(f"DROP TABLE IF EXISTS {name}")
        db.execute(COPY.format(name=name))
        db.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (id)")
        db.execute(f"CREATE INDEX ON {name} (administration_id)")
        db.execute(f"CREATE INDEX ON {name} (organisation_id)")
        for sql in policy_create_sql(name, **options):
            db.execute(sql)
        db.execute(f"VACUUM ANALYZE {name}")
    people = [
        r[0]
        for r in db.execute(
            "SELECT service_user_id FROM collection_administration ORDER BY id LIMIT 20"
        )
    ]

    def timed(sql: str, params: object = None, runs: int = 9) -> str:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            db.execute(sql, params).fetchall()  # type: ignore[arg-type]
            times.append(time.perf_counter() - t)
        return f"median {statistics.median(times) * 1000:.1f} ms"

    try:
        for named in ("", str(organisation)):
            db.execute(
                "SELECT set_config('openproms.organisation_id', %s, false)", [named]
            )
            print("organisation named" if named else "nothing named")
            for label, (name, _) in tables.items():
                count = f"SELECT count(*) FROM {name}"  # noqa: S608 (fixed names)
                print(f"  {label}: count {timed(count)},")
                print(f"    20 people's {timed(PEOPLE.format(name=name), [people])}")
    finally:
        for name, _ in tables.values():
            db.execute(f"DROP TABLE IF EXISTS {name}")


if __name__ == "__main__":
    main()
