"""Writes of the translations app: an organisation's wording in another language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.scoring import MeasureDefinition
from openproms.translations.models import MeasureTranslation


@transaction.atomic
def measure_translation_supply(
    *,
    organisation: Organisation,
    definition: MeasureDefinition,
    language: str,
    wording: Mapping[str, Any],
    licence_reference: str,
    actor: User,
    request: HttpRequest | None = None,
) -> MeasureTranslation:
    """Store (or replace) an organisation's wording of a measure in ``language``.

    ``wording`` must already be complete (``translation_problems`` empty)."""
    stored, created = MeasureTranslation.objects.update_or_create(
        organisation=organisation,
        measure_id=definition.id,
        measure_version=definition.version,
        language=language,
        defaults={
            "wording": dict(wording),
            "licence_reference": licence_reference,
            "supplied_by": actor,
            "supplied_at": timezone.now(),
        },
    )
    log_action(
        action="translation.supply" if created else "translation.replace",
        actor=actor,
        organisation=organisation,
        obj=stored,
        request=request,
        detail={
            "measure": definition.key,
            "language": language,
            "licence_reference": licence_reference,
        },
    )
    return stored
