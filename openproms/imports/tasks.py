"""Background tasks: checking and importing a large file (progress on the job)."""

from __future__ import annotations

from django_tasks import task

from openproms.accounts.models import User
from openproms.core.row_security import organisation_scope
from openproms.imports.models import ImportJob


@task()
def run_import(job_pk: int, commit: bool, actor_pk: int | None) -> dict[str, object]:
    """The dry run or the commit of one file, walled in its organisation."""
    from openproms.imports.services import import_run

    organisation_id = (
        ImportJob.objects.filter(pk=job_pk)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if organisation_id is None:
        return {"job": job_pk, "status": "missing"}
    with organisation_scope(organisation_id):
        job = ImportJob.objects.select_related("organisation").get(pk=job_pk)
        actor = User.objects.filter(pk=actor_pk).first() if actor_pk else None
        job = import_run(job=job, commit=commit, actor=actor)
    return {"job": job_pk, "status": job.status}


@task()
def expire_uploads() -> int:
    """The daily job: delete the contents of uploaded files never imported, once
    older than OPENPROMS_IMPORT_RETENTION_DAYS. Returns how many were deleted."""
    from openproms.imports.retention import uploads_expire

    return uploads_expire()
