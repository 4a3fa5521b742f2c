"""Database upkeep run in the background."""

from __future__ import annotations

from django.db import connection
from django_tasks import task


def database_optimise_now() -> str:
    """Refresh the query planner's statistics (and, on PostgreSQL, the visibility
    map).

    SQLite keeps no statistics until asked: without them it can pick an index that
    scans a whole organisation instead of one worker's caseload (measured: the due
    list went from about 1 s to 0.12 s on 100,000 people). ``PRAGMA optimize`` runs
    ANALYZE only where it helps.

    PostgreSQL: ``VACUUM (ANALYZE)``. Reports read scores by index-only scans,
    which skip the table only for pages its visibility map marks all-visible; only
    VACUUM sets that map, and autovacuum reaches an insert-only table after a fifth
    of it is new. Unvacuumed, the planner also prefers a worse plan: the commissioner
    report went from 0.95 s to 0.60 s on 1,000,000 scores (benchmarks/README.md,
    Reports). VACUUM cannot run inside a transaction: there it is ANALYZE alone.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize=0x10002")
            return "sqlite: PRAGMA optimize"
        if connection.vendor == "postgresql":
            if connection.in_atomic_block or not connection.get_autocommit():
                cursor.execute("ANALYZE")
                return "postgresql: ANALYZE"
            cursor.execute("VACUUM (ANALYZE)")
            return "postgresql: VACUUM (ANALYZE)"
    return f"{connection.vendor}: nothing to do"


@task()
def database_optimise() -> str:
    return database_optimise_now()
