"""PostgreSQL specifics of the outcome reads: independent reads of one report run
at once on their own connections, timestamps as integer microseconds, score rows
packed by the server into one binary value, and the baseline counts as one
grouped query. Each is the faster form on PostgreSQL (benchmarks/README.md,
Reports); the other databases use the plain forms beside their callers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from django.db import connection, connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    F,
    FilteredRelation,
    Func,
    Max,
    Q,
    QuerySet,
    Sum,
    When,
)

from openproms.core.row_security import organisation_named, organisation_scope
from openproms.people.models import Episode


class EpochMicros(Func):
    """A PostgreSQL timestamp as integer microseconds since the epoch (exact:
    EXTRACT gives a numeric), so no datetime objects are made per row."""

    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS BIGINT)"
    output_field = BigIntegerField()


def run_together(*tasks: Callable[[], Any]) -> list[Any]:
    """Run read-only database tasks at the same time, each on its own connection,
    where that helps: on PostgreSQL (each connection is a server process, so the
    machine's cores work at once) and outside a transaction (another connection
    could not see its uncommitted rows). Otherwise one after the other. Returns
    the results in order; an exception in a task is raised here.

    Not on SQLite: tried on a file database, a report took twice as long (its
    connections contend for Python's lock and the file's)."""
    if (
        len(tasks) < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        return [task() for task in tasks]

    # The organisation this request named goes with each read to its connection.
    organisation_id = organisation_named()

    def on_own_connection(task: Callable[[], Any]) -> Any:
        try:
            with organisation_scope(organisation_id):
                return task()
        finally:
            connections.close_all()  # this thread's connections only

    workers = min(len(tasks) - 1, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(on_own_connection, task) for task in tasks[1:]]
        first = tasks[0]()
        return [first, *(future.result() for future in futures)]


_PG_SEND = {
    "i8": "int8send(CAST({} AS bigint))",
    "f8": "float8send(CAST({} AS double precision))",
    "?": "boolsend(CAST({} AS boolean))",
}


def fetch_packed(
    alias: str, sql: str, params: Any, dtype: list[tuple[str, str]]
) -> np.ndarray:
    """A compiled ``values_list`` query of non-null fixed-width columns (bigint,
    double, boolean) as a numpy structured array: the rows packed by the server
    into one ``bytea`` of fixed-size binary records (``int8send`` ...), which
    numpy reads in place: no Python object per value. The row count comes with
    it, so a record lost to a null would be noticed."""
    names = [f"c{i}" for i in range(len(dtype))]
    record = " || ".join(
        _PG_SEND[kind].format(name)
        for name, (_, kind) in zip(names, dtype, strict=True)
    )
    # Only Django's compiled query (its values stay parameters) and fixed names.
    packed_sql = (
        f"SELECT COUNT(*), string_agg({record}, ''::bytea) "  # noqa: S608
        f"FROM ({sql}) AS t ({', '.join(names)})"
    )
    import psycopg  # PostgreSQL only (the "postgres" extra)

    db = connections[alias]
    db.ensure_connection()
    # A server-side-binding cursor, for binary results: the bytea arrives as it
    # is, not as hex text twice its size (Django's own cursors bind client-side).
    with psycopg.Cursor(db.connection) as cursor:
        cursor.execute(packed_sql, params, binary=True)
        row = cursor.fetchone()
    count, data = row if row else (0, None)
    wire = np.dtype(
        [(name, kind if kind == "?" else ">" + kind) for name, kind in dtype]
    )
    data = bytes(data or b"")
    if len(data) != count * wire.itemsize:
        raise ValueError("PostgreSQL returned fewer scores than rows (a null value?)")
    return np.frombuffer(data, dtype=wire).astype(dtype)


def baseline_counts(
    new: QuerySet[Episode], starts: list[int], done: Q
) -> dict[str, int]:
    """:func:`.collection_summary.baseline_counts` on PostgreSQL: the episodes
    joined to their completed time points (``done``) and counted in one grouped
    query."""
    per_episode = (
        new.order_by()
        .annotate(done=FilteredRelation("time_points", condition=done))
        .values("pk")
        .annotate(
            b=Max(Case(When(done__rule_id__in=starts, then=1), default=0)),
            f=Max(
                Case(
                    When(
                        Q(done__rule_id__isnull=False) & ~Q(done__rule_id__in=starts),
                        then=1,
                    ),
                    default=0,
                )
            ),
        )
    )
    totals = per_episode.aggregate(
        new=Count("pk"), with_baseline=Sum("b"), followed=Sum(F("b") * F("f"))
    )
    return {k: int(v or 0) for k, v in totals.items()}
