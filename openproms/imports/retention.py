"""Uploaded files are not kept unused: a file of people's names, dates of birth and
answers that was never imported is deleted once it is older than
``OPENPROMS_IMPORT_RETENTION_DAYS`` (decision 0024). An imported file's contents
are deleted as it is imported (services._finish)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from openproms.imports.models import ImportJob

_KEPT_AS_THEY_ARE = (
    ImportJob.Status.IMPORTED,
    ImportJob.Status.EXPIRED,
    # A file being checked or imported is left to finish.
    ImportJob.Status.CHECKING,
    ImportJob.Status.IMPORTING,
)


def uploads_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the contents, and the dry run's row-by-row findings, of every
    uploaded file never imported and older than the retention period; each is
    marked "deleted unused". Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OPENPROMS_IMPORT_RETENTION_DAYS)
    return (
        ImportJob.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=_KEPT_AS_THEY_ARE)
        .update(
            content=b"",
            outcome={},
            status=ImportJob.Status.EXPIRED,
            stage="",
            finished_at=now,
        )
    )
