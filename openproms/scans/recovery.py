"""Putting scanned paper right after the server stopped part-way (decision 0022).

Every write of a batch is a transaction (the upload, each page read), so a killed
process leaves no half-written rows, only these loose ends, which
:func:`scans_recover` (``openproms manage recover``) ties up:

* a batch left "Being read" by a worker that died: read again from the page after
  the last one recorded, once; stopped a second time it is marked failed, with a
  reason a data officer can act on (the page may be what stops the server);
* its background task left "running" by the dead worker, and any other task a
  worker left "running" for as long: marked failed;
* a batch that was saved but never handed to the worker: handed over;
* an upload kept after its file was read (stopped between the two steps): deleted;
* files that no saved record names (written by a transaction that never
  committed): deleted once they are older than ``orphan_age``, so that an upload
  still being saved is never touched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openproms.scans.models import ScanBatch, ScanFile, ScanPage
from openproms.scans.read_services import upload_remove

logger = logging.getLogger(__name__)

MAX_RESUMES = 1  # stopped again after being read again: the batch fails
STALE_AFTER = dt.timedelta(minutes=10)  # no page recorded for this long: stopped
ORPHAN_AGE = dt.timedelta(hours=1)
TASK_PATH = "openproms.scans.tasks.read_batch"
SCANS_FOLDER = "scans"


@dataclass
class Recovered:
    resumed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    tasks_failed: int = 0
    uploads_removed: int = 0
    orphans_removed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """What was done, for the operator who ran the command."""
        return [
            f"Batches read again from where they stopped: {len(self.resumed)}",
            f"Batches stopped twice and marked failed: {len(self.failed)}",
            f"Batches saved but never read, now queued: {len(self.requeued)}",
            "Other background tasks left running by a stopped worker, marked "
            f"failed: {self.tasks_failed}",
            f"Uploads already read and now deleted: {self.uploads_removed}",
            f"Files no record names, deleted: {len(self.orphans_removed)}",
        ]


def scans_recover(
    *,
    stale_after: dt.timedelta = STALE_AFTER,
    orphan_age: dt.timedelta = ORPHAN_AGE,
    now: dt.datetime | None = None,
) -> Recovered:
    """Tie up what a killed server left of scanned paper (module docstring)."""
    now = now or timezone.now()
    done = Recovered()
    _batches_recover(done, now - stale_after, now)
    done.tasks_failed = _dead_tasks_mark(now - stale_after, now)
    for scan_file in ScanFile.objects.exclude(status=ScanFile.Status.WAITING).exclude(
        upload=""
    ):
        upload_remove(scan_file)
        done.uploads_removed += 1
    done.orphans_removed = orphan_files_remove(older_than=now - orphan_age)
    return done


def _tasks_for(batch_pk: int, statuses: list[str]) -> list[DBTaskResult]:
    return [
        result
        for result in DBTaskResult.objects.filter(
            task_path=TASK_PATH, status__in=statuses
        )
        if list(result.args_kwargs.get("args", [])) == [batch_pk]
    ]


def _uses_task_database() -> bool:
    backend = str(settings.TASKS["default"]["BACKEND"])
    return backend.startswith("django_tasks_db.")


def _batches_recover(done: Recovered, cutoff: dt.datetime, now: dt.datetime) -> None:
    from openproms.scans.tasks import read_batch

    stale = ScanBatch.objects.filter(status=ScanBatch.Status.READING).filter(
        Q(progress_at__lte=cutoff)
        | Q(progress_at__isnull=True, started_at__lte=cutoff)
        | Q(progress_at__isnull=True, started_at__isnull=True)
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            batch = ScanBatch.objects.select_for_update().get(pk=pk)
            if batch.status != ScanBatch.Status.READING:
                continue  # finished meanwhile
            for result in _tasks_for(pk, ["RUNNING"]):
                _mark_stopped(result, now)
            if batch.resumed >= MAX_RESUMES:
                batch.status = ScanBatch.Status.FAILED
                batch.finished_at = now
                batch.error = _stopped_twice(batch)[:500]
                batch.save(update_fields=["status", "finished_at", "error"])
                logger.warning("Batch %s stopped twice: marked failed", pk)
                done.failed.append(pk)
                continue
            batch.status = ScanBatch.Status.QUEUED
            batch.resumed += 1
            batch.save(update_fields=["status", "resumed"])
            transaction.on_commit(lambda pk=pk: read_batch.enqueue(pk))  # type: ignore[misc]
            logger.warning("Batch %s was left being read: read again", pk)
            done.resumed.append(pk)
    if not _uses_task_database():
        return  # without the task table nothing can be waiting there
    for pk in ScanBatch.objects.filter(
        status=ScanBatch.Status.QUEUED, created_at__lte=cutoff
    ).values_list("pk", flat=True):
        if pk in done.resumed or _tasks_for(pk, ["READY", "RUNNING"]):
            continue
        read_batch.enqueue(pk)
        done.requeued.append(pk)


def _mark_stopped(result: DBTaskResult, now: dt.datetime) -> None:
    result.status = "FAILED"
    result.finished_at = now
    result.exception_class_path = "openproms.scans.recovery.WorkerStopped"
    result.traceback = (
        "The worker stopped (killed, or the server lost power) while running this "
        "task; openproms manage recover marked it failed."
    )
    result.save(
        update_fields=["status", "finished_at", "exception_class_path", "traceback"]
    )


def _dead_tasks_mark(cutoff: dt.datetime, now: dt.datetime) -> int:
    """Other tasks a stopped worker left "running" (a batch still being read by a
    live worker is left alone)."""
    reading = set(
        ScanBatch.objects.filter(status=ScanBatch.Status.READING).values_list(
            "pk", flat=True
        )
    )
    marked = 0
    for result in DBTaskResult.objects.filter(status="RUNNING", started_at__lte=cutoff):
        args = list(result.args_kwargs.get("args", []))
        if result.task_path == TASK_PATH and args and args[0] in reading:
            continue
        _mark_stopped(result, now)
        marked += 1
    return marked


def _stopped_twice(batch: ScanBatch) -> str:
    where = ""
    waiting = batch.files.filter(status=ScanFile.Status.WAITING).order_by("id").first()
    if waiting is not None:
        last = (
            ScanPage.objects.filter(file=waiting)
            .order_by("-index")
            .values_list("index", flat=True)
            .first()
        )
        page = 1 if last is None else last + 2
        where = f", the last time at {waiting.name} page {page}"
    return (
        "Reading stopped: the server stopped twice while reading this batch"
        f"{where}. The pages read before then are kept below. Upload the pages "
        "not yet read again (that page may be too large or damaged: scan it again), "
        "and tell your administrator."
    )


def orphan_files_remove(*, older_than: dt.datetime) -> list[str]:
    """Delete files in the scans folder that no saved upload or page names and
    that were last written before ``older_than``; returns their names."""
    root = Path(settings.MEDIA_ROOT) / SCANS_FOLDER
    if not root.is_dir():
        return []
    named: set[str] = set()
    for upload in ScanFile.objects.exclude(upload="").values_list("upload", flat=True):
        named.add(upload)
    for image, aligned in ScanPage.objects.values_list("image", "aligned"):
        named.update(n for n in (image, aligned) if n)
    cutoff = older_than.timestamp()
    removed = []
    for folder, _subfolders, names in os.walk(root, topdown=False):
        for name in names:
            path = Path(folder) / name
            rel = path.relative_to(settings.MEDIA_ROOT).as_posix()
            if rel in named or path.is_symlink():
                continue
            try:
                if path.stat().st_mtime > cutoff:
                    continue
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(rel)
        if Path(folder) != root:
            with contextlib.suppress(OSError):
                Path(folder).rmdir()  # only when empty
    return sorted(removed)
