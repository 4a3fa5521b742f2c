"""Factories for scanned-paper URLs, and helpers that make filled, scanned forms."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from PIL import Image

from openproms.catalogue.selectors import measure_definition
from openproms.paper import FormContext, make_layout
from openproms.paper.simulate import filled_form, pages_pdf
from openproms.scans.models import PrintedForm, ScanBatch, ScanFile, ScanItem, ScanPage

DPI = 150.0


def scanned_pages(
    form: PrintedForm,
    answers: Mapping[str, int | None],
    *,
    reference: str | None = None,
    seed: int = 1,
    second_marks: Mapping[str, int] | None = None,
) -> list[np.ndarray[Any, Any]]:
    """The pages of a printed form, filled with clear marks for ``answers``, as a
    clean 150 dpi scan would see them. ``second_marks`` adds another mark to those
    items (two answers: the reader must send them to a person)."""
    definition = measure_definition(
        organisation=form.organisation,
        measure_id=form.measure_id,
        version=form.measure_version,
    )
    context = FormContext(
        organisation=form.organisation.name, reference=reference, token=form.token
    )
    layout = make_layout(definition, form.variant, context)  # type: ignore[arg-type]
    return filled_form(
        layout,
        answers,
        dpi=DPI,
        rng=np.random.default_rng(seed),
        second_marks=second_marks,
    )


def as_pdf(images: Sequence[np.ndarray[Any, Any]]) -> bytes:
    """Page images as one PDF, like an office scanner's output."""
    return pages_pdf(images, DPI)


def as_png(image: np.ndarray[Any, Any]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, "PNG")
    return buf.getvalue()


def _open_page(tenant: Any) -> ScanPage:
    batch = ScanBatch.objects.create(
        organisation=tenant.organisation, status=ScanBatch.Status.DONE
    )
    scan_file = ScanFile.objects.create(
        batch=batch, name="scan.pdf", size=1, sha256="0" * 64, status="read"
    )
    form = PrintedForm.objects.create(
        organisation=tenant.organisation,
        token=f"T{batch.pk}",
        measure_id="phq9",
        measure_version="1",
        variant="blank",
        pages=1,
    )
    page = ScanPage.objects.create(
        organisation=tenant.organisation,
        batch=batch,
        file=scan_file,
        index=0,
        status=ScanPage.Status.UNMATCHED,
        form=form,
        measure_id="phq9",
        measure_version="1",
        variant="blank",
        page_number=1,
        page_count=1,
    )
    blank = as_png(np.full((1782, 1260), 255, np.uint8))
    page.image.save(f"scans/test/{batch.pk}.png", ContentFile(blank), save=False)
    page.aligned.save(f"scans/test/{batch.pk}-a.png", ContentFile(blank), save=False)
    page.save()
    ScanItem.objects.create(
        page=page,
        item_id="phq9_1",
        number=1,
        decision="uncertain",
        read_code=None,
        confidence=0.2,
        crop=[20, 60, 170, 12],
        needs_person=True,
        decided=False,
    )
    return page


def _batch(tenant: Any, made: dict[str, Any]) -> ScanBatch:
    return _open_page(tenant).batch


def _page(tenant: Any, made: dict[str, Any]) -> ScanPage:
    return _open_page(tenant)


def _item(tenant: Any, made: dict[str, Any]) -> ScanItem:
    return _open_page(tenant).items.get()


FACTORIES = {
    "batch_pk": _batch,
    "scan_page_pk": _page,
    "scan_item_pk": _item,
}
