"""The server holds one idle SQLite connection so a request's close never
checkpoints the write-ahead log (decision 0013)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from openproms.cli import _hold_sqlite_open


def _write_and_close(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.close()


def test_with_the_idle_connection_closing_a_writer_leaves_the_log_in_place(
    tmp_path: Path,
) -> None:
    path = tmp_path / "db.sqlite3"
    _write_and_close(path)
    wal = Path(f"{path}-wal")
    assert not wal.exists()  # the last close copied the log back and removed it
    keeper = _hold_sqlite_open(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    )
    assert keeper is not None
    _write_and_close(path)
    assert wal.exists() and wal.stat().st_size > 0
    keeper.close()


def test_no_idle_connection_is_held_for_postgresql() -> None:
    assert _hold_sqlite_open({"ENGINE": "django.db.backends.postgresql"}) is None
