"""Database upkeep run in the background."""

from __future__ import annotations

from django.db import connection
from django_tasks import task


def database_optimise_now() -> str:
    """Refresh the query planner's statistics.

    SQLite keeps no statistics until asked: without them it can pick an index that
    scans a whole organisation instead of one worker's caseload (measured: the due
    list went from about 1 s to 0.12 s on 100,000 people). ``PRAGMA optimize`` runs
    ANALYZE only where it helps. PostgreSQL's autovacuum already analyses; an
    explicit ANALYZE after bulk loads does no harm.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize=0x10002")
            return "sqlite: PRAGMA optimize"
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
            return "postgresql: ANALYZE"
    return f"{connection.vendor}: nothing to do"


@task()
def database_optimise() -> str:
    return database_optimise_now()
