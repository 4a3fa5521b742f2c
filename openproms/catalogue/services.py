"""Writes to the organisation's measures: choosing measures, supplying wording."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.models import MeasureWording, OrganisationMeasure
from openproms.scoring import MeasureDefinition


@transaction.atomic
def organisation_measure_set_use(
    *,
    organisation: Organisation,
    definition: MeasureDefinition,
    use: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> OrganisationMeasure | None:
    """Start or stop using a measure (stopping keeps the row, marked inactive)."""
    chosen = OrganisationMeasure.objects.filter(
        organisation=organisation,
        measure_id=definition.id,
        measure_version=definition.version,
    ).first()
    if use:
        if chosen is None:
            chosen = OrganisationMeasure.objects.create(
                organisation=organisation,
                measure_id=definition.id,
                measure_version=definition.version,
                added_by=actor,
            )
        elif not chosen.is_active:
            chosen.is_active = True
            chosen.save(update_fields=["is_active"])
        else:
            return chosen
    else:
        if chosen is None or not chosen.is_active:
            return chosen
        chosen.is_active = False
        chosen.save(update_fields=["is_active"])
    log_action(
        action="measure.use" if use else "measure.stop",
        actor=actor,
        organisation=organisation,
        obj=chosen,
        request=request,
        detail={"measure": definition.key},
    )
    return chosen


@transaction.atomic
def measure_wording_supply(
    *,
    organisation: Organisation,
    definition: MeasureDefinition,
    wording: Mapping[str, Any],
    licence_reference: str,
    actor: User,
    request: HttpRequest | None = None,
) -> MeasureWording:
    """Store (or replace) an organisation's licensed wording for a library measure.

    ``wording`` must already have passed ``definition_with_wording``."""
    stored, created = MeasureWording.objects.update_or_create(
        organisation=organisation,
        measure_id=definition.id,
        measure_version=definition.version,
        defaults={
            "wording": dict(wording),
            "licence_reference": licence_reference,
            "supplied_by": actor,
            "supplied_at": timezone.now(),
        },
    )
    log_action(
        action="wording.supply" if created else "wording.replace",
        actor=actor,
        organisation=organisation,
        obj=stored,
        request=request,
        detail={"measure": definition.key, "licence_reference": licence_reference},
    )
    return stored
