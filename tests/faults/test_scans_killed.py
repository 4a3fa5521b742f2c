"""Scanned paper with the server killed part-way: uploading, reading a batch
(once: it carries on; twice: it fails with a reason), and between reading a file
and deleting its upload. After ``openproms manage recover`` no row is
half-written, no file is left that no record names, and no form is saved twice."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from openproms.collection.models import Administration
from openproms.scans import services
from openproms.scans.models import ScanBatch, ScanFile, ScanPage
from tests.conftest import Tenant, _tenant
from tests.faults.conftest import Shared
from tests.route_objects.collection_answering import due_person
from tests.route_objects.scans import as_pdf, scanned_pages

pytestmark = pytest.mark.django_db(transaction=True)

PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}
WORKER = ("openproms.cli", "manage", "db_worker", "--batch", "--no-startup-delay")


def _pile(tenant: Tenant, people: int) -> tuple[bytes, int]:
    """A scanned pile of one printed PHQ-9 per person, each filled in."""
    pages = []
    for n in range(people):
        _person, _episode, points = due_person(tenant, reference=f"P-{n + 1}")
        outcome = services.forms_print(
            membership=tenant.members["data_officer"], time_points=points
        )
        pages += scanned_pages(outcome.printed[0], PHQ9, seed=n + 1)
    return as_pdf(pages), len(pages)


def _uploaded(tenant: Tenant, pile: bytes) -> ScanBatch:
    batch = services.batch_create(
        membership=tenant.members["data_officer"],
        files=[SimpleUploadedFile("pile.pdf", pile)],
    )
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # for the worker
    return batch


def _named_files() -> set[str]:
    named = set(ScanFile.objects.exclude(upload="").values_list("upload", flat=True))
    for image, aligned in ScanPage.objects.values_list("image", "aligned"):
        named.update(n for n in (image, aligned) if n)
    return named


def _recover(**options: Any) -> None:
    call_command("recover", stale_minutes=0, orphan_minutes=0, **options)


def test_a_batch_whose_worker_is_killed_carries_on_where_it_stopped(
    shared: Shared,
) -> None:
    tenant = _tenant("alpha", "Alpha Charity")
    pile, pages = _pile(tenant, people=2)
    batch = _uploaded(tenant, pile)
    shared.kill_at("scan.page_recorded@2", *WORKER)  # inside page 2's transaction
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.READING
    assert ScanPage.objects.count() == 1  # page 1 committed; page 2 never was
    orphans = set(shared.media_files()) - _named_files()
    assert orphans  # page 2's images, written inside its transaction
    # The restart: recovery, then the worker.
    out = io.StringIO()
    _recover(stdout=out)
    assert "Batches read again from where they stopped: 1" in out.getvalue()
    assert "Files no record names, deleted: 2" in out.getvalue()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE and batch.resumed == 1
    read = ScanPage.objects.filter(batch=batch).order_by("index")
    assert [p.index for p in read] == list(range(pages))  # each page once
    assert {p.status for p in read} == {ScanPage.Status.SAVED}
    assert Administration.objects.count() == 2  # one per form, none twice
    assert set(shared.media_files()) == _named_files()  # no orphan, no upload
    assert not ScanFile.objects.get().upload
    tasks = dict(DBTaskResult.objects.values_list("status", "exception_class_path"))
    assert tasks == {
        "FAILED": "openproms.scans.recovery.WorkerStopped",
        "SUCCESSFUL": "",
    }


def test_a_batch_stopped_twice_fails_with_a_reason_the_data_officer_reads(
    shared: Shared, client_for: Callable[..., Any]
) -> None:
    tenant = _tenant("alpha", "Alpha Charity")
    pile, _pages = _pile(tenant, people=1)
    batch = _uploaded(tenant, pile)
    shared.kill_at("scan.page_recorded", *WORKER)
    _recover()
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.QUEUED and batch.resumed == 1
    shared.kill_at("scan.page_recorded", *WORKER)  # the same page stops it again
    _recover()
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.FAILED
    assert "stopped twice" in batch.error and "pile.pdf page 1" in batch.error
    assert not ScanPage.objects.exists() and not Administration.objects.exists()
    assert set(shared.media_files()) == _named_files()  # only the upload is left
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == [
        "FAILED",
        "FAILED",
    ]
    page = client_for(tenant.members["data_officer"].user).get(
        reverse("scans:batch_detail", args=[tenant.organisation.slug, batch.pk])
    )
    text = html.unescape(page.content.decode())
    assert "the server stopped twice while reading this batch" in text
    assert "pile.pdf page 1" in text and "Upload the pages not yet read again" in text


def test_a_worker_killed_between_reading_a_file_and_deleting_its_upload(
    shared: Shared,
) -> None:
    tenant = _tenant("alpha", "Alpha Charity")
    pile, pages = _pile(tenant, people=1)
    batch = _uploaded(tenant, pile)
    shared.kill_at("scan.file_read", *WORKER)
    upload = ScanFile.objects.get()
    assert upload.status == ScanFile.Status.READ and upload.upload  # still on disk
    _recover()
    assert not ScanFile.objects.get().upload
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE
    assert ScanPage.objects.count() == pages and Administration.objects.count() == 1
    assert set(shared.media_files()) == _named_files()


def test_an_upload_killed_before_its_commit_leaves_no_batch_and_no_file(
    shared: Shared,
) -> None:
    tenant = _tenant("alpha", "Alpha Charity")
    pile, _pages = _pile(tenant, people=1)
    (shared.data_dir / "pile.pdf").write_bytes(pile)
    shared.kill_child_at(
        "scan.upload_stored",
        "upload",
        membership=tenant.members["data_officer"].pk,
        files=[["pile.pdf", str(shared.data_dir / "pile.pdf")]],
    )
    assert not ScanBatch.objects.exists() and not ScanFile.objects.exists()
    written = shared.media_files()
    assert len(written) == 1  # the upload, named by a row that was never committed
    call_command("recover")  # an hour's grace: it could be an upload being saved
    assert shared.media_files() == written
    out = shared.run(
        "openproms.cli", "manage", "recover", "--stale-minutes=0", "--orphan-minutes=0"
    )
    assert "Files no record names, deleted: 1" in out
    assert shared.media_files() == []
