"""Jobs that run on a timer while ``openproms start`` runs.

The web process enqueues each job for the background worker when it starts and then
every ``every`` seconds; the jobs are idempotent, so running one again early is safe.
Deployments without ``openproms start`` run the same jobs from cron (each has a
management command).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    task: str  # dotted path of a django-tasks task
    every: int  # seconds


JOBS = [
    # Mark time points whose window closed unanswered as missed; open new occasions.
    PeriodicJob(
        "openproms.collection.tasks.close_missed_time_points", every=6 * 60 * 60
    ),
    # Delete images of scanned pages that never became answers, once past retention.
    PeriodicJob("openproms.scans.tasks.expire_scan_images", every=24 * 60 * 60),
    # Delete uploaded import files never imported, once past retention (decision 0024).
    PeriodicJob("openproms.imports.tasks.expire_uploads", every=24 * 60 * 60),
    # Erase people past their organisation's retention period (decision 0021).
    PeriodicJob("openproms.governance.tasks.apply_retention", every=24 * 60 * 60),
    # Reminders: stop, make and send; retries wait out their back-off (decision 0030).
    PeriodicJob("openproms.reminders.tasks.send_reminders", every=5 * 60),
    # Alerts for implementation leads when collection falls behind (decision 0030).
    PeriodicJob("openproms.reminders.tasks.check_collection", every=24 * 60 * 60),
    # Keep the query planner's statistics fresh (SQLite has none until asked).
    PeriodicJob("openproms.core.tasks.database_optimise", every=24 * 60 * 60),
]


def _loop(job: PeriodicJob, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            import_string(job.task).enqueue()
        except Exception:  # a failed enqueue must not stop the web server
            logger.exception("Could not queue %s", job.task)
        stop.wait(job.every)


def start_periodic_jobs(stop: threading.Event) -> list[threading.Thread]:
    threads = []
    for job in JOBS:
        thread = threading.Thread(
            target=_loop, args=(job, stop), daemon=True, name=job.task
        )
        thread.start()
        threads.append(thread)
    return threads
