"""Which versions of a measure a report's answers were given on (decision 0026).

An organisation's own measure can change between versions (its questions, answers
or scoring); answers keep the version they were given on, and a report says so
when the answers it counts span more than one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from openproms.accounts.models import Organisation, Service
from openproms.collection.models import Administration


def answered_versions(
    *,
    organisation: Organisation,
    measure_id: str,
    start: dt.date,
    end: dt.date,
    services: Sequence[Service] | None = None,
) -> list[str]:
    """The versions of a measure answered in the period (and services), in order."""
    answers = Administration.objects.filter(
        organisation=organisation,
        measure_id=measure_id,
        completed_at__date__gte=start,
        completed_at__date__lte=end,
    )
    if services:
        answers = answers.filter(episode__service__in=services)
    versions = set(answers.values_list("measure_version", flat=True).distinct())
    return sorted(versions, key=_version_order)


def _version_order(version: str) -> tuple[int, Any]:
    return (0, int(version)) if version.isdigit() else (1, version)


def versions_note(short_name: str, versions: Sequence[str]) -> str:
    """A plain sentence when the answers span more than one version, else ""."""
    if len(versions) < 2:
        return ""
    listed = ", ".join(versions[:-1]) + f" and {versions[-1]}"
    return (
        f"These {short_name} answers were given on versions {listed} of the "
        "measure. Its questions or scoring changed between versions, so compare "
        "scores from different versions with care."
    )
