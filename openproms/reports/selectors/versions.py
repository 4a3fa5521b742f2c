"""Which versions of a measure a report's answers were given on (decision 0026).

An organisation's own measure can change between versions (its questions, answers
or scoring); answers keep the version they were given on, and a report says so
when the answers it counts span more than one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Min

from openproms.accounts.models import Organisation, Service
from openproms.collection.models import Administration
from openproms.reports.selectors.raw import day_after, day_start


def answered_versions(
    *,
    organisation: Organisation,
    measure_id: str,
    start: dt.date,
    end: dt.date,
    services: Sequence[Service] | None = None,
) -> list[str]:
    """The versions of a measure answered in the period (and services), in order.

    Read version by version on the index ``adm_versions`` (organisation, measure,
    version, completion time): the next version after the last (one index seek
    each), then whether any answer on it falls in the period and services (an
    index range that stops at the first). A DISTINCT over the period's answers
    read every one of them: 20 s, then 2.9 s, for a dashboard at 1,000,000
    answers (benchmarks/README.md, Reports, 2026-12-07)."""
    answers = Administration.objects.filter(
        organisation=organisation, measure_id=measure_id
    ).order_by()
    found: list[str] = []
    version: str | None = None
    while True:
        later = (
            answers if version is None else answers.filter(measure_version__gt=version)
        )
        version = later.aggregate(next=Min("measure_version"))["next"]
        if version is None:
            return sorted(found, key=_version_order)
        given = answers.filter(
            measure_version=version,
            completed_at__gte=day_start(start),
            completed_at__lt=day_after(end),
        )
        if services:
            given = given.filter(episode__service__in=services)
        if given.exists():
            found.append(version)


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
