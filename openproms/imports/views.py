"""Pages for importing historic data: upload, match columns, dry run, import."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.core.access import org_view
from openproms.imports import selectors, services
from openproms.imports.forms import ColumnsForm, UploadForm
from openproms.imports.mapping import (
    initial_mapping,
    mapping_save,
    organisation_import_measures,
    target_choices,
)
from openproms.imports.models import ImportJob
from openproms.imports.reading import read_table
from openproms.imports.tally import NOT_CHANGES

SAMPLE_ROWS = 3


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


@org_view(Action.IMPORT_RUN)
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """Upload a file, and the imports so far."""
    organisation = _org(request)
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None, request.FILES if posted else None
    )
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        job = services.import_upload(
            organisation=organisation,
            actor=request.user,  # type: ignore[arg-type]
            file_name=upload.name,
            content=upload.read(),
            request=request,
        )
        if job.status == ImportJob.Status.PROBLEMS:
            return redirect("imports:import_detail", organisation.slug, job.pk)
        return redirect("imports:import_columns", organisation.slug, job.pk)
    return render(
        request,
        "imports/import_list.html",
        {"form": form, "jobs": selectors.imports_for(organisation)[:30]},
        status=400 if posted else 200,
    )


@org_view(Action.IMPORT_RUN)
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Say what each column holds (offered from last time), then check the file."""
    organisation = _org(request)
    job = selectors.import_get(organisation=organisation, pk=import_pk)
    if job.running or job.status in (
        ImportJob.Status.IMPORTED,
        ImportJob.Status.EXPIRED,
    ):
        return redirect("imports:import_detail", organisation.slug, job.pk)
    measures = organisation_import_measures(organisation)
    table = read_table(bytes(job.content))
    samples = [
        [
            str(cells[i]) if i < len(cells) and cells[i] is not None else ""
            for _, cells in table.rows[:SAMPLE_ROWS]
        ]
        for i in range(len(job.headers))
    ]
    offered = job.mapping or initial_mapping(
        organisation=organisation, headers=job.headers, measures=measures
    )
    form = ColumnsForm(
        request.POST if request.method == "POST" else None,
        headers=job.headers,
        choices=target_choices(measures),
        samples=samples,
        initial_mapping=offered,
    )
    if request.method == "POST" and form.is_valid():
        job.mapping = form.mapping()
        job.status = ImportJob.Status.UPLOADED
        job.save(update_fields=["mapping", "status"])
        mapping_save(
            organisation=organisation,
            headers=job.headers,
            mapping=job.mapping,
            actor=request.user,  # type: ignore[arg-type]
        )
        services.import_start(
            job=job,
            commit=False,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        return redirect("imports:import_detail", organisation.slug, job.pk)
    record_viewed(request, view="import columns", obj=job)
    return render(
        request,
        "imports/import_columns.html",
        {"job": job, "form": form},
        status=400 if form.errors else 200,
    )


@org_view(Action.IMPORT_RUN)
@require_http_methods(["GET"])
def import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    """The dry run (what would be created, changed and skipped, or every problem),
    progress while it runs, and what the import did. ``?progress=1``: the part
    htmx polls while the file is checked or imported."""
    organisation = _org(request)
    job = selectors.import_get(organisation=organisation, pk=import_pk)
    outcome = job.outcome or {}
    counts = dict(outcome.get("counts", {}))
    # Imports from before the count of every episode saved closed showed held
    # episodes given an end date only.
    counts.setdefault("episodes_ended", counts.get("episodes_updated", 0))
    context = {
        "job": job,
        "outcome": outcome,
        "counts": counts,
        "changes": sum(v for k, v in counts.items() if k not in NOT_CHANGES),
        "percent": int(100 * job.rows_done / job.row_count) if job.row_count else 0,
        "retention_days": settings.OPENPROMS_IMPORT_RETENTION_DAYS,
    }
    record_viewed(request, view="import", obj=job)
    if request.GET.get("progress"):
        return render(request, "imports/_import_body.html", context)
    return render(request, "imports/import_detail.html", context)


@org_view(Action.IMPORT_RUN)
@require_POST
def import_commit(request: HttpRequest, import_pk: int) -> HttpResponse:
    """Import a checked file: every row, or (on any problem) none."""
    organisation = _org(request)
    job = selectors.import_get(organisation=organisation, pk=import_pk)
    if job.status != ImportJob.Status.CHECKED:
        messages.error(request, "Check the file (the dry run) before importing it.")
        return redirect("imports:import_detail", organisation.slug, job.pk)
    services.import_start(
        job=job,
        commit=True,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    return redirect("imports:import_detail", organisation.slug, job.pk)
