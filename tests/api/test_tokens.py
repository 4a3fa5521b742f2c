"""API tokens: hashed at rest and shown once, expiring, revocable, rate-limited,
scoped (read or read-write, services), walled off by organisation, audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse

from openproms.accounts.models import Service
from openproms.accounts.policy import Role
from openproms.api.models import ApiToken
from openproms.audit.labels import ACTION_LABELS
from openproms.audit.models import AuditEvent
from openproms.scoring import default_library
from tests.api.helpers import (
    answered,
    api_get,
    bearer,
    make_token,
    person_with_episode,
)
from tests.conftest import Tenant, verified_client
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db


def _people(slug: str = "alpha") -> str:
    return reverse("api:v1:people_list", kwargs={"org_slug": slug})


def test_the_secret_is_kept_only_as_its_hash(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    stored = ApiToken.objects.get()
    assert stored.secret_hash == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret.startswith(f"opk-{stored.prefix}-")
    row = ApiToken.objects.filter(pk=stored.pk).values().get()
    assert made.secret not in str(row)


def test_the_page_shows_the_secret_once_and_never_again(tenant_a: Tenant) -> None:
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    url = reverse("api:token_list", kwargs={"org_slug": "alpha"})
    expires = (dt.date.today() + dt.timedelta(days=90)).strftime("%d/%m/%Y")
    response = admin.post(
        url, {"name": "Warehouse", "access": "read", "expires_on": expires}
    )
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get()
    start = page.index(f"opk-{token.prefix}-")
    secret = page[start : page.index('"', start)]
    assert hashlib.sha256(secret.encode()).hexdigest() == token.secret_hash
    again = admin.get(url).content.decode()
    assert secret not in again and f"opk-{token.prefix}" in again
    assert internal_ids_in(visible_text(again.encode()), default_library()) == []
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1


def test_the_page_names_what_is_wrong_and_makes_nothing(tenant_a: Tenant) -> None:
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    url = reverse("api:token_list", kwargs={"org_slug": "alpha"})
    response = admin.post(url, {"name": "", "access": "read", "expires_on": "1/1/2020"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a name for the token" in page
    assert "The expiry date must be in the future" in page
    assert not ApiToken.objects.exists()


def test_only_an_organisation_admin_may_use_the_page(tenant_a: Tenant) -> None:
    url = reverse("api:token_list", kwargs={"org_slug": "alpha"})
    manager = verified_client(tenant_a.members[Role.MANAGER.value].user)
    assert manager.get(url).status_code == 403


def test_a_request_without_a_known_token_is_401(tenant_a: Tenant) -> None:
    from django.test import Client

    response = Client().get(_people())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    made = make_token(tenant_a)
    wrong = made.secret[:-3] + "xyz"
    assert api_get(wrong, _people()).status_code == 401
    assert api_get(made.secret, _people()).status_code == 200


def test_an_expired_token_is_refused(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    ApiToken.objects.update(expires_on=dt.date.today() - dt.timedelta(days=1))
    response = api_get(made.secret, _people())
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_is_refused(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    assert api_get(made.secret, _people()).status_code == 200
    admin.post(
        reverse(
            "api:token_revoke",
            kwargs={"org_slug": "alpha", "api_token_pk": made.token.pk},
        )
    )
    response = api_get(made.secret, _people())
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@override_settings(API_RATE_LIMIT_PER_MINUTE=3)
def test_past_the_rate_limit_the_answer_is_429_with_retry_after(
    tenant_a: Tenant,
) -> None:
    made = make_token(tenant_a)
    statuses = [api_get(made.secret, _people()).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api_get(made.secret, _people())
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_a_read_token_cannot_write(tenant_a: Tenant) -> None:
    from django.test import Client

    made = make_token(tenant_a, access="read")
    person = person_with_episode(tenant_a)
    response = Client().post(
        reverse("api:v1:administration_post", kwargs={"org_slug": "alpha"}),
        {"person_id": person.pk, "measure_id": "phq9", "answers": {}},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **bearer(made.secret),
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This API token may only read."


def test_a_token_limited_to_a_service_lists_only_its_people(tenant_a: Tenant) -> None:
    other = Service.objects.create(organisation=tenant_a.organisation, name="Other")
    mine = person_with_episode(tenant_a, "P-1")
    theirs = person_with_episode(tenant_a, "P-2", service=other)
    made = make_token(tenant_a, services=[tenant_a.service])
    ids = [p["id"] for p in api_get(made.secret, _people()).json()["items"]]
    assert ids == [mine.pk]
    detail = reverse(
        "api:v1:person_detail", kwargs={"org_slug": "alpha", "person_id": theirs.pk}
    )
    assert api_get(made.secret, detail).status_code == 404


def test_another_organisations_token_and_objects_are_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    made_b = make_token(tenant_b)
    assert api_get(made_b.secret, _people("alpha")).status_code == 404
    person_a = person_with_episode(tenant_a)
    made_a = make_token(tenant_a)
    theirs = person_with_episode(tenant_b, "B-1")
    for name, kwargs in [
        ("api:v1:person_detail", {"person_id": theirs.pk}),
        (
            "api:v1:administration_detail",
            {"administration_id": answered(tenant_b, theirs).pk},
        ),
    ]:
        url = reverse(name, kwargs={"org_slug": "alpha", **kwargs})
        assert api_get(made_a.secret, url).status_code == 404
    url = reverse(
        "api:v1:person_detail", kwargs={"org_slug": "alpha", "person_id": person_a.pk}
    )
    assert api_get(made_a.secret, url).status_code == 200


def test_every_use_is_audited_with_the_people_shown(tenant_a: Tenant) -> None:
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a)
    api_get(made.secret, _people())
    event = AuditEvent.objects.get(action="api.use")
    assert event.organisation_id == tenant_a.organisation.pk
    assert event.actor_label == f"API token Warehouse copy ({made.token.prefix})"
    assert event.people == f"|{person.pk}|"
    assert event.detail["status"] == 200
    assert "api.use" in ACTION_LABELS
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    log = admin.get(reverse("audit:log", kwargs={"org_slug": "alpha"}))
    assert "API token used" in log.content.decode()


def test_a_session_gives_an_api_request_nothing(tenant_a: Tenant) -> None:
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    assert admin.get(_people()).status_code == 401


def test_the_tokens_page_lists_its_latest_uses(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    api_get(made.secret, _people())
    admin = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    page = admin.get(
        reverse(
            "api:token_detail",
            kwargs={"org_slug": "alpha", "api_token_pk": made.token.pk},
        )
    )
    text = visible_text(page.content)
    assert "GET /o/alpha/api/v1/people" in text
    assert internal_ids_in(text, default_library()) == []
