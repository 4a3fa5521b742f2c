"""Reading uploaded scans: every page of every file of a batch (the background
task's body), each page found recorded with its status, images and the reader's
decision on each item, then handed to
:func:`openproms.scans.check_services.form_progress`; and reading a page whose code
could not be read as a measure a person chose.

Each file and page is handled on its own: a bad file or page gets its reason and the
rest of the batch carries on.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from openproms.audit.services import log_action
from openproms.catalogue.selectors import organisation_measures
from openproms.crash_points import crash_point
from openproms.paper import (
    FormContext,
    PageReading,
    Payload,
    SourcePage,
    load_pages,
    read_image,
)
from openproms.paper.layout import make_layout
from openproms.paper.words import split_form_key
from openproms.scans.check_services import ScanError, form_progress
from openproms.scans.models import PrintedForm, ScanBatch, ScanFile, ScanItem, ScanPage
from openproms.scans.selectors import measure_or_none, wording_problem
from openproms.scans.services import new_token
from openproms.scoring import MeasureDefinition
from openproms.translations.selectors import definition_in_language

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openproms.accounts.models import Membership, Organisation

logger = logging.getLogger(__name__)

KEEP_FULL_PIXELS = 12_000_000  # larger photos are stored scaled down to this


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
        measure_id, version, language = split_form_key(payload.measure_key)
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
        if language != "en":
            definition = definition_in_language(
                organisation=self.organisation, definition=definition, language=language
            )
            if definition.language != language:
                self.refusals[key] = (
                    f"a form printed in a language whose {measure_id.upper()} "
                    "wording is no longer held here"
                )
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
    the rest of the batch carries on. Each page is recorded in one transaction, so a
    batch whose reading was stopped part-way (the server killed) carries on after
    the last page recorded when it is read again (decision 0022)."""
    batch = (
        ScanBatch.objects.select_related("organisation", "uploaded_by")
        .filter(pk=batch_pk)
        .first()
    )
    if batch is None or batch.status in (
        ScanBatch.Status.DONE,
        ScanBatch.Status.FAILED,
    ):
        return batch
    now = timezone.now()
    batch.status = ScanBatch.Status.READING
    batch.started_at = batch.started_at or now
    batch.progress_at = now
    batch.save(update_fields=["status", "started_at", "progress_at"])
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
    # Pages recorded before the reading was stopped part-way are kept as they are.
    recorded = set(
        ScanPage.objects.filter(file=scan_file).values_list("index", flat=True)
    )
    try:
        with scan_file.upload.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):  # ValueError: no file named at all
        data = None
    status, reason = ScanFile.Status.READ, ""
    if data is None:
        status = ScanFile.Status.REFUSED
        reason = (
            "the uploaded file is no longer in the server's data folder: "
            "upload it again"
        )
    pages = load_pages(data, scan_file.name) if data is not None else iter(())
    for source in pages:
        if source.index in recorded:
            continue
        if source.image is None and source.index == 0 and _whole_file_refused(source):
            status = ScanFile.Status.REFUSED
            reason = (source.error or "could not be read")[:500]
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
            pages_read=ScanPage.objects.filter(batch=batch).count(),
            progress_at=timezone.now(),
        )
    # The file's outcome first, then its upload goes: the upload held many people's
    # forms, and each page keeps its own image instead. Stopped in between, the
    # upload is removed by `openproms manage recover` (scans/recovery.py).
    scan_file.status, scan_file.reason = status, reason
    scan_file.save(update_fields=["status", "reason"])
    crash_point("scan.file_read")
    upload_remove(scan_file)


def upload_remove(scan_file: ScanFile) -> None:
    """Delete a file's upload once it has been read (or refused)."""
    if scan_file.upload:
        scan_file.upload.delete(save=False)
    scan_file.upload = ""  # type: ignore[assignment]
    scan_file.save(update_fields=["upload"])


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
    # Every form found on the page in one transaction: stopped part-way, the page is
    # read again whole.
    with transaction.atomic():
        for reading in readings:
            _record_page(batch, scan_file, index, image, reading, resolver)
        crash_point("scan.page_recorded")


# ------------------------------------------------------------ reading as


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
    token = new_token()
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
