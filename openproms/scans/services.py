"""Writes for scanned paper: printing, uploading, reading, deciding, assigning, saving.

A form becomes an administration only through ``collection.services.administration_submit``
(validation, scoring, risk alerts, idempotency), once every page of it has been read,
every uncertain item decided by a person and the person it belongs to is known. The
same page scanned twice, or a form whose time point already has an answer, is kept
and shown with that status and never saved twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from openproms.audit.services import log_action
from openproms.catalogue.selectors import (
    organisation_measures,
    organisation_uses_measure,
)
from openproms.collection.models import Administration, TimePoint
from openproms.collection.services import (
    SubmissionError,
    TimePointAlreadyAnswered,
    administration_submit,
)
from openproms.paper import (
    FormContext,
    Layout,
    PageReading,
    Payload,
    PrintJob,
    SourcePage,
    load_pages,
    parse_payload,
    read_image,
    render_pdf,
)
from openproms.paper.layout import make_layout
from openproms.paper.render import batch_order_key
from openproms.scans.models import (
    PrintedForm,
    ScanBatch,
    ScanFile,
    ScanItem,
    ScanPage,
)
from openproms.scans.selectors import measure_or_none, wording_problem
from openproms.scoring import MeasureDefinition, ResponseInvalid

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.http import HttpRequest

    from openproms.accounts.models import Membership, Organisation, User
    from openproms.people.models import ServiceUser

logger = logging.getLogger(__name__)

MAX_FILES = 50
MAX_FILE_BYTES = 200_000_000
MAX_BATCH_BYTES = 500_000_000
KEEP_FULL_PIXELS = 12_000_000  # larger photos are stored scaled down to this


class ScanError(Exception):
    """A request about scanned paper that cannot be carried out; the message says why."""


# ------------------------------------------------------------------ printing


def initials(person: ServiceUser) -> str:
    parts = [p for p in (person.given_name, person.family_name) if p]
    return "".join(p[0].upper() for p in parts)


def printed_reference(person: ServiceUser) -> str:
    """The human check printed on a form: initials and the local reference."""
    return " ".join(p for p in (initials(person), person.reference) if p)


def _new_token() -> str:
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
        problem = wording_problem(definition)
        if problem is not None:
            outcome.skipped.append((point, problem))
            continue
        person = point.episode.service_user
        context = FormContext(
            organisation=organisation.name,
            reference=printed_reference(person),
            token=_new_token(),
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
            FormContext(organisation=organisation.name, token=_new_token()),
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
    with transaction.atomic():
        batch = ScanBatch.objects.create(
            organisation=organisation, uploaded_by=membership.user
        )
        for f in files:
            data = f.read()
            record = ScanFile.objects.create(
                batch=batch,
                name=(f.name or "upload")[:255],
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
            record.upload.save(
                f"scans/{organisation.pk}/{batch.pk}/upload-{record.pk}",
                ContentFile(data),
                save=True,
            )
        log_action(
            action="scan.upload",
            actor=membership.user,
            organisation=organisation,
            obj=batch,
            request=request,
            detail={"files": len(files), "bytes": total},
        )
    from openproms.scans.tasks import read_batch

    transaction.on_commit(lambda: read_batch.enqueue(batch.pk))
    return batch


# ------------------------------------------------------------------- reading


class _Resolver:
    """Rebuilds printed layouts for one organisation, remembering why a page was
    refused (another organisation's form, a measure no longer used)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.refusals: dict[str, str] = {}
        self.forms: dict[str, PrintedForm] = {}

    def __call__(self, payload: Payload) -> MeasureDefinition:
        key = payload.encode()
        measure_id, _, version = payload.measure_key.partition("@")
        if payload.token:
            form = PrintedForm.objects.filter(
                organisation=self.organisation, token=payload.token
            ).first()
            if form is None:
                self.refusals[key] = (
                    "this form was not printed by this organisation: "
                    "it belongs to another organisation or another system"
                )
                raise LookupError(self.refusals[key])
            self.forms[payload.token] = form
        if _stopped_using(self.organisation, measure_id, version):
            self.refusals[key] = (
                f"a form for {measure_id.upper()}, which this organisation no longer uses"
            )
            raise LookupError(self.refusals[key])
        definition = measure_or_none(self.organisation, measure_id, version)
        if definition is None:
            self.refusals[key] = f"{measure_id.upper()} is not known here"
            raise LookupError(self.refusals[key])
        return definition  # type: ignore[no-any-return]


def _stopped_using(organisation: Organisation, measure_id: str, version: str) -> bool:
    """True when the organisation chose the measure once and has stopped using it."""
    chosen = organisation_measures(organisation, active_only=False).filter(
        measure_id=measure_id, measure_version=version
    )
    return chosen.exists() and not chosen.filter(is_active=True).exists()


def png_bytes(image: np.ndarray[Any, Any]) -> bytes:
    ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise ValueError("could not encode the page image")
    return bytes(buf.tobytes())


def image_array(field_file: Any) -> np.ndarray[Any, Any] | None:
    """A stored page image as a greyscale array; None when it is no longer kept."""
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            data = np.frombuffer(handle.read(), np.uint8)
    except FileNotFoundError:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    return None if image is None else np.asarray(image)


def _kept_image(image: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    pixels = image.shape[0] * image.shape[1]
    if pixels <= KEEP_FULL_PIXELS:
        return image
    scale = (KEEP_FULL_PIXELS / pixels) ** 0.5
    size = (int(image.shape[1] * scale), int(image.shape[0] * scale))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def _store_images(
    page: ScanPage, source: np.ndarray[Any, Any], reading: PageReading | None
) -> None:
    base = f"scans/{page.organisation_id}/{page.batch_id}/page-{page.pk}"
    page.image.save(
        f"{base}.png", ContentFile(png_bytes(_kept_image(source))), save=False
    )
    if reading is not None and reading.aligned is not None:
        page.aligned.save(
            f"{base}-aligned.png", ContentFile(png_bytes(reading.aligned)), save=False
        )
    page.save(update_fields=["image", "aligned"])


def _page_status_from_reading(
    reading: PageReading, resolver: _Resolver
) -> tuple[str, str, PrintedForm | None]:
    if reading.status == "blank":
        return ScanPage.Status.BLANK, reading.reason or "blank page", None
    if reading.status == "rejected":
        if reading.payload is None:
            return ScanPage.Status.NO_CODE, reading.reason or "no form code found", None
        reason = resolver.refusals.get(reading.payload.encode(), reading.reason or "")
        return ScanPage.Status.REFUSED, reason, None
    payload = reading.payload
    assert payload is not None
    if not payload.token:
        return (
            ScanPage.Status.REFUSED,
            "this form has no reference code: it was not printed by openproms for this "
            "organisation (print forms from the Print forms page)",
            None,
        )
    form = resolver.forms.get(payload.token)
    if form is None:  # pragma: no cover - the resolver saw every token it read
        return ScanPage.Status.REFUSED, "form not known", None
    return ScanPage.Status.TO_CHECK, "", form


def _record_page(
    batch: ScanBatch,
    scan_file: ScanFile,
    index: int,
    source: np.ndarray[Any, Any],
    reading: PageReading,
    resolver: _Resolver,
) -> ScanPage:
    status, reason, form = _page_status_from_reading(reading, resolver)
    payload = reading.payload
    page = ScanPage(
        organisation=batch.organisation,
        batch=batch,
        file=scan_file,
        index=index,
        status=status,
        reason=reason[:500],
        form=form,
        payload=payload.encode()[:300] if payload else "",
        registration_mm=reading.registration_mm,
        rotation=reading.rotation,
    )
    if payload is not None and form is not None:
        measure_id, _, version = payload.measure_key.partition("@")
        page.measure_id, page.measure_version = measure_id, version
        page.variant = payload.variant
        page.page_number, page.page_count = payload.page, payload.count
    if status in (ScanPage.Status.REFUSED, ScanPage.Status.BLANK):
        page.save()  # nothing from a refused or blank page is kept but the reason
        return page
    digest = hashlib.sha256(source.tobytes()).hexdigest()
    page.image_sha256 = digest
    earlier = _earlier_copy(page)
    if earlier is not None:
        page.status = ScanPage.Status.DUPLICATE
        page.duplicate_of = earlier
        page.reason = (
            f"scanned before (batch {earlier.batch_id}, {earlier.file.name} page "
            f"{earlier.index + 1}): this copy is not counted"
        )
        page.save()
        return page
    page.save()
    _store_images(page, source, reading)
    if status == ScanPage.Status.NO_CODE:
        return page
    _items_create(page, reading)
    form_progress(form=page.form, actor=batch.uploaded_by)  # type: ignore[arg-type]
    return page


def _items_create(page: ScanPage, reading: PageReading) -> None:
    ScanItem.objects.bulk_create(
        [
            ScanItem(
                page=page,
                item_id=item.item_id,
                number=item.number,
                decision=item.decision,
                read_code=item.code,
                confidence=round(item.confidence, 4),
                reason=item.reason[:300],
                candidates=list(item.candidates),
                crop=[
                    round(v, 2)
                    for v in (item.crop.x, item.crop.y, item.crop.w, item.crop.h)
                ],
                needs_person=item.needs_person,
                decided=not item.needs_person,
                code=None if item.needs_person else item.code,
            )
            for item in reading.items
        ]
    )


def _earlier_copy(page: ScanPage) -> ScanPage | None:
    """The page already scanned that this one repeats: the same image, or the same
    page of the same printed form (not counting refused or duplicate copies)."""
    pages = ScanPage.objects.filter(organisation_id=page.organisation_id).exclude(
        status__in=[ScanPage.Status.DUPLICATE, ScanPage.Status.REFUSED]
    )
    same = pages.filter(image_sha256=page.image_sha256).order_by("id").first()
    if same is not None:
        return same
    if page.form_id is not None:
        return (
            pages.filter(form_id=page.form_id, page_number=page.page_number)
            .select_related("file")
            .order_by("id")
            .first()
        )
    return None


def batch_read(batch_pk: int) -> ScanBatch | None:
    """Read every page of every file of a batch (the background task's body).

    Each file and page is handled on its own: a bad file or page gets its reason and
    the rest of the batch carries on. Progress is saved after every page."""
    batch = (
        ScanBatch.objects.select_related("organisation", "uploaded_by")
        .filter(pk=batch_pk)
        .first()
    )
    if batch is None or batch.status == ScanBatch.Status.DONE:
        return batch
    batch.status = ScanBatch.Status.READING
    batch.started_at = timezone.now()
    batch.save(update_fields=["status", "started_at"])
    resolver = _Resolver(batch.organisation)
    try:
        for scan_file in batch.files.filter(status=ScanFile.Status.WAITING).order_by(
            "id"
        ):
            _read_file(batch, scan_file, resolver)
    except Exception as error:
        logger.exception("Reading batch %s failed", batch.pk)
        batch.status = ScanBatch.Status.FAILED
        batch.error = f"Reading stopped: {error}"[:500]
    else:
        batch.status = ScanBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
    return batch


def _read_file(batch: ScanBatch, scan_file: ScanFile, resolver: _Resolver) -> None:
    with scan_file.upload.open("rb") as handle:
        data = handle.read()
    scan_file.status = ScanFile.Status.READ
    for source in load_pages(data, scan_file.name):
        if source.image is None and source.index == 0 and _whole_file_refused(source):
            scan_file.status = ScanFile.Status.REFUSED
            scan_file.reason = (source.error or "could not be read")[:500]
            break
        if source.image is None:
            ScanPage.objects.create(
                organisation=batch.organisation,
                batch=batch,
                file=scan_file,
                index=source.index,
                status=ScanPage.Status.REFUSED,
                reason=(source.error or "page could not be read")[:500],
            )
        else:
            _read_source_page(batch, scan_file, source.index, source.image, resolver)
        ScanBatch.objects.filter(pk=batch.pk).update(
            pages_read=ScanPage.objects.filter(batch=batch).count()
        )
    # The upload held many people's forms; each page keeps its own image instead.
    scan_file.upload.delete(save=False)
    scan_file.save(update_fields=["status", "reason", "upload"])


def _whole_file_refused(source: SourcePage) -> bool:
    """True when the loader refused the file itself (not one page of it)."""
    return source.image is None and not (source.error or "").startswith("page ")


def _read_source_page(
    batch: ScanBatch,
    scan_file: ScanFile,
    index: int,
    image: np.ndarray[Any, Any],
    resolver: _Resolver,
) -> None:
    try:
        readings = read_image(
            image,
            source=scan_file.name,
            index=index,
            resolver=resolver,
            keep_image=True,
        )
    except (cv2.error, ValueError, MemoryError) as error:
        ScanPage.objects.create(
            organisation=batch.organisation,
            batch=batch,
            file=scan_file,
            index=index,
            status=ScanPage.Status.REFUSED,
            reason=f"page could not be read: {error}"[:500],
        )
        return
    for reading in readings:
        with transaction.atomic():
            _record_page(batch, scan_file, index, image, reading, resolver)


# ------------------------------------------------------------------ deciding


def item_decide(
    *,
    membership: Membership,
    item: ScanItem,
    code: int | None,
    request: HttpRequest | None = None,
) -> ScanItem:
    """Record a person's answer for an uncertain item (None: no answer given)."""
    page = item.page
    if not page.is_open:
        raise ScanError("This page is closed: its answers were saved or set aside.")
    definition = measure_or_none(
        page.organisation, page.measure_id, page.measure_version
    )
    if definition is None:
        raise ScanError("This page's measure is not known here any more.")
    allowed = next(
        (i.response_set.codes for i in definition.items if i.id == item.item_id), None
    )
    if allowed is None:
        raise ScanError("That question is not on this form.")
    if code is not None and code not in allowed:
        raise ScanError(
            f"{code} is not an answer to question {item.number}: choose one of "
            f"{', '.join(str(c) for c in sorted(allowed))}, or no answer."
        )
    with transaction.atomic():
        item.code = code
        item.decided = True
        item.decided_by = membership.user
        item.decided_at = timezone.now()
        item.save(update_fields=["code", "decided", "decided_by", "decided_at"])
        log_action(
            action="scan.decide",
            actor=membership.user,
            organisation=membership.organisation,
            obj=item,
            request=request,
            detail={
                "page": page.pk,
                "item": item.item_id,
                "reader": item.read_code,
                "reader_decision": item.decision,
                "chosen": code,
            },
        )
    if page.form is not None:
        form_progress(form=page.form, actor=membership.user, request=request)
    return item


def page_assign(
    *,
    membership: Membership,
    page: ScanPage,
    service_user: ServiceUser,
    time_point: TimePoint | None,
    request: HttpRequest | None = None,
) -> PrintedForm:
    """Say whose form an unmatched page is (a blank form), and which time point it
    answers (or none). Applies to every page of the same printed form."""
    form = page.form
    if form is None or page.status != ScanPage.Status.UNMATCHED:
        raise ScanError("This page does not need a person chosen.")
    if service_user.organisation_id != membership.organisation_id:
        raise ScanError("That person is not in this organisation.")
    if time_point is not None and (
        time_point.episode.service_user_id != service_user.pk
        or time_point.measure_id != form.measure_id
        or time_point.status != TimePoint.Status.PENDING
    ):
        raise ScanError(
            "That time point is not an open one for this person and this measure."
        )
    with transaction.atomic():
        form.service_user = service_user
        form.time_point = time_point
        form.save(update_fields=["service_user", "time_point"])
        ScanPage.objects.filter(form=form, status=ScanPage.Status.UNMATCHED).update(
            status=ScanPage.Status.TO_CHECK, reason=""
        )
        log_action(
            action="scan.assign",
            actor=membership.user,
            organisation=membership.organisation,
            obj=form,
            request=request,
            detail={
                "service_user": service_user.pk,
                "time_point": time_point.pk if time_point else None,
            },
        )
    form_progress(form=form, actor=membership.user, request=request)
    return form


def form_progress(
    *, form: PrintedForm, actor: User | None, request: HttpRequest | None = None
) -> Administration | None:
    """Move a printed form on as far as it can go: mark pages whose person is not
    known, wait for missing pages, and save the answers once everything is decided."""
    pages = list(
        ScanPage.objects.filter(form=form)
        .exclude(status__in=[ScanPage.Status.DUPLICATE, ScanPage.Status.REFUSED])
        .order_by("page_number", "id")
    )
    open_pages = [p for p in pages if p.is_open]
    if not open_pages:
        return None
    if form.service_user_id is None:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.UNMATCHED,
            reason="a blank form: choose whose form this is",
        )
        return None
    if form.time_point_id is not None:
        answered = Administration.objects.filter(
            time_point_id=form.time_point_id
        ).first()
        if answered is not None and not any(
            p.administration_id == answered.pk for p in pages
        ):
            _set_aside_answered(open_pages, answered)
            return None
    numbers = {p.page_number for p in pages}
    missing = [n for n in range(1, form.pages + 1) if n not in numbers]
    undecided = ScanItem.objects.filter(page__in=open_pages, decided=False).exists()
    if missing:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.WAITING
            if not undecided
            else ScanPage.Status.TO_CHECK,
            reason="waiting for page "
            + ", ".join(str(n) for n in missing)
            + f" of {form.pages}",
        )
        return None
    if undecided:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.TO_CHECK, reason=""
        )
        return None
    return _save_form(form, open_pages, actor, request)


def _set_aside_answered(pages: Iterable[ScanPage], answered: Administration) -> None:
    when = timezone.localtime(answered.completed_at)
    ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
        status=ScanPage.Status.ALREADY_ANSWERED,
        reason=(
            f"this time point was already answered on {when:%d %B %Y} "
            f"({answered.get_mode_display().lower()}): the scan is not counted"
        ),
    )


def _save_form(
    form: PrintedForm,
    pages: list[ScanPage],
    actor: User | None,
    request: HttpRequest | None,
) -> Administration | None:
    organisation = pages[0].organisation
    definition = measure_or_none(organisation, form.measure_id, form.measure_version)
    if definition is None:
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=ScanPage.Status.REFUSED, reason="the measure is not known here"
        )
        return None
    answers = {
        item.item_id: item.code
        for item in ScanItem.objects.filter(page__in=pages).order_by("number")
    }
    time_point = (
        TimePoint.objects.select_related("episode")
        .filter(pk=form.time_point_id)
        .first()
    )
    try:
        result = administration_submit(
            organisation=organisation,
            service_user=form.service_user,  # type: ignore[arg-type]
            measure=definition,
            answers=answers,
            mode=Administration.Mode.PAPER_SCAN,
            submission_id=f"scan-{form.token}",
            collected_by=actor,
            time_point=time_point,
            episode=time_point.episode if time_point else None,
            completed_at=min(p.created_at for p in pages),
            request=request,
        )
    except TimePointAlreadyAnswered as already:
        _set_aside_answered(pages, already.existing)
        return None
    except (ResponseInvalid, SubmissionError) as error:
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=ScanPage.Status.TO_CHECK,
            reason=f"could not be saved: {error}"[:500],
        )
        return None
    ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
        status=ScanPage.Status.SAVED,
        reason="",
        administration=result.administration,
    )
    return result.administration


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
        .exclude(status=ScanPage.Status.SAVED)
        .exclude(image="")
    )
    removed = 0
    for page in pages.iterator():
        page_images_remove(page)
        page.image_removed_at = now
        page.save(update_fields=["image", "aligned", "image_removed_at"])
        removed += 1
    return removed


# ------------------------------------------------------------ page actions


def page_set_aside(
    *,
    membership: Membership,
    page: ScanPage,
    reason: str,
    request: HttpRequest | None = None,
) -> ScanPage:
    """A person decides an open page will not become answers (not our form, spoilt,
    a practice sheet): it is kept with the reason and never counted."""
    if not page.is_open:
        raise ScanError("This page is already closed.")
    reason = reason.strip()
    if not reason:
        raise ScanError("Say why the page is set aside.")
    with transaction.atomic():
        page.status = ScanPage.Status.REFUSED
        page.reason = f"set aside by {membership.user.display_name}: {reason}"[:500]
        page.save(update_fields=["status", "reason"])
        log_action(
            action="scan.set_aside",
            actor=membership.user,
            organisation=membership.organisation,
            obj=page,
            request=request,
            detail={"reason": reason[:200]},
        )
    return page


def page_read_as(
    *,
    membership: Membership,
    page: ScanPage,
    measure_id: str,
    measure_version: str,
    large_print: bool = False,
    request: HttpRequest | None = None,
) -> ScanPage:
    """Read a page whose code could not be read by its corner marks, with the
    one-page form of the measure a person chose. The page then needs a person
    chosen, like a blank form."""
    if page.status != ScanPage.Status.NO_CODE or not page.image:
        raise ScanError(
            "Only a page whose form code could not be read is read this way."
        )
    organisation = membership.organisation
    definition = measure_or_none(organisation, measure_id, measure_version)
    if definition is None or _stopped_using(organisation, measure_id, measure_version):
        raise ScanError("This organisation does not use that measure.")
    variant = "blank_large_print" if large_print else "blank"
    token = _new_token()
    problem = wording_problem(definition)
    if problem is not None:
        raise ScanError(problem)
    layout = make_layout(
        definition,
        variant,  # type: ignore[arg-type]
        FormContext(organisation=organisation.name, token=token),
    )
    if len(layout.pages) != 1:
        raise ScanError(
            f"{definition.short_name} prints on {len(layout.pages)} pages, so a page "
            "cannot be matched by its corner marks alone: scan it again so its code "
            "can be read."
        )
    image = image_array(page.image)
    if image is None:
        raise ScanError("The page's image is no longer kept.")
    readings = read_image(
        image,
        source=page.file.name,
        index=page.index,
        fallback=layout.pages[0],
        keep_image=True,
    )
    reading = readings[0]
    if reading.status != "needs_identity":
        raise ScanError(
            "The page could not be read as that form: "
            + (reading.reason or "its corner marks were not found")
        )
    with transaction.atomic():
        form = PrintedForm.objects.create(
            organisation=organisation,
            token=token,
            measure_id=measure_id,
            measure_version=measure_version,
            variant=variant,
            pages=1,
            printed_by=None,
        )
        page.form = form
        page.measure_id, page.measure_version = measure_id, measure_version
        page.variant, page.page_number, page.page_count = variant, 1, 1
        page.registration_mm = reading.registration_mm
        page.status = ScanPage.Status.UNMATCHED
        page.reason = "read by its corner marks: choose whose form this is"
        page.save()
        if reading.aligned is not None:
            base = f"scans/{page.organisation_id}/{page.batch_id}/page-{page.pk}"
            if page.aligned:
                page.aligned.delete(save=False)
            page.aligned.save(
                f"{base}-aligned.png",
                ContentFile(png_bytes(reading.aligned)),
                save=True,
            )
        _items_create(page, reading)
        log_action(
            action="scan.read_as",
            actor=membership.user,
            organisation=organisation,
            obj=page,
            request=request,
            detail={"measure": f"{measure_id}@{measure_version}"},
        )
    form_progress(form=form, actor=membership.user, request=request)
    return page
