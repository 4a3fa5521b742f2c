"""The ``openproms`` command.

openproms start [--demo] [--host 127.0.0.1] [--port 8000]
openproms manage COMMAND ...        every Django management command
openproms measures list|show ...    the measure library
openproms score --measure ID IN.csv score a CSV of answers
openproms paper print|read ...      printed forms and reading scans (OMR)
openproms backup --to DIR           back up the database and uploaded files
openproms restore DIR               restore a backup into an empty installation
openproms psychometrics IN.csv ...  reliability and item analysis of one scale
openproms analyse funnel IN.csv ... group means on a funnel plot
openproms fhir questionnaire|score  measures as FHIR Questionnaires, scoring responses
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence

SETTINGS = "openproms.settings"


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    import django

    django.setup()


def manage(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["openproms manage", *argv])
    return 0


def _hold_sqlite_open(database: dict[str, object]) -> sqlite3.Connection | None:
    """One idle connection to a SQLite database, held while the server runs.

    Each request closes its connection (CONN_MAX_AGE 0 for SQLite). When the last
    connection to a WAL database closes, SQLite copies the log into the database
    and syncs it: about 15 ms after any write, paid by whichever request closed
    last; with every page writing its read event (decision 0013) that is most
    pages. With this connection open no request's close is the last, and the log
    is copied back every 1,000 pages (wal_autocheckpoint) instead.
    """
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return None
    keeper = sqlite3.connect(str(database["NAME"]), check_same_thread=False)
    keeper.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    return keeper


def served_url(host: str, port: int) -> str:
    """The address ``openproms start`` serves, as a browser on this machine opens
    it (a server listening on every address is opened at 127.0.0.1)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - only compared
    return f"http://{shown}:{port}"


def start(args: argparse.Namespace) -> int:
    """Migrate, optionally seed the demo, start the task worker and serve the site."""
    # Links in emails (invitations, reminders) name the address served here,
    # unless the site's public address is set.
    os.environ.setdefault("OPENPROMS_SITE_URL", served_url(args.host, args.port))
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command
    from waitress import serve

    print(f"openproms: data folder {settings.DATA_DIR}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if args.demo:
        call_command("seed_demo")
    # Imported only now: WhiteNoise indexes the static folder when the app loads.
    from openproms.wsgi import application

    worker = None
    stop_jobs = threading.Event()
    if not args.no_worker:
        # This is the only worker: whatever a killed one left half-read is taken
        # over now (decision 0022).
        call_command("recover", stale_minutes=0)
        worker = subprocess.Popen(
            [sys.executable, "-m", "openproms.cli", "manage", "db_worker"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS},
        )
        print(
            f"openproms: background task worker started (pid {worker.pid})", flush=True
        )

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    keeper = _hold_sqlite_open(settings.DATABASES["default"])
    print(
        f"openproms: serving at http://{args.host}:{args.port}/ (Ctrl+C to stop)",
        flush=True,
    )
    try:
        serve(
            application,
            host=args.host,
            port=args.port,
            threads=args.threads,
            ident="openproms",
        )
    except KeyboardInterrupt:
        pass
    finally:
        stop_jobs.set()
        if keeper is not None:
            keeper.close()
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        return manage(argv[1:])
    if argv and argv[0] == "paper":
        from openproms.paper.cli import main as paper_main

        return paper_main(argv[1:])
    if argv and argv[0] in {"psychometrics", "analyse"}:
        from openproms.stats.cli import main as stats_main

        return stats_main(argv)
    if argv and argv[0] == "fhir":
        from openproms.fhir.cli import main as fhir_main

        return fhir_main(argv[1:])
    if argv and argv[0] in {"measures", "score"}:
        from openproms.scoring.cli import main as scoring_main

        return scoring_main(argv)
    parser = argparse.ArgumentParser(
        prog="openproms",
        description="openproms: patient-reported outcome measures for charities and GP practices.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="migrate, then serve openproms")
    start_parser.add_argument(
        "--demo", action="store_true", help="create the demo data first"
    )
    start_parser.add_argument("--host", default="127.0.0.1")
    start_parser.add_argument("--port", type=int, default=8000)
    start_parser.add_argument("--threads", type=int, default=8)
    start_parser.add_argument(
        "--no-worker",
        action="store_true",
        help="do not start the background-task worker",
    )
    commands.add_parser(
        "manage", help="run a Django management command", add_help=False
    )
    commands.add_parser(
        "measures", help="list or show the measures in the library", add_help=False
    )
    commands.add_parser("score", help="score a CSV of answers", add_help=False)
    commands.add_parser(
        "paper", help="print forms and read scans and photos of them", add_help=False
    )
    from openproms.backup.cli import add_commands as add_backup_commands

    add_backup_commands(commands)
    commands.add_parser(
        "psychometrics",
        help="reliability and item analysis of one scale",
        add_help=False,
    )
    commands.add_parser(
        "analyse",
        help="compare groups on a funnel plot (analyse funnel)",
        add_help=False,
    )
    commands.add_parser(
        "fhir",
        help="print a measure's FHIR Questionnaire; score a QuestionnaireResponse",
        add_help=False,
    )
    args = parser.parse_args(argv)
    if args.command == "start":
        return start(args)
    if args.command in {"backup", "restore"}:
        _django_setup()
        from openproms.backup import cli as backup_cli

        return int(getattr(backup_cli, args.command)(args))
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
