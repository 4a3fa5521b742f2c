"""Route objects of the people app (see tests/route_objects/__init__.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openproms.collection.models import Administration, RiskAlert
from openproms.people.models import Episode, GroupSession, ServiceUser
from tests.conftest import Tenant


def _person(tenant: Tenant, made: dict[str, Any]) -> ServiceUser:
    """A person on the tenant worker's caseload (an open episode they hold)."""
    person, _ = ServiceUser.objects.get_or_create(
        organisation=tenant.organisation,
        reference=f"R-{tenant.organisation.slug}",
        defaults={"given_name": "Robin", "family_name": "Example"},
    )
    Episode.objects.get_or_create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        defaults={
            "start_date": dt.date(2025, 1, 6),
            "key_worker": tenant.members["worker"].user,
        },
    )
    return person


def _episode(tenant: Tenant, made: dict[str, Any]) -> Episode:
    person = made.get("person_pk") or _person(tenant, made)
    return Episode.objects.filter(service_user=person).first()  # type: ignore[return-value]


def _group_session(tenant: Tenant, made: dict[str, Any]) -> GroupSession:
    return GroupSession.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        date=dt.date(2025, 2, 3),
        title="Walking group",
        facilitator=tenant.members["worker"].user,
    )


def _alert(tenant: Tenant, made: dict[str, Any]) -> RiskAlert:
    person = made.get("person_pk") or _person(tenant, made)
    episode = Episode.objects.filter(service_user=person).first()
    administration = Administration.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        episode=episode,
        measure_id="phq9",
        measure_version="1",
        answers={"q9": 1},
        mode=Administration.Mode.ASSISTED,
        submission_id=f"alert-{tenant.organisation.slug}",
        payload_hash="0" * 64,
        scored_with="phq9@1",
    )
    return RiskAlert.objects.create(
        organisation=tenant.organisation,
        administration=administration,
        service_user=person,
        item_id="q9",
        code=1,
        message="Thoughts of self-harm: contact them today.",
        assigned_to=tenant.members["worker"].user,
    )


FACTORIES = {
    "person_pk": _person,
    "episode_pk": _episode,
    "group_session_pk": _group_session,
    "alert_pk": _alert,
}
