#!/usr/bin/env python3
"""Benchmark the collection pages under load: p50/p95/p99 per page at 20 users.

    python3 benchmarks/collection/run.py [--service-users 100000] [--administrations 1000000]
        [--users 20] [--seconds 60] [--data-dir benchmarks/out/collection]

Seeds the database once (``openproms manage seed``; reused on later runs), starts
``openproms start --no-worker`` on a free local port, runs locust headless against it
(workers: due list, person page, answering page, saving an answer), then the same
number of users against a trivial view (/healthz/), and prints a Markdown table
with the ratio of each page's p95 to the trivial view's p95. Set
OPENPROMS_DATABASE_URL to run on PostgreSQL. Needs locust (installed on first run
into benchmarks/out/locust-venv).
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _python() -> str:
    return str(ROOT / ".venv" / "bin" / "python")


def _locust() -> str:
    env_dir = ROOT / "benchmarks" / "out" / "locust-venv"
    exe = env_dir / "bin" / "locust"
    if not exe.exists():
        venv.EnvBuilder(with_pip=True).create(env_dir)
        subprocess.run(
            [str(env_dir / "bin" / "pip"), "install", "--quiet", "locust>=2.30"],
            check=True,
        )
    return str(exe)


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("openproms start exited early")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("openproms did not start in 5 minutes")


def _run_locust(
    host: str, user_class: str, users: int, seconds: int, prefix: Path, workers: int
) -> dict[str, dict[str, str]]:
    subprocess.run(
        [
            _locust(),
            "-f",
            str(HERE / "locustfile.py"),
            user_class,
            "--headless",
            "--host",
            host,
            "-u",
            str(users),
            # Users join at 2 a second (each signs in: Argon2 costs about 0.1 s of
            # CPU), and the figures count from when all have joined.
            "-r",
            "2",
            "--reset-stats",
            "-t",
            f"{seconds + users // 2}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--workers",
            str(workers),
        ],
        check=False,  # locust exits 1 when any request failed; failures are in the table
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--service-users", type=int, default=100_000)
    parser.add_argument("--administrations", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument(
        "--data-dir", default=str(ROOT / "benchmarks" / "out" / "collection")
    )
    parser.add_argument(
        "--without-read-audit",
        action="store_true",
        help="serve without the audit of reads (the 'before' of its cost)",
    )
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OPENPROMS_DATA_DIR": str(data_dir)}
    server_env = dict(env)
    if args.without_read_audit:
        server_env["DJANGO_SETTINGS_MODULE"] = "no_read_audit_settings"
        server_env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")])
        )
    database = "PostgreSQL" if env.get("OPENPROMS_DATABASE_URL") else "SQLite"
    stamp = data_dir / f"seeded-{args.service_users}-{args.administrations}-{database}"
    if not stamp.exists():
        subprocess.run(
            [_python(), "-m", "openproms.cli", "manage", "migrate", "-v0"],
            env=env,
            check=True,
        )
        started = time.monotonic()
        subprocess.run(
            [
                _python(),
                "-m",
                "openproms.cli",
                "manage",
                "seed",
                "--service-users",
                str(args.service_users),
                "--administrations",
                str(args.administrations),
            ],
            env=env,
            check=True,
        )
        stamp.write_text(f"{time.monotonic() - started:.0f}")
    port = _port()
    server = subprocess.Popen(
        [
            _python(),
            "-m",
            "openproms.cli",
            "start",
            "--no-worker",
            "--port",
            str(port),
            "--threads",
            str(args.threads),
        ],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        _wait(host + "/healthz/", server)
        pages = _run_locust(
            host, "WorkerUser", args.users, args.seconds, data_dir / "worker", 40
        )
        floor = _run_locust(
            host,
            "TrivialUser",
            args.users,
            max(20, args.seconds // 3),
            data_dir / "trivial",
            40,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    trivial = floor["trivial view (/healthz/)"]
    base = float(trivial["95%"])
    print(
        f"\n{database}, {args.service_users:,} people, {args.administrations:,} answers, "
        f"{args.users} users, {args.seconds} s, waitress {args.threads} threads, "
        f"{'without' if args.without_read_audit else 'with'} the audit of reads "
        f"(seeding took {stamp.read_text()} s)\n"
    )
    print(
        "| page | requests | failures | p50 ms | p95 ms | p99 ms | p95 / trivial p95 |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("due list", "person page", "answering page", "save answer"):
        row = pages.get(name)
        if row is None:
            print(f"| {name} | 0 | - | - | - | - | - |")
            continue
        ratio = float(row["95%"]) / base if base else float("nan")
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} | {row['99%']} | {ratio:.1f}x |"
        )
    print(
        f"| trivial view (/healthz/) | {trivial['Request Count']} | {trivial['Failure Count']} | {trivial['50%']} | {trivial['95%']} | {trivial['99%']} | 1.0x |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
