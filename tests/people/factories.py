"""Small factories for the people tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from openproms.accounts.models import Service, User
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant


def person(tenant: Tenant, reference: str = "R1", **fields: Any) -> ServiceUser:
    return ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference, **fields
    )


def episode(
    tenant: Tenant,
    who: ServiceUser,
    *,
    key_worker: User | None = None,
    service: Service | None = None,
    start: dt.date = dt.date(2025, 1, 6),
    status: str = Episode.Status.ACTIVE,
) -> Episode:
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=who,
        service=service or tenant.service,
        start_date=start,
        key_worker=key_worker,
        status=status,
    )


def on_caseload(tenant: Tenant, reference: str = "R1", **fields: Any) -> ServiceUser:
    """A person with an active episode held by the tenant's worker."""
    who = person(tenant, reference, **fields)
    episode(tenant, who, key_worker=tenant.members["worker"].user)
    return who


def phq9_answered(tenant: Tenant, who: ServiceUser, item9: int = 0) -> Administration:
    answers = {f"phq9_{n}": 1 for n in range(1, 9)} | {
        "phq9_9": item9,
        "phq9_difficulty": 1,
    }
    return administration_submit(
        organisation=tenant.organisation,
        service_user=who,
        measure=measure_definition(organisation=tenant.organisation, measure_id="phq9"),
        answers=answers,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        episode=who.episodes.first(),
    ).administration


def answered(
    tenant: Tenant,
    who: ServiceUser,
    measure_id: str,
    answers: dict[str, int | None],
    *,
    when: dt.datetime | None = None,
) -> Administration:
    """Any measure answered with a worker (``when`` sets its completion time)."""
    return administration_submit(
        organisation=tenant.organisation,
        service_user=who,
        measure=measure_definition(
            organisation=tenant.organisation, measure_id=measure_id
        ),
        answers=answers,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        episode=who.episodes.first(),
        completed_at=when,
    ).administration
