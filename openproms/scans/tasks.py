"""Background tasks for scanned paper: reading a batch, and expiring old images."""

from __future__ import annotations

from django_tasks import task

from openproms.core.row_security import organisation_scope
from openproms.scans import read_services, services
from openproms.scans.models import ScanBatch


@task()
def read_batch(batch_pk: int) -> dict[str, object]:
    """Read every page of an uploaded batch, walled in its organisation."""
    organisation_id = (
        ScanBatch.objects.filter(pk=batch_pk)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if organisation_id is None:
        return {"batch": batch_pk, "status": "missing"}
    with organisation_scope(organisation_id):
        batch = read_services.batch_read(batch_pk)
    if batch is None:
        return {"batch": batch_pk, "status": "missing"}
    return {"batch": batch_pk, "status": batch.status, "pages": batch.pages_read}


@task()
def expire_scan_images() -> int:
    """The daily job: remove images of pages that never became answers once they
    are older than OPENPROMS_SCAN_RETENTION_DAYS."""
    return services.scan_images_expire()
