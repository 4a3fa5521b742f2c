"""The whole demo seeded once per test run and put back before each journey.

Seeding the demo takes about 40 s, every browser journey starts from it, and every
transactional test ends with the database emptied (Django's flush). So the first
journey of a run seeds the demo and takes a :class:`DemoSnapshot` (every table's
rows, every sequence's position, the media folder); each later journey empties the
database and loads the snapshot back, which gives it the rows, ids, next ids and
files of the fresh seed (decision 0037; tests/core/test_demo_snapshot.py compares
the two). :class:`DemoOnce` keeps the snapshot for the run and seeds again when
the day changes, since the demo is seeded relative to today.

PostgreSQL: ``COPY ... (FORMAT binary)`` of every table into memory and back, in
one transaction, as the tests' own role. The tables' triggers (the audit table's
guards) are switched off for the TRUNCATE and the COPY and back on before the
transaction ends, as Django's flush lifts the audit guard; row-level security
policies are not touched. A role that row-level security applies to could not
COPY every row, so there :func:`snapshot_supported` is false and each journey
seeds afresh. SQLite: the backup API copies the whole database (schema,
triggers, ``sqlite_sequence``) into memory and back.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from openproms.core.demo import DemoContext

# The table Django's flush leaves alone: which migrations ran is not demo data.
SCHEMA_TABLE = "django_migrations"


@dataclass
class _PostgresRows:
    tables: dict[str, bytes]  # table name: its rows as COPY's binary format
    sequences: list[tuple[str, int, bool]]  # name, last value, is called


@dataclass
class DemoSnapshot:
    """The database and media folder just after the demo was seeded."""

    day: dt.date
    context: DemoContext
    media: Path  # a copy of MEDIA_ROOT as seeded (absent if there was none)
    using: str
    rows: _PostgresRows | sqlite3.Connection = field(repr=False)

    @classmethod
    def take(
        cls, context: DemoContext, *, day: dt.date, folder: Path, using: str = "default"
    ) -> DemoSnapshot:
        """Snapshot the database ``using`` and the media folder (copied into
        ``folder``, which must not exist yet) as they are now."""
        connection = connections[using]
        rows: _PostgresRows | sqlite3.Connection
        if connection.vendor == "postgresql":
            rows = _postgres_take(connection)
        elif connection.vendor == "sqlite":
            rows = _sqlite_take(connection)
        else:  # pragma: no cover - openproms runs on these two only
            raise NotImplementedError(connection.vendor)
        media = folder / "media"
        _folder_copy(Path(settings.MEDIA_ROOT), media)
        return cls(
            day=day, context=copy.deepcopy(context), media=media, using=using, rows=rows
        )

    def restore(self) -> DemoContext:
        """Put the database and media folder back as they were when taken, and
        return a copy of the demo's context (the objects the seeders made)."""
        connection = connections[self.using]
        if isinstance(self.rows, sqlite3.Connection):
            _sqlite_restore(connection, self.rows)
        else:
            _postgres_restore(connection, self.rows)
        _folder_copy(self.media, Path(settings.MEDIA_ROOT))
        # Content types are cached by id in the process, and the flush made new
        # ones; the cache holds what journeys stored under the same ids.
        ContentType.objects.clear_cache()
        caches_clear()
        return copy.deepcopy(self.context)

    def close(self) -> None:
        if isinstance(self.rows, sqlite3.Connection):
            self.rows.close()
        shutil.rmtree(self.media.parent, ignore_errors=True)


class DemoOnce:
    """The demo for each journey of a run: seeded by the first one (and again on a
    new day), restored from the snapshot for every other."""

    def __init__(
        self, seed: Callable[[], DemoContext], *, using: str = "default"
    ) -> None:
        self.seed = seed
        self.using = using
        self.snapshot: DemoSnapshot | None = None
        self.seeded = 0  # how many times the demo was seeded, for the tests

    def demo(self, today: dt.date) -> DemoContext:
        if not snapshot_supported(self.using):
            return self._seed()
        if self.snapshot is not None and self.snapshot.day == today:
            return self.snapshot.restore()
        self.close()
        context = self._seed()
        folder = Path(tempfile.mkdtemp(prefix="openproms-demo-snapshot-"))
        self.snapshot = DemoSnapshot.take(
            context, day=today, folder=folder, using=self.using
        )
        return context

    def _seed(self) -> DemoContext:
        self.seeded += 1
        context = self.seed()
        # Every journey starts with empty caches, as a server started on the demo.
        caches_clear()
        return context

    def close(self) -> None:
        if self.snapshot is not None:
            self.snapshot.close()
            self.snapshot = None


def caches_clear() -> None:
    for cache in caches.all():
        cache.clear()


def snapshot_supported(using: str = "default") -> bool:
    """False when row-level security applies to the tests' role on PostgreSQL:
    COPY would read only the rows its policies show, and refuses to write."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relrowsecurity"
            " AND row_security_active(c.oid)"
        )
        (subject,) = cursor.fetchone()
    return not subject


def _folder_copy(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source`` (files with their times), or absent."""
    if target.exists():
        shutil.rmtree(target)
    if source.exists():
        shutil.copytree(source, target)


# PostgreSQL


def _postgres_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        " AND c.relname <> %s ORDER BY c.relname",
        [SCHEMA_TABLE],
    )
    return [name for (name,) in cursor.fetchall()]


def _postgres_take(connection: BaseDatabaseWrapper) -> _PostgresRows:
    quote = connection.ops.quote_name
    tables: dict[str, bytes] = {}
    # No params on the last query: psycopg then reads its % signs as they are.
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table in _postgres_tables(cursor):
            with cursor.cursor.copy(
                f"COPY {quote(table)} TO STDOUT (FORMAT binary)"
            ) as copying:
                tables[table] = b"".join(bytes(chunk) for chunk in copying)
        cursor.execute(
            "SELECT format('%I.%I', schemaname, sequencename),"
            " coalesce(last_value, start_value), last_value IS NOT NULL"
            " FROM pg_sequences WHERE schemaname = current_schema()"
            " ORDER BY sequencename"
        )
        sequences = [(name, value, called) for name, value, called in cursor]
    return _PostgresRows(tables=tables, sequences=sequences)


def _postgres_restore(connection: BaseDatabaseWrapper, rows: _PostgresRows) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # The triggers on these tables (the audit table refuses TRUNCATE, UPDATE
        # and DELETE) are off while the rows are replaced by the very rows they
        # guarded, and on again, as they were, before anyone else can see.
        cursor.execute(
            "SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND NOT t.tgisinternal"
            " AND t.tgenabled <> 'D' AND c.relname = ANY(%s)",
            [list(rows.tables)],
        )
        triggers = cursor.fetchall()
        for table, trigger, _ in triggers:
            cursor.execute(
                f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(trigger)}"
            )
        cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in rows.tables))
        for table, data in rows.tables.items():
            with cursor.cursor.copy(
                f"COPY {quote(table)} FROM STDIN (FORMAT binary)"
            ) as copying:
                copying.write(data)
        cursor.execute(
            "SELECT setval(s.name::regclass, s.value, s.called)"
            " FROM unnest(%s::text[], %s::bigint[], %s::boolean[])"
            " AS s(name, value, called)",
            [
                [name for name, _, _ in rows.sequences],
                [value for _, value, _ in rows.sequences],
                [called for _, _, called in rows.sequences],
            ],
        )
        enable = {"O": "ENABLE", "A": "ENABLE ALWAYS", "R": "ENABLE REPLICA"}
        for table, trigger, mode in triggers:
            cursor.execute(
                f"ALTER TABLE {quote(table)} {enable[mode]} TRIGGER {quote(trigger)}"
            )


# SQLite


def _sqlite_raw(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    connection.ensure_connection()
    raw = connection.connection
    if connection.in_atomic_block or raw.in_transaction:
        raise RuntimeError(
            "the demo snapshot is taken and restored outside any transaction"
        )
    return raw


def _sqlite_take(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    _sqlite_raw(connection).backup(memory)
    return memory


def _sqlite_restore(
    connection: BaseDatabaseWrapper, memory: sqlite3.Connection
) -> None:
    memory.backup(_sqlite_raw(connection))
