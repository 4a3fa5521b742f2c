"""Crash-safety tests: a child process does the work and is killed (SIGKILL) at a
named point (openproms/crash_points.py); the test then runs the recovery path and
looks at what is stored.

Both processes must see one database: on PostgreSQL that is the test database
itself (the tests are transactional, so what one commits the other sees); on
SQLite, whose test database lives in memory, it is a file copy of it, which this
test's connection uses until the test ends.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60


@dataclass
class Shared:
    """The database and data folder a child process shares with the test."""

    data_dir: Path
    env: dict[str, str]

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    def media_files(self) -> list[str]:
        return sorted(
            p.relative_to(self.media).as_posix()
            for p in self.media.rglob("*")
            if p.is_file()
        )

    def _command(self, argv: Sequence[str]) -> list[str]:
        return [sys.executable, "-m", *argv]

    def run(self, *argv: str) -> str:
        """Run a command to its end; its standard output."""
        done = subprocess.run(
            self._command(argv),
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def child(self, operation: str, **args: Any) -> dict[str, Any]:
        out = self.run("tests.faults.child", operation, json.dumps(args))
        return dict(json.loads(out.strip().splitlines()[-1]))

    def kill_at(self, point: str, *argv: str) -> None:
        """Start a command, wait until it reaches the crash point, SIGKILL it."""
        marker = self.data_dir / f"reached-{time.monotonic_ns()}"
        env = {
            **self.env,
            "OPENPROMS_CRASH_AT": point,
            "OPENPROMS_CRASH_MARKER": str(marker),
        }
        process = subprocess.Popen(
            self._command(argv),
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + TIMEOUT
        try:
            while not marker.exists():
                if process.poll() is not None:
                    raise AssertionError(
                        f"ended without reaching {point}: "
                        f"{process.stderr.read()[-3000:] if process.stderr else ''}"
                    )
                assert time.monotonic() < deadline, f"{point} not reached"
                time.sleep(0.02)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=TIMEOUT)
            if process.stderr:
                process.stderr.close()
        assert process.returncode == -signal.SIGKILL
        marker.unlink()

    def kill_child_at(self, point: str, operation: str, **args: Any) -> None:
        self.kill_at(point, "tests.faults.child", operation, json.dumps(args))


def _postgres_url(s: dict[str, Any]) -> str:
    credentials = quote(s["USER"] or "") + (
        ":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else ""
    )
    return (
        f"postgres://{credentials}@{s['HOST'] or 'localhost'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


@pytest.fixture
def shared(transactional_db: None, tmp_path: Path, settings: Any) -> Iterator[Shared]:
    data_dir = tmp_path / "data"
    (data_dir / "media").mkdir(parents=True)
    settings.MEDIA_ROOT = data_dir / "media"
    # Uploads made here are read by a worker process, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPROMS_")}
    env.update(
        {
            "OPENPROMS_DATA_DIR": str(data_dir),
            "OPENPROMS_TESTING": "0",
            "OPENPROMS_LOG_LEVEL": "WARNING",
            "OPENPROMS_SECRET_KEY": "crash-safety-tests-only",
        }
    )
    if connection.vendor == "postgresql":
        env["OPENPROMS_DATABASE_URL"] = _postgres_url(connection.settings_dict)
        yield Shared(data_dir, env)
        return
    path = data_dir / "openproms.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as disk:
        connection.connection.backup(disk)
    env["OPENPROMS_DATABASE_URL"] = f"sqlite:///{path}"
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield Shared(data_dir, env)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory
