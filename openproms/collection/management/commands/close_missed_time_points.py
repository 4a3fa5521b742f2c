"""Daily: refresh schedules time has brought near, and mark closed windows missed.

Run it once a day from cron (``openproms manage close_missed_time_points``), or
with ``--enqueue`` to hand it to the background worker that ``openproms start`` runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openproms.collection import scheduling


class Command(BaseCommand):
    help = "Mark time points whose window has closed unanswered as missed (daily)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="Run as of this date (YYYY-MM-DD); default: today in Europe/London.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the job for the background worker instead of running it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            from openproms.collection.tasks import close_missed_time_points

            result = close_missed_time_points.enqueue()
            self.stdout.write(f"Queued the daily schedule job ({result.id}).")
            return
        today = options["today"]
        advanced = scheduling.schedules_advance(today=today)
        missed = scheduling.time_points_close_missed(today=today)
        self.stdout.write(
            f"Refreshed {advanced} episode schedule(s); "
            f"marked {missed} time point(s) missed."
        )
