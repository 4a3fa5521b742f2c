"""Writes of the measure designer: drafts, publishing, new versions, copies.

Every document stored here has passed the designer's form and the engine's check
(the callers give only ``DesignForm.document``). A published version is never
written again (decision 0026).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django.db import transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.models import BespokeMeasure, OrganisationMeasure
from openproms.scoring import MeasureNotFound, definition_from_dict, get_measure


class VersionFrozen(Exception):
    """A published version was about to be changed."""


_NOT_ID = re.compile(r"[^a-z0-9]+")


def bespoke_measure_id(*, organisation: Organisation, title: str) -> str:
    """A new id for an organisation's own measure, from its name: lower case
    letters, digits and _, unused by the library and by any organisation (so an id
    names one organisation's measure; on PostgreSQL only the organisation's own
    rows are visible, which is where its ids are shown)."""
    base = _NOT_ID.sub("_", title.lower()).strip("_")[:36] or "measure"
    if not base[0].isalpha():
        base = f"own_{base}"
    candidate, n = base, 1
    while True:
        try:
            get_measure(candidate)
        except MeasureNotFound:
            taken = BespokeMeasure.objects.filter(measure_id=candidate).exists()
            if not taken:
                return candidate
        n += 1
        candidate = f"{base}_{n}"


@transaction.atomic
def measure_draft_create(
    *,
    organisation: Organisation,
    document: dict[str, Any],
    actor: User,
    copied_from: str = "",
    request: HttpRequest | None = None,
) -> BespokeMeasure:
    """Store version 1 of a new measure as a draft."""
    definition_from_dict(document)  # the engine's check, once more, before storing
    draft = BespokeMeasure.objects.create(
        organisation=organisation,
        measure_id=document["id"],
        measure_version=document["version"],
        definition=document,
        status=BespokeMeasure.Status.DRAFT,
        created_by=actor,
        copied_from=copied_from,
    )
    log_action(
        action="measure.design_copy" if copied_from else "measure.design_create",
        actor=actor,
        organisation=organisation,
        obj=draft,
        request=request,
        detail={"measure": f"{draft.measure_id}@{draft.measure_version}"},
    )
    return draft


@transaction.atomic
def measure_draft_save(
    *,
    draft: BespokeMeasure,
    document: dict[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> BespokeMeasure:
    """Replace a draft's definition. Raises VersionFrozen for a published one."""
    locked = BespokeMeasure.objects.select_for_update().get(pk=draft.pk)
    if not locked.is_draft:
        raise VersionFrozen(f"{locked} is published")
    definition_from_dict(document)
    locked.definition = document
    locked.save(update_fields=["definition"])
    log_action(
        action="measure.design_save",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={"measure": f"{locked.measure_id}@{locked.measure_version}"},
    )
    return locked


@transaction.atomic
def measure_publish(
    *, draft: BespokeMeasure, actor: User, request: HttpRequest | None = None
) -> BespokeMeasure:
    """Freeze a draft. When the organisation uses an earlier version of the
    measure, it now uses this one instead (answers already given, and time points
    already made, keep the version they name)."""
    locked = BespokeMeasure.objects.select_for_update().get(pk=draft.pk)
    if not locked.is_draft:
        raise VersionFrozen(f"{locked} is already published")
    locked.status = BespokeMeasure.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.published_by = actor
    locked.save(update_fields=["status", "published_at", "published_by"])
    earlier = OrganisationMeasure.objects.filter(
        organisation=locked.organisation, measure_id=locked.measure_id, is_active=True
    ).exclude(measure_version=locked.measure_version)
    if earlier.exists():
        earlier.update(is_active=False)
        OrganisationMeasure.objects.update_or_create(
            organisation=locked.organisation,
            measure_id=locked.measure_id,
            measure_version=locked.measure_version,
            defaults={"is_active": True, "added_by": actor},
        )
    log_action(
        action="measure.design_publish",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={"measure": f"{locked.measure_id}@{locked.measure_version}"},
    )
    return locked


@transaction.atomic
def measure_new_version(
    *, published: BespokeMeasure, actor: User, request: HttpRequest | None = None
) -> BespokeMeasure:
    """The draft of the next version (made from the newest version), or the
    draft that already exists: a measure has at most one draft at a time."""
    versions = BespokeMeasure.objects.select_for_update().filter(
        organisation=published.organisation, measure_id=published.measure_id
    )
    existing = versions.filter(status=BespokeMeasure.Status.DRAFT).first()
    if existing is not None:
        return existing
    newest = versions.annotate(
        number=Cast("measure_version", IntegerField())
    ).aggregate(Max("number"))["number__max"]
    latest = versions.get(measure_version=str(newest))
    document = copy.deepcopy(latest.definition)
    document["version"] = str(newest + 1)
    draft = BespokeMeasure.objects.create(
        organisation=published.organisation,
        measure_id=published.measure_id,
        measure_version=document["version"],
        definition=document,
        status=BespokeMeasure.Status.DRAFT,
        created_by=actor,
        copied_from=latest.copied_from,
    )
    log_action(
        action="measure.design_new_version",
        actor=actor,
        organisation=published.organisation,
        obj=draft,
        request=request,
        detail={"measure": f"{draft.measure_id}@{draft.measure_version}"},
    )
    return draft
