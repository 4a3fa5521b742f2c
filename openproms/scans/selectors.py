"""Reads for scanned paper, always scoped to one organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.collection.models import TimePoint
from openproms.scans.models import ScanBatch, ScanItem, ScanPage
from openproms.scoring import MeasureDefinition, WordingNotAvailable, require_wording

if TYPE_CHECKING:
    from openproms.accounts.models import Organisation
    from openproms.people.models import ServiceUser


def measure_or_none(
    organisation: Organisation, measure_id: str, version: str
) -> MeasureDefinition | None:
    """The measure as the organisation uses it, or None when it is not known here."""
    try:
        return measure_definition(
            organisation=organisation, measure_id=measure_id, version=version
        )
    except Http404:
        return None


def wording_problem(definition: MeasureDefinition) -> str | None:
    """Why the measure's form cannot be printed or read, or None when it can."""
    try:
        require_wording(definition)
    except WordingNotAvailable:
        return (
            f"{definition.short_name} is licensed and its wording has not been "
            "supplied: an organisation admin adds it on the measure's page"
        )
    return None


def measure_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """The organisation's active measures as (``id@version``, title), sorted by
    title; measures whose licensed wording has not been supplied say so."""
    choices = []
    for chosen in organisation_measures(organisation):
        definition = measure_or_none(
            organisation, chosen.measure_id, chosen.measure_version
        )
        if definition is None:
            continue
        label = f"{definition.title} (version {chosen.measure_version})"
        if wording_problem(definition):
            label += ": wording not supplied, cannot be printed"
        choices.append((f"{chosen.measure_id}@{chosen.measure_version}", label))
    return sorted(choices, key=lambda choice: choice[1].casefold())


def open_time_points_for(person: ServiceUser, measure_id: str) -> QuerySet[TimePoint]:
    """The person's pending time points for a measure, soonest first."""
    return TimePoint.objects.filter(
        episode__service_user=person,
        measure_id=measure_id,
        status=TimePoint.Status.PENDING,
    ).order_by("due_date", "id")


def time_point_in(organisation: Organisation, pk: int) -> TimePoint | None:
    return (
        TimePoint.objects.select_related("episode")
        .filter(organisation=organisation, pk=pk)
        .first()
    )


def batches_for(organisation: Organisation) -> QuerySet[ScanBatch]:
    """Batches, newest first, with counts of their pages by outcome."""
    saved = Q(pages__status__in=ScanPage.SAVED_AS_ANSWERS)
    open_ = Q(pages__status__in=ScanPage.OPEN)
    set_aside = Q(
        pages__status__in=[
            ScanPage.Status.REFUSED,
            ScanPage.Status.BLANK,
            ScanPage.Status.DUPLICATE,
            ScanPage.Status.ALREADY_ANSWERED,
            ScanPage.Status.DECLINED,
        ]
    )
    return (
        ScanBatch.objects.filter(organisation=organisation)
        .select_related("uploaded_by")
        .annotate(
            n_pages=Count("pages", distinct=True),
            n_saved=Count("pages", filter=saved, distinct=True),
            n_open=Count("pages", filter=open_, distinct=True),
            n_set_aside=Count("pages", filter=set_aside, distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def batch_get(*, organisation: Organisation, pk: int) -> ScanBatch:
    return get_object_or_404(batches_for(organisation), pk=pk)


def batch_summary(batch: ScanBatch) -> dict[str, Any]:
    """What a batch page shows: files, pages by status, answers accepted and waiting."""
    pages = list(
        batch.pages.select_related(
            "file", "form", "form__service_user", "administration"
        )
        .annotate(
            n_items=Count("items"),
            n_auto=Count("items", filter=Q(items__needs_person=False)),
            n_waiting=Count("items", filter=Q(items__decided=False)),
        )
        .order_by("file_id", "index", "id")
    )
    by_status: dict[str, int] = {}
    for page in pages:
        by_status[page.status] = by_status.get(page.status, 0) + 1
    items = sum(p.n_items for p in pages)
    auto = sum(p.n_auto for p in pages)
    return {
        "files": list(batch.files.order_by("id")),
        "pages": pages,
        "by_status": by_status,
        "items": items,
        "items_auto": auto,
        "items_waiting": sum(p.n_waiting for p in pages),
        "items_person": items - auto,
        "pages_failed": by_status.get(ScanPage.Status.REFUSED, 0)
        + by_status.get(ScanPage.Status.NO_CODE, 0),
    }


def items_to_check(organisation: Organisation) -> QuerySet[ScanItem]:
    """Undecided items on open pages whose person is known, oldest batch first."""
    return (
        ScanItem.objects.filter(
            page__organisation=organisation,
            decided=False,
            page__status__in=[ScanPage.Status.TO_CHECK, ScanPage.Status.WAITING],
        )
        .select_related("page", "page__form", "page__form__service_user")
        .order_by("page__batch_id", "page_id", "number")
    )


def pages_to_assign(organisation: Organisation) -> QuerySet[ScanPage]:
    """Pages a person must say something about: whose form, which measure, or what
    happened to a form with no answer marked."""
    return (
        ScanPage.objects.filter(
            organisation=organisation,
            status__in=[
                ScanPage.Status.UNMATCHED,
                ScanPage.Status.NO_CODE,
                ScanPage.Status.EMPTY,
            ],
        )
        .select_related("file", "batch")
        .order_by("batch_id", "id")
    )


def item_get(*, organisation: Organisation, pk: int) -> ScanItem:
    return get_object_or_404(
        ScanItem.objects.filter(page__organisation=organisation).select_related(
            "page", "page__form", "page__form__service_user", "page__file"
        ),
        pk=pk,
    )


def page_get(*, organisation: Organisation, pk: int) -> ScanPage:
    return get_object_or_404(
        ScanPage.objects.filter(organisation=organisation).select_related(
            "file",
            "batch",
            "form",
            "form__service_user",
            "form__time_point",
            "administration",
            "duplicate_of",
        ),
        pk=pk,
    )


def work_counts(organisation: Organisation) -> dict[str, int]:
    return {
        "items": items_to_check(organisation).count(),
        "pages": pages_to_assign(organisation).count(),
    }
