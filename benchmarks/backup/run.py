#!/usr/bin/env python3
"""Restore drill: back up a seeded installation, restore it into an empty one, check it.

    .venv/bin/python benchmarks/backup/run.py [--data-dir benchmarks/out/collection]
        [--encrypted] [--compare-dump] [--work DIR] [--keep] [--json FILE]

Runs the real commands, each in its own process timed by /usr/bin/time (wall clock
and peak RSS):

1. ``openproms backup --to WORK/backup`` on the installation in ``--data-dir`` (the
   collection benchmark's seed: ``openproms manage seed --service-users 100000
   --administrations 1000000``); with ``--encrypted`` the passphrase comes from an
   environment variable (``--passphrase-env``);
2. ``openproms restore WORK/backup`` into an empty data folder (SQLite) or a new
   database ``openproms_restore_drill`` on the same server (PostgreSQL, when
   OPENPROMS_DATABASE_URL is set; dropped at the end);
3. ``openproms manage migrate --check`` on the restored installation (the schema is
   current);
4. with ``--compare-dump``, the SHA-256 of a logical dump of both databases
   (SQLite ``iterdump()``; ``pg_dump --format=plain``, less its random ``\\restrict``
   lines), which must be equal.

Restore verifies every checksum and every table's row count against the manifest
itself; the drill fails if any step fails. Prints a Markdown row and writes JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def _python() -> str:
    return str(ROOT / ".venv" / "bin" / "python")


def _timed(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command under /usr/bin/time; its wall time and peak RSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as timing:
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", timing.name, *command],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.monotonic() - started
        wall, rss_kb = timing.read().split()[-2:]
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}"
        )
    print(result.stdout.strip(), flush=True)
    return {
        "seconds": round(float(wall), 1),
        "wall_seconds_outer": round(elapsed, 1),
        "peak_rss_mb": round(int(rss_kb) / 1024),
        "output": result.stdout.strip(),
    }


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _sqlite_dump_sha(path: Path) -> str:
    digest = hashlib.sha256()
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        for line in db.iterdump():
            digest.update(line.encode("utf-8") + b"\n")
    finally:
        db.close()
    return digest.hexdigest()


def _pg_dump_sha(url: str) -> str:
    parts = urlsplit(url)
    env = {**os.environ, "PGPASSWORD": parts.password or ""}
    command = [
        shutil.which("pg_dump") or "/usr/bin/pg_dump",
        "--format=plain",
        "--no-owner",
        "--no-privileges",
        "--no-password",
        f"--host={parts.hostname or 'localhost'}",
        f"--port={parts.port or 5432}",
        f"--username={parts.username or os.environ.get('USER', 'postgres')}",
        parts.path.lstrip("/"),
    ]
    digest = hashlib.sha256()
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if not line.startswith((b"\\restrict", b"\\unrestrict")):
                digest.update(line)
    if process.returncode != 0:
        raise SystemExit("pg_dump failed")
    return digest.hexdigest()


def _psql(url: str, sql: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    psql = shutil.which("psql") or "/usr/bin/psql"
    subprocess.run([psql, admin, "-q", "-c", sql], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT / "benchmarks" / "out" / "collection"
    )
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--encrypted", action="store_true")
    parser.add_argument("--compare-dump", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    source_url = os.environ.get("OPENPROMS_DATABASE_URL", "")
    postgres = source_url.startswith(("postgres://", "postgresql://"))
    work = args.work or Path(tempfile.mkdtemp(prefix="openproms-drill-"))
    work.mkdir(parents=True, exist_ok=True)
    backup, restored_dir = work / "backup", work / "restored"
    if backup.exists() or restored_dir.exists():
        raise SystemExit(f"{work} holds an earlier drill; remove it or give --work")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPROMS_")}
    source_env = {**base_env, "OPENPROMS_DATA_DIR": str(args.data_dir.resolve())}
    if postgres:
        source_env["OPENPROMS_DATABASE_URL"] = source_url
    restore_env = {**base_env, "OPENPROMS_DATA_DIR": str(restored_dir)}
    restore_url = ""
    if postgres:
        restore_url = urlunsplit(
            urlsplit(source_url)._replace(path="/openproms_restore_drill")
        )
        _psql(source_url, "DROP DATABASE IF EXISTS openproms_restore_drill")
        _psql(source_url, "CREATE DATABASE openproms_restore_drill")
        restore_env["OPENPROMS_DATABASE_URL"] = restore_url
    passphrase_option: list[str] = []
    if args.encrypted:
        # Never on a command line: the commands read it from this variable.
        source_env["DRILL_PASSPHRASE"] = restore_env["DRILL_PASSPHRASE"] = (
            secrets.token_urlsafe(24)
        )
        passphrase_option = ["--passphrase-env", "DRILL_PASSPHRASE"]

    cli = [_python(), "-m", "openproms.cli"]
    result: dict[str, Any] = {
        "database": "postgresql" if postgres else "sqlite",
        "encrypted": args.encrypted,
        "data_dir": str(args.data_dir),
        "started_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average_before": os.getloadavg(),
    }
    try:
        if not postgres:
            result["source_database_bytes"] = _size(args.data_dir / "openproms.sqlite3")
        print("== backup", flush=True)
        result["backup"] = _timed(
            [*cli, "backup", "--to", str(backup), *passphrase_option], source_env
        )
        result["backup_bytes"] = _size(backup)
        manifest = json.loads((backup / "manifest.json").read_text())
        result["rows"] = sum(manifest["row_counts"].values())
        result["administrations"] = manifest["row_counts"].get(
            "collection_administration"
        )
        result["files"] = len(manifest["files"])
        print("== restore", flush=True)
        result["restore"] = _timed(
            [*cli, "restore", str(backup), *passphrase_option], restore_env
        )
        print("== migrate --check on the restored installation", flush=True)
        result["migrate_check"] = _timed(
            [*cli, "manage", "migrate", "--check"], restore_env
        )
        if args.compare_dump:
            print("== logical dumps compared", flush=True)
            started = time.monotonic()
            if postgres:
                before, after = _pg_dump_sha(source_url), _pg_dump_sha(restore_url)
            else:
                before = _sqlite_dump_sha(args.data_dir / "openproms.sqlite3")
                after = _sqlite_dump_sha(restored_dir / "openproms.sqlite3")
            result["dump_sha256"] = {"source": before, "restored": after}
            result["dumps_equal"] = before == after
            result["compare_seconds"] = round(time.monotonic() - started, 1)
            if before != after:
                raise SystemExit("The restored database's dump differs")
        result["load_average_after"] = os.getloadavg()
    finally:
        if postgres:
            _psql(source_url, "DROP DATABASE IF EXISTS openproms_restore_drill")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(json.dumps(result, indent=2, default=str))
    print(
        f"| {result['database']} | {result['administrations']:,} | "
        f"{'yes' if args.encrypted else 'no'} | {result['backup']['seconds']} s | "
        f"{result['backup_bytes'] / 1e6:,.0f} MB | {result['restore']['seconds']} s | "
        f"{result.get('dumps_equal', 'not compared')} |"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
