"""Writes for scanned paper: printing, uploading, reading, reading a page as a
chosen measure, and image retention.

Each page read is handed to :func:`openproms.scans.check_services.form_progress`,
which saves a form through ``collection.services.administration_submit`` once every
page of it has been read, every uncertain item decided by a person and the person it
belongs to is known (deciding, assigning and setting aside live there too). The same
page scanned twice, or a form whose time point already has an answer, is kept and
shown with that status and never saved twice.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone

from openproms.audit.services import log_action
from openproms.catalogue.selectors import (
    organisation_uses_measure,
)
from openproms.collection.models import TimePoint
from openproms.crash_points import crash_point
from openproms.paper import (
    FormContext,
    Layout,
    PrintJob,
    parse_payload,
    render_pdf,
)
from openproms.paper.layout import make_layout
from openproms.paper.render import batch_order_key
from openproms.scans.check_services import ScanError
from openproms.scans.models import (
    PrintedForm,
    ScanBatch,
    ScanFile,
    ScanPage,
)
from openproms.scans.selectors import measure_or_none, wording_problem
from openproms.translations.activation import person_language
from openproms.translations.selectors import definition_in_language

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from openproms.accounts.models import Membership
    from openproms.people.models import ServiceUser

MAX_FILES = 50
MAX_FILE_BYTES = 200_000_000
MAX_BATCH_BYTES = 500_000_000
DISK_FULL = "The server's disk is full: nothing was saved; tell your administrator."


# ------------------------------------------------------------------ printing


def initials(person: ServiceUser) -> str:
    parts = [p for p in (person.given_name, person.family_name) if p]
    return "".join(p[0].upper() for p in parts)


def printed_reference(person: ServiceUser) -> str:
    """The human check printed on a form: initials and the local reference."""
    return " ".join(p for p in (initials(person), person.reference) if p)


def new_token() -> str:
    """A printed copy's random token (the QR code's only link to a person)."""
    return secrets.token_urlsafe(12)


@dataclass
class PrintOutcome:
    pdf: bytes | None
    printed: list[PrintedForm] = field(default_factory=list)
    skipped: list[tuple[TimePoint, str]] = field(default_factory=list)


def forms_print(
    *,
    membership: Membership,
    time_points: Sequence[TimePoint],
    large_print: bool = False,
    duplex: bool = False,
    request: HttpRequest | None = None,
) -> PrintOutcome:
    """One PDF with a pre-assigned form for each time point, in reference order;
    each time point is marked printed. Time points whose measure cannot be printed
    (licensed wording not supplied) are listed in ``skipped`` with the reason."""
    organisation = membership.organisation
    variant = "large_print" if large_print else "standard"
    outcome = PrintOutcome(pdf=None)
    jobs: list[tuple[PrintJob, Layout, TimePoint]] = []
    for point in time_points:
        definition = measure_or_none(
            organisation, point.measure_id, point.measure_version
        )
        if definition is None:
            outcome.skipped.append((point, "the measure is not known here"))
            continue
        person = point.episode.service_user
        # Printed in the person's language where the measure has that wording
        # (decision 0028); its code says which, so it reads back the same way.
        definition = definition_in_language(
            organisation=organisation,
            definition=definition,
            language=person_language(person),
        )
        problem = wording_problem(definition)
        if problem is not None:
            outcome.skipped.append((point, problem))
            continue
        context = FormContext(
            organisation=organisation.name,
            reference=printed_reference(person),
            token=new_token(),
        )
        job = PrintJob(definition, context, variant)  # type: ignore[arg-type]
        jobs.append((job, make_layout(definition, variant, context), point))  # type: ignore[arg-type]
    if not jobs:
        return outcome
    with transaction.atomic():
        now = timezone.now()
        for job, layout, point in jobs:
            outcome.printed.append(
                PrintedForm.objects.create(
                    organisation=organisation,
                    token=job.context.token,
                    measure_id=point.measure_id,
                    measure_version=point.measure_version,
                    variant=variant,
                    pages=len(layout.pages),
                    service_user=point.episode.service_user,
                    time_point=point,
                    printed_by=membership.user,
                    printed_at=now,
                )
            )
        TimePoint.objects.filter(pk__in=[p.pk for _, _, p in jobs]).update(
            printed_at=now
        )
        log_action(
            action="paper.print",
            actor=membership.user,
            organisation=organisation,
            request=request,
            detail={"forms": len(jobs), "variant": variant},
        )
    # Handed out in reference order; each form is laid out once, above.
    jobs.sort(key=lambda entry: batch_order_key(entry[0]))
    outcome.pdf = render_pdf([layout for _, layout, _ in jobs], duplex=duplex)
    return outcome


def blank_forms_print(
    *,
    membership: Membership,
    measure_id: str,
    measure_version: str,
    copies: int,
    large_print: bool = False,
    request: HttpRequest | None = None,
) -> bytes:
    """Blank copies of a measure's form (the person is chosen when it is checked)."""
    organisation = membership.organisation
    if not 1 <= copies <= 200:
        raise ScanError("Print between 1 and 200 blank copies at a time.")
    definition = measure_or_none(organisation, measure_id, measure_version)
    if definition is None or not organisation_uses_measure(
        organisation=organisation, measure_id=measure_id, version=measure_version
    ):
        raise ScanError("This organisation does not use that measure.")
    variant = "blank_large_print" if large_print else "blank"
    problem = wording_problem(definition)
    if problem is not None:
        raise ScanError(problem)
    layouts = [
        make_layout(
            definition,
            variant,  # type: ignore[arg-type]
            FormContext(organisation=organisation.name, token=new_token()),
        )
        for _ in range(copies)
    ]
    with transaction.atomic():
        for layout in layouts:
            PrintedForm.objects.create(
                organisation=organisation,
                token=parse_payload(layout.pages[0].payload).token,  # type: ignore[union-attr]
                measure_id=measure_id,
                measure_version=measure_version,
                variant=variant,
                pages=len(layout.pages),
                printed_by=membership.user,
            )
        log_action(
            action="paper.print_blank",
            actor=membership.user,
            organisation=organisation,
            request=request,
            detail={"measure": measure_id, "copies": copies},
        )
    return render_pdf(layouts)


# ----------------------------------------------------------------- uploading


def batch_create(
    *,
    membership: Membership,
    files: Sequence[UploadedFile],
    request: HttpRequest | None = None,
) -> ScanBatch:
    """Store the uploaded files and queue the batch to be read in the background."""
    if not files:
        raise ScanError("Choose at least one file to upload.")
    if len(files) > MAX_FILES:
        raise ScanError(f"Upload at most {MAX_FILES} files at a time.")
    total = sum(f.size or 0 for f in files)
    for f in files:
        if (f.size or 0) > MAX_FILE_BYTES:
            raise ScanError(
                f"{f.name} is larger than {MAX_FILE_BYTES // 1_000_000} MB: "
                "scan at 200 dpi in greyscale, or split the pile."
            )
    if total > MAX_BATCH_BYTES:
        raise ScanError(
            f"The files come to more than {MAX_BATCH_BYTES // 1_000_000} MB: "
            "upload them in smaller batches."
        )
    organisation = membership.organisation
    folder: list[str] = []
    try:
        with transaction.atomic():
            batch = ScanBatch.objects.create(
                organisation=organisation, uploaded_by=membership.user
            )
            folder.append(f"scans/{organisation.pk}/{batch.pk}")
            for f in files:
                data = f.read()
                record = ScanFile.objects.create(
                    batch=batch,
                    name=(f.name or "upload")[:255],
                    size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                )
                record.upload.save(
                    f"{folder[0]}/upload-{record.pk}", ContentFile(data), save=True
                )
            log_action(
                action="scan.upload",
                actor=membership.user,
                organisation=organisation,
                obj=batch,
                request=request,
                detail={"files": len(files), "bytes": total},
            )
            crash_point("scan.upload_stored")
    except BaseException as error:
        # Nothing of the batch was saved: nor is anything of it kept on disk (a
        # file cut short by a full disk included).
        if folder:
            folder_files_remove(folder[0])
        if _disk_full(error):
            raise ScanError(DISK_FULL) from error
        if isinstance(error, OSError):
            raise ScanError(
                "The server could not store the files "
                f"({error.strerror or error}): nothing was saved; tell your "
                "administrator."
            ) from error
        raise
    from openproms.scans.tasks import read_batch

    transaction.on_commit(lambda: read_batch.enqueue(batch.pk))
    return batch


def _disk_full(error: BaseException) -> bool:
    """The data folder's disk (ENOSPC) or the database's is full."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error).lower()
    return isinstance(error, DatabaseError) and (
        "database or disk is full" in text or "no space left" in text
    )


def folder_files_remove(folder: str) -> None:
    """Delete every file in one folder of the default storage (not below it)."""
    try:
        _, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        default_storage.delete(f"{folder}/{name}")


# ----------------------------------------------------------------- retention


def page_images_remove(page: ScanPage) -> None:
    for field_file in (page.image, page.aligned):
        if field_file:
            field_file.delete(save=False)


def scan_images_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the images of pages that never became answers (refused, duplicate,
    unmatched or abandoned) once they are older than the retention period. Saved
    pages keep their image for as long as the answers are kept."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OPENPROMS_SCAN_RETENTION_DAYS)
    pages = (
        ScanPage.objects.filter(created_at__lt=cutoff, image_removed_at__isnull=True)
        .exclude(status__in=ScanPage.SAVED_AS_ANSWERS)
        .exclude(image="")
    )
    removed = 0
    for page in pages.iterator():
        page_images_remove(page)
        page.image_removed_at = now
        page.save(update_fields=["image", "aligned", "image_removed_at"])
        removed += 1
    return removed
