"""Uploaded files are not kept unused: a file never imported is deleted after
OPENPROMS_IMPORT_RETENTION_DAYS (its contents and its dry run's findings), the
pages say so, and it cannot be checked or imported any more; an imported file
and one still being worked on are left as they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.core.periodic import JOBS
from openproms.imports.models import ImportJob
from openproms.imports.retention import uploads_expire
from tests.conftest import Tenant, verified_client
from tests.imports.helpers import csv_of, good_rows, manager, uses
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def _job(tenant: Tenant, status: str, days_old: int) -> ImportJob:
    job = ImportJob.objects.create(
        organisation=tenant.organisation,
        file_name="old.csv",
        file_hash=f"{status}-{days_old}",
        content=csv_of(*good_rows(tenant)),
        headers=["Reference"],
        row_count=2,
        status=status,
        outcome={"commit": False, "problems": [], "lines": ["Row 2: Ann Smith"]},
    )
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days_old)
    )
    return job


def test_files_never_imported_are_deleted_after_the_retention_period(
    tenant_a: Tenant,
) -> None:
    uses(tenant_a, "gad7", "phq9")
    old_checked = _job(tenant_a, ImportJob.Status.CHECKED, 31)
    old_problems = _job(tenant_a, ImportJob.Status.PROBLEMS, 45)
    recent = _job(tenant_a, ImportJob.Status.CHECKED, 5)
    imported = _job(tenant_a, ImportJob.Status.IMPORTED, 60)
    running = _job(tenant_a, ImportJob.Status.IMPORTING, 60)

    assert uploads_expire() == 2

    for job in (old_checked, old_problems):
        job.refresh_from_db()
        assert job.status == ImportJob.Status.EXPIRED
        assert bytes(job.content) == b"" and job.outcome == {}
    for job, status in (
        (recent, ImportJob.Status.CHECKED),
        (imported, ImportJob.Status.IMPORTED),
        (running, ImportJob.Status.IMPORTING),
    ):
        job.refresh_from_db()
        assert job.status == status and bytes(job.content) != b""
    # Running it again changes nothing; the job runs daily under `openproms start`.
    assert uploads_expire() == 0
    assert any(j.task == "openproms.imports.tasks.expire_uploads" for j in JOBS)


def test_a_deleted_file_says_so_and_cannot_be_checked_or_imported(
    tenant_a: Tenant,
) -> None:
    uses(tenant_a, "gad7", "phq9")
    job = _job(tenant_a, ImportJob.Status.CHECKED, 31)
    uploads_expire()
    client: Client = verified_client(manager(tenant_a))
    slug = tenant_a.organisation.slug
    page = client.get(reverse("imports:import_detail", args=[slug, job.pk]))
    text = visible_text(page.content.decode())
    assert "deleted 30 days after it was uploaded" in text
    assert "Upload it again to import it" in text
    columns = client.get(reverse("imports:import_columns", args=[slug, job.pk]))
    assert columns.status_code == 302
    commit = client.post(reverse("imports:import_commit", args=[slug, job.pk]))
    assert commit.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.EXPIRED
