"""Tests of the reports app. Helpers shared by the feedback tests live here."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration
from openproms.collection.services import administration_submit
from openproms.people.models import ServiceUser
from tests.conftest import Tenant


def phq9_answers(total: int, item9: int = 0) -> dict[str, int]:
    """PHQ-9 answers adding up to ``total`` (item 9, the risk item, as given)."""
    left = total - item9
    answers = {}
    for n in range(1, 9):
        answers[f"phq9_{n}"] = min(3, left)
        left -= answers[f"phq9_{n}"]
    return answers | {"phq9_9": item9, "phq9_difficulty": 1}


def swemwbs_answers(level: int) -> dict[str, int]:
    return {f"swemwbs_{n}": level for n in range(1, 8)}


def scored(
    tenant: Tenant,
    who: ServiceUser,
    measure_id: str,
    answers: dict[str, Any],
    days_ago: int,
) -> Administration:
    """Store a scored measure as if answered ``days_ago`` days ago."""
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
        completed_at=timezone.now() - dt.timedelta(days=days_ago),
    ).administration


def hand_over(client: Any, tenant: Tenant, who: ServiceUser, worker_name: str) -> Any:
    """``client`` (signed in as the tenant's worker) with the screen handed over to
    ``who`` and their answers finished, as ``kiosk.kiosk_start`` and answering
    leave the session."""
    session = client.session
    session["openproms_kiosk"] = {
        "org": tenant.organisation.slug,
        "person": who.pk,
        "queue": [],
        "index": 0,
        "done": [],
        "layout": "one",
        "stage": "finished",
        "worker": tenant.members["worker"].user.pk,
        "worker_name": worker_name,
    }
    session.save()
    return client
