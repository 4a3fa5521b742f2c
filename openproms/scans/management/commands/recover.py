"""After a crash: tie up what a killed server left of scanned paper (decision 0022).

``openproms start`` runs it before it starts its background worker. Where workers
run on their own (``openproms manage db_worker``), run it after a crash, or from
the worker's service file before the worker starts: a batch is taken over only
when no page of it has been recorded for ``--stale-minutes``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from openproms.scans import recovery


class Command(BaseCommand):
    help = (
        "After a crash: read again (or mark failed) scanned batches left being read, "
        "and delete files no saved record names."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stale-minutes",
            type=float,
            default=recovery.STALE_AFTER.total_seconds() / 60,
            help="Take over a batch being read only when no page of it has been "
            "recorded for this long (default 10; 0 when no worker is running).",
        )
        parser.add_argument(
            "--orphan-minutes",
            type=float,
            default=recovery.ORPHAN_AGE.total_seconds() / 60,
            help="Delete a file no record names only when it is this old "
            "(default 60), so an upload being saved is never touched.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        done = recovery.scans_recover(
            stale_after=dt.timedelta(minutes=options["stale_minutes"]),
            orphan_age=dt.timedelta(minutes=options["orphan_minutes"]),
        )
        for line in done.lines():
            self.stdout.write(line)
