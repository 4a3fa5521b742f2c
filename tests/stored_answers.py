"""Answers stored straight into the database, as ``administration_submit`` stores
them (one scale result per scale; value None where no score could be made), for
tests that need answered time points with or without scores quickly."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from openproms.collection.models import Administration, ScaleResult, TimePoint


def store_answers(
    point: TimePoint, scores: Mapping[str, float | None]
) -> Administration:
    """Answers for ``point`` with a scale result for each of ``scores``."""
    administration = Administration.objects.create(
        organisation=point.organisation,
        service_user=point.episode.service_user,
        episode=point.episode,
        time_point=point,
        measure_id=point.measure_id,
        measure_version=point.measure_version,
        answers={},
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        payload_hash="x",
        scored_with="phq9@1",
    )
    for scale_id, value in scores.items():
        ScaleResult.objects.create(
            organisation_id=administration.organisation_id,
            administration=administration,
            scale_id=scale_id,
            value=value,
        )
    # As administrations_store keeps it (decision 0040).
    point.no_score = all(value is None for value in scores.values())
    point.save(update_fields=["no_score"])
    return administration
