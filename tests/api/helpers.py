"""Shared by the API tests: tokens made through the service, people with
episodes, answers saved through administration_submit, and a client sending the
bearer token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from openproms.accounts.models import Service
from openproms.accounts.policy import Role
from openproms.api.services import MadeToken, api_token_create
from openproms.catalogue.models import OrganisationMeasure
from openproms.collection.models import Administration
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import get_measure
from tests.conftest import Tenant

PHQ9 = get_measure("phq9")


def make_token(
    tenant: Tenant,
    *,
    access: str = "read",
    services: list[Service] | None = None,
    expires_on: dt.date | None = None,
) -> MadeToken:
    return api_token_create(
        organisation=tenant.organisation,
        name="Warehouse copy",
        access=access,
        services=services or [],
        expires_on=expires_on or dt.date.today() + dt.timedelta(days=30),
        actor=tenant.members[Role.ORG_ADMIN.value].user,
    )


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def api_get(secret: str, url: str, **params: Any) -> Any:
    return Client().get(url, params, **bearer(secret))


def person_with_episode(
    tenant: Tenant, reference: str = "P-1", service: Service | None = None
) -> ServiceUser:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference, given_name="Ann"
    )
    Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=service or tenant.service,
        start_date=dt.date(2026, 1, 5),
    )
    return person


def uses_phq9(tenant: Tenant) -> None:
    OrganisationMeasure.objects.get_or_create(
        organisation=tenant.organisation,
        measure_id="phq9",
        measure_version=PHQ9.version,
    )


def answers(shift: int = 0) -> dict[str, int]:
    return {item.id: (n + shift) % 4 for n, item in enumerate(PHQ9.items)}


def answered(tenant: Tenant, person: ServiceUser, sid: str = "web-1") -> Administration:
    return administration_submit(
        organisation=tenant.organisation,
        service_user=person,
        measure=PHQ9,
        answers=answers(),
        mode="assisted",
        submission_id=sid,
        episode=person.episodes.first(),
    ).administration
