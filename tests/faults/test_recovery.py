"""``openproms manage recover`` with its default waits: work a live process is
still doing is left alone; what a stopped worker left is taken over."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openproms.scans.models import ScanBatch, ScanFile
from openproms.scans.tasks import expire_scan_images, read_batch
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def task_database(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}


def _running(task: Any, *args: Any, started: dt.datetime) -> DBTaskResult:
    result = DBTaskResult.objects.get(id=task.enqueue(*args).id)
    result.claim("worker-1")
    DBTaskResult.objects.filter(id=result.id).update(started_at=started)
    return result


def _batch(tenant: Tenant, progress_at: dt.datetime) -> ScanBatch:
    batch = ScanBatch.objects.create(
        organisation=tenant.organisation,
        status=ScanBatch.Status.READING,
        started_at=progress_at,
        progress_at=progress_at,
    )
    ScanFile.objects.create(batch=batch, name="pile.pdf", size=1, sha256="0" * 64)
    return batch


def test_recover_leaves_a_batch_in_progress_and_takes_over_a_stale_one(
    tenant_a: Tenant, task_database: None, django_capture_on_commit_callbacks: Any
) -> None:
    now = timezone.now()
    live = _batch(tenant_a, progress_at=now - dt.timedelta(minutes=2))
    stale = _batch(tenant_a, progress_at=now - dt.timedelta(minutes=30))
    live_task = _running(read_batch, live.pk, started=now - dt.timedelta(hours=1))
    stale_task = _running(read_batch, stale.pk, started=now - dt.timedelta(hours=1))
    other = _running(expire_scan_images, started=now - dt.timedelta(hours=1))
    fresh = _running(expire_scan_images, started=now - dt.timedelta(minutes=1))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("recover", stdout=out)
    live.refresh_from_db()
    stale.refresh_from_db()
    assert live.status == ScanBatch.Status.READING and live.resumed == 0
    assert stale.status == ScanBatch.Status.QUEUED and stale.resumed == 1
    status = dict(DBTaskResult.objects.values_list("id", "status"))
    assert status[live_task.id] == "RUNNING" and status[fresh.id] == "RUNNING"
    assert status[stale_task.id] == "FAILED" and status[other.id] == "FAILED"
    assert DBTaskResult.objects.filter(
        status="READY", task_path=read_batch.module_path
    ).get().args_kwargs["args"] == [stale.pk]  # queued to be read again
    assert "Batches read again from where they stopped: 1" in out.getvalue()
    assert "marked failed: 1" in out.getvalue()


def test_a_batch_saved_but_never_queued_is_queued(
    tenant_a: Tenant, task_database: None
) -> None:
    batch = ScanBatch.objects.create(
        organisation=tenant_a.organisation,
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    queued = ScanBatch.objects.create(
        organisation=tenant_a.organisation,
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    read_batch.enqueue(queued.pk)
    call_command("recover", stdout=io.StringIO())
    waiting = [
        r.args_kwargs["args"] for r in DBTaskResult.objects.filter(status="READY")
    ]
    assert sorted(waiting) == sorted([[batch.pk], [queued.pk]])
