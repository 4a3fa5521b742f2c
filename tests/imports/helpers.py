"""Files and runs for the import tests."""

from __future__ import annotations

from openproms.accounts.models import User
from openproms.audit.models import AuditEvent
from openproms.catalogue.models import OrganisationMeasure
from openproms.collection.models import Administration, ScaleResult
from openproms.imports.mapping import initial_mapping, organisation_import_measures
from openproms.imports.models import ImportedScore, ImportJob
from openproms.imports.services import import_run, import_upload
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant

HEADINGS = (
    "Reference,Given name,Family name,Date of birth,NHS number,Service,"
    "Episode start,Episode end,Measure,Date answered,Q1,Q2,Q3,Q4,Q5,Q6,Q7"
)


def uses(tenant: Tenant, *measures: str) -> None:
    for measure in measures:
        OrganisationMeasure.objects.get_or_create(
            organisation=tenant.organisation, measure_id=measure, measure_version="1"
        )


def csv_of(*rows: str, headings: str = HEADINGS) -> bytes:
    return ("\n".join([headings, *rows]) + "\n").encode()


def good_rows(tenant: Tenant) -> list[str]:
    service = tenant.service.name
    return [
        f"R-001,Ann,Smith,01/02/1980,,{service},2021-01-04,,GAD-7,04/01/2021,1,2,1,0,3,2,1",
        f"R-001,Ann,Smith,01/02/1980,,{service},2021-01-04,,GAD-7,1 March 2021,0,1,1,0,1,1,0",
        f"R-002,Bob,Jones,1975-06-30,,{service},04/01/2021,30/06/2021,GAD-7,2021-01-05,3,3,3,3,3,3,3",
    ]


def upload(tenant: Tenant, content: bytes, name: str = "old.csv") -> ImportJob:
    return import_upload(
        organisation=tenant.organisation,
        actor=manager(tenant),
        file_name=name,
        content=content,
    )


def manager(tenant: Tenant) -> User:
    return tenant.members["manager"].user


def run(
    tenant: Tenant, content: bytes, *, commit: bool, name: str = "old.csv"
) -> ImportJob:
    """Upload, take the columns as offered, and run the dry run or the commit."""
    job = upload(tenant, content, name)
    if job.status == ImportJob.Status.PROBLEMS:
        return job
    job.mapping = initial_mapping(
        organisation=tenant.organisation,
        headers=job.headers,
        measures=organisation_import_measures(tenant.organisation),
    )
    job.save()
    return import_run(job=job, commit=commit, actor=manager(tenant))


def written() -> dict[str, int]:
    """How many rows of everything an import writes (audit events not about uploads)."""
    return {
        "people": ServiceUser.objects.count(),
        "episodes": Episode.objects.count(),
        "administrations": Administration.objects.count(),
        "results": ScaleResult.objects.count(),
        "imported_scores": ImportedScore.objects.count(),
        "events": AuditEvent.objects.exclude(action="import.upload").count(),
    }


def messages(job: ImportJob) -> list[str]:
    return [p["message"] for p in job.outcome["problems"]]
