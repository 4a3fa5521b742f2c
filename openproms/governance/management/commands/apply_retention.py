"""Daily: erase everyone past their organisation's retention period.

Run it once a day from cron (``openproms manage apply_retention``); ``openproms
start`` runs it daily on its own. ``--dry-run`` says who would go and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openproms.governance.retention import retention_apply


class Command(BaseCommand):
    help = "Erase the records of people past their organisation's retention period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say who would be erased, and erase no one.",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Run as of this date (YYYY-MM-DD); default: today in Europe/London.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = retention_apply(today=options["today"], dry_run=options["dry_run"])
        verb = "Would erase" if run.dry_run else "Erased"
        if not run.erased:
            self.stdout.write(f"No one is past their retention period on {run.today}.")
            return
        for name, count in run.erased.items():
            self.stdout.write(f"{name}: {verb.lower()} {count} person(s).")
        self.stdout.write(f"{verb} {run.total} person(s) in all, as of {run.today}.")
