"""The database side of a backup, without the ORM: SQLite through its online backup
API, PostgreSQL through ``pg_dump --format=custom`` and ``pg_restore``, and the facts
a manifest records (rows in every table, the latest applied migration of each app).

PostgreSQL's connection settings go to its programs as ``PG*`` environment
variables, so the password is never on a command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from openproms.backup.errors import BackupError

if TYPE_CHECKING:
    import psycopg

T = TypeVar("T")
DEBIAN_PG_BIN = Path("/usr/lib/postgresql")
# libpq connection options that Django's OPTIONS may carry, as environment variables.
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


@dataclass(frozen=True)
class Facts:
    """What a database holds, as the manifest records it."""

    row_counts: dict[str, int]
    migrations: dict[str, str]
    version: str


def latest_migrations(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The latest applied migration of each app (names are numbered, 0001_...)."""
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return latest


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


# ------------------------------------------------------------------------- SQLite


def sqlite_snapshot(source: sqlite3.Connection, target: Path) -> None:
    """Copy a live database with SQLite's online backup API (one consistent
    snapshot; writers are not blocked in WAL mode) into a single self-contained
    file (rollback journal, so no -wal or -shm files beside it)."""
    with closing(sqlite3.connect(target)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        copy.commit()


def _sqlite_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def sqlite_tables(path: Path) -> list[str]:
    """The tables of a SQLite file (none if it does not exist)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    with closing(_sqlite_read_only(path)) as db:
        return [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]


def sqlite_facts(path: Path) -> Facts:
    """Row counts and migrations of a SQLite file, checked for damage first."""
    with closing(_sqlite_read_only(path)) as db:
        try:
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"The database file is damaged: {error}.") from error
        if verdict != "ok":
            raise BackupError(f"The database file is damaged: {verdict}.")
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            table: db.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608 - names come from sqlite_master
            for table in tables
        }
        migrations = (
            latest_migrations(db.execute("SELECT app, name FROM django_migrations"))
            if "django_migrations" in tables
            else {}
        )
    return Facts(counts, migrations, sqlite3.sqlite_version)


# --------------------------------------------------------------------- PostgreSQL


def find_pg_tool(name: str, server_major: int, bin_dir: str = "") -> str:
    """The path of ``pg_dump`` or ``pg_restore``: from ``bin_dir`` when given, else
    Debian's versioned folders (the lowest version not older than the server), else
    the PATH."""
    if bin_dir:
        configured = Path(bin_dir) / name
        if configured.is_file():
            return str(configured)
        raise BackupError(f"{configured} does not exist (OPENPROMS_PG_BIN).")
    versions = []
    for candidate in DEBIAN_PG_BIN.glob(f"*/bin/{name}"):
        version = candidate.parent.parent.name
        if version.isdigit() and int(version) >= server_major:
            versions.append((int(version), str(candidate)))
    if versions:
        return min(versions)[1]
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"{name} was not found. Install PostgreSQL's client programs, version "
        f"{server_major} or later (Debian and Ubuntu: apt-get install "
        f"postgresql-client-{server_major}), or set OPENPROMS_PG_BIN to the folder "
        "that holds them."
    )


def _stderr_text(handle: IO[bytes]) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace").strip()[-2000:]


class Postgres:
    """One PostgreSQL database, named by Django-style settings (NAME, USER,
    PASSWORD, HOST, PORT, OPTIONS)."""

    def __init__(self, settings: Mapping[str, Any], bin_dir: str = "") -> None:
        self.settings = settings
        self.name = str(settings["NAME"])
        self.bin_dir = bin_dir

    def connect_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dbname": self.name}
        for key, setting in (
            ("user", "USER"),
            ("password", "PASSWORD"),
            ("host", "HOST"),
            ("port", "PORT"),
        ):
            if self.settings.get(setting):
                kwargs[key] = str(self.settings[setting])
        options = self.settings.get("OPTIONS") or {}
        for key in _LIBPQ_ENV:
            if options.get(key):
                kwargs[key] = str(options[key])
        return kwargs

    def environment(self) -> dict[str, str]:
        """The environment for pg_dump and pg_restore: libpq reads the connection
        (and the password) from it."""
        env = {
            key: value for key, value in os.environ.items() if not key.startswith("PG")
        }
        names = {
            "dbname": "PGDATABASE",
            "user": "PGUSER",
            "password": "PGPASSWORD",
            "host": "PGHOST",
            "port": "PGPORT",
            **_LIBPQ_ENV,
        }
        for key, value in self.connect_kwargs().items():
            env[names[key]] = value
        return env

    def connect(self, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        import psycopg

        try:
            return psycopg.connect(**self.connect_kwargs(), autocommit=autocommit)
        except psycopg.OperationalError as error:
            raise BackupError(
                f"Cannot connect to the PostgreSQL database {self.name!r}: "
                f"{str(error).strip()}"
            ) from error

    def server_major(self, db: psycopg.Connection[Any]) -> int:
        return int(db.info.server_version) // 10000

    def tool(self, name: str, db: psycopg.Connection[Any]) -> str:
        return find_pg_tool(name, self.server_major(db), self.bin_dir)

    def facts(self, db: psycopg.Connection[Any]) -> Facts:
        from psycopg import sql

        tables = [
            name
            for (name,) in db.execute(
                "SELECT c.relname FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
                " ORDER BY c.relname"
            )
        ]
        counts = {}
        for table in tables:
            row = db.execute(
                sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
        migrations = (
            latest_migrations(db.execute("SELECT app, name FROM django_migrations"))
            if "django_migrations" in tables
            else {}
        )
        (version,) = db.execute("SHOW server_version").fetchone() or ("",)
        return Facts(counts, migrations, str(version))

    def object_count(self) -> int:
        """Tables, views, sequences and functions outside PostgreSQL's own schemas."""
        with self.connect() as db:
            row = db.execute(
                "SELECT (SELECT count(*) FROM pg_class c"
                "  JOIN pg_namespace n ON n.oid = c.relnamespace"
                "  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
                "  AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                "  AND n.nspname NOT LIKE 'pg\\_toast%'"
                "  AND n.nspname NOT LIKE 'pg\\_temp%')"
                " + (SELECT count(*) FROM pg_proc p"
                "  JOIN pg_namespace n ON n.oid = p.pronamespace"
                "  WHERE n.nspname = 'public')"
            ).fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def snapshot(self) -> Iterator[tuple[psycopg.Connection[Any], str, Facts]]:
        """A read-only repeatable-read transaction held open, its exported snapshot
        (pg_dump reads the same one) and the facts as of that snapshot."""
        with self.connect(autocommit=False) as db:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            (snapshot,) = db.execute("SELECT pg_export_snapshot()").fetchone() or ("",)
            facts = self.facts(db)
            yield db, str(snapshot), facts
            db.rollback()

    def dump(
        self,
        db: psycopg.Connection[Any],
        snapshot: str,
        consume: Callable[[IO[bytes]], T],
    ) -> T:
        """Run ``pg_dump --format=custom`` on the snapshot; ``consume`` reads its
        output as it is made (nothing unencrypted is written to disk)."""
        command = [
            self.tool("pg_dump", db),
            "--format=custom",
            f"--snapshot={snapshot}",
            # The tables' owner is bound by their row-level security policies
            # (decision 0016): without this pg_dump refuses them. With no
            # organisation named, the policies show every row.
            "--enable-row-security",
            "--no-password",
        ]
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=errors,
                env=self.environment(),
            )
            assert process.stdout is not None
            try:
                result = consume(process.stdout)
            finally:
                process.stdout.close()
                code = process.wait()
            if code != 0:
                raise BackupError(
                    f"pg_dump failed (exit {code}): {_stderr_text(errors)}"
                )
        return result

    def restore(self, produce: Callable[[IO[bytes]], T]) -> T:
        """Run ``pg_restore`` in one transaction (all or nothing) into this database;
        ``produce`` writes the custom-format dump to its input. Owners and grants
        are not restored: the restoring role owns everything (docs/deployment.md)."""
        with self.connect() as db:
            tool = self.tool("pg_restore", db)
        command = [
            tool,
            f"--dbname={self.name}",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
        ]
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stderr=errors, env=self.environment()
            )
            assert process.stdin is not None
            try:
                result = produce(process.stdin)
                process.stdin.close()
            except BrokenPipeError:
                result = None
            except BaseException:
                process.kill()
                process.wait()
                raise
            code = process.wait()
            if code != 0 or result is None:
                raise BackupError(
                    f"pg_restore failed (exit {code}); nothing was restored (it runs "
                    f"in one transaction): {_stderr_text(errors)}"
                )
        return result
