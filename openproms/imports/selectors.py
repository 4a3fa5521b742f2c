"""Reads: an organisation's imports, and a person's imported scores."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from openproms.accounts.models import Organisation
from openproms.imports.mapping import scale_name
from openproms.imports.models import ImportedScore, ImportJob
from openproms.people.models import ServiceUser


def imports_for(organisation: Organisation) -> QuerySet[ImportJob]:
    return (
        ImportJob.objects.filter(organisation=organisation)
        .select_related("uploaded_by")
        .defer("content")
    )


def import_get(*, organisation: Organisation, pk: int) -> ImportJob:
    """One import of this organisation (another's is a 404)."""
    return get_object_or_404(
        ImportJob.objects.select_related("organisation"),
        organisation=organisation,
        pk=pk,
    )


def imported_scores_for(service_user: ServiceUser) -> list[dict[str, Any]]:
    """A person's imported scores, each with its measure and scale as people read them."""
    from openproms.catalogue.selectors import measure_definition

    rows = []
    names: dict[tuple[str, str], Any] = {}
    for score in ImportedScore.objects.filter(
        organisation_id=service_user.organisation_id, service_user=service_user
    ):
        key = (score.measure_id, score.measure_version)
        if key not in names:
            try:
                names[key] = measure_definition(
                    organisation=service_user.organisation,
                    measure_id=score.measure_id,
                    version=score.measure_version,
                )
            except Http404:  # a measure since removed still shows
                names[key] = None
        definition = names[key]
        scale = (
            next((s for s in definition.scales if s.id == score.scale_id), None)
            if definition
            else None
        )
        rows.append(
            {
                "score": score,
                "measure_name": definition.short_name
                if definition
                else "A measure no longer in use",
                "scale_label": scale_name(definition, scale)
                if definition and scale
                else "Score",
            }
        )
    return rows
