"""Answers sent through the API keep which token sent them (decision 0033): the
link survives the token being revoked, the name survives it being deleted, and
staff read "Sent through the API by token ..." where they see how answers came."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openproms.api.models import ApiToken
from openproms.api.services import api_token_revoke
from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration
from tests.api.helpers import (
    answers,
    bearer,
    make_token,
    person_with_episode,
    uses_phq9,
)
from tests.conftest import Tenant, verified_client
from tests.fhir.helpers import SDC_RESPONSE, fixture

pytestmark = pytest.mark.django_db
SENT = "Sent through the API by token \u2018Warehouse copy\u2019"


def _url(name: str) -> str:
    return reverse(f"api:{name}", kwargs={"org_slug": "alpha"})


def _rest(secret: str, body: dict[str, Any]) -> Any:
    return Client().post(
        reverse("api:v1:administration_post", kwargs={"org_slug": "alpha"}),
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-1",
        **bearer(secret),
    )


def _fhir(secret: str, person_pk: int) -> Any:
    resource = dict(fixture(SDC_RESPONSE))
    resource["subject"] = {"reference": f"Patient/person.{person_pk}"}
    return Client().post(
        _url("fhir_questionnaire_response"),
        json.dumps(resource),
        content_type="application/fhir+json",
        **bearer(secret),
    )


def _person_page(tenant: Tenant, person_pk: int) -> str:
    client = verified_client(tenant.members["manager"].user)
    url = reverse(
        "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person_pk}
    )
    return client.get(url).content.decode()


@pytest.mark.parametrize("way", ["REST", "FHIR"])
def test_answers_sent_through_the_api_keep_their_token(
    tenant_a: Tenant, way: str
) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    if way == "REST":
        body = {"person_id": person.pk, "measure_id": "phq9", "answers": answers()}
        response = _rest(made.secret, body)
    else:
        response = _fhir(made.secret, person.pk)
    assert response.status_code == 201, response.content
    stored = Administration.objects.get()
    assert stored.api_token == made.token
    assert stored.api_token_name == "Warehouse copy"
    assert stored.mode == "import" and stored.collected_by is None
    assert stored.started_at is None  # no answering screen: no start time
    assert stored.origin == SENT
    event = AuditEvent.objects.get(action="administration.create")
    assert event.actor_label == "API token Warehouse copy"
    assert SENT in _person_page(tenant_a, person.pk)


def test_the_link_survives_revoking_and_the_name_survives_deleting(
    tenant_a: Tenant,
) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    body = {"person_id": person.pk, "measure_id": "phq9", "answers": answers()}
    assert _rest(made.secret, body).status_code == 201
    api_token_revoke(token=made.token, actor=tenant_a.members["org_admin"].user)
    stored = Administration.objects.get()
    assert stored.api_token == made.token
    ApiToken.objects.filter(pk=made.token.pk).delete()
    stored.refresh_from_db()
    assert stored.api_token is None
    assert stored.api_token_name == "Warehouse copy"
    assert stored.origin == SENT
    assert SENT in _person_page(tenant_a, person.pk)


def test_answers_collected_on_screen_say_how_as_before(tenant_a: Tenant) -> None:
    from tests.api.helpers import answered

    person = person_with_episode(tenant_a)
    stored = answered(tenant_a, person)
    assert stored.api_token is None and stored.api_token_name == ""
    assert stored.origin == "With a worker, on screen"
