"""The REST API: cursor pagination, updated_since, details with answers and
scores, idempotent writes (replay and 409), measures, report figures, and the
OpenAPI schema (it parses and lists every path)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.api import rest_schemas as s
from openproms.collection.models import Administration
from openproms.people.models import ServiceUser
from tests.api.helpers import (
    answered,
    answers,
    api_get,
    bearer,
    make_token,
    person_with_episode,
    uses_phq9,
)
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:v1:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _post(secret: str, body: dict[str, Any], key: str | None = "key-1") -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return Client().post(
        _url("administration_post"),
        json.dumps(body),
        content_type="application/json",
        **bearer(secret),
        **headers,
    )


def test_lists_come_a_page_at_a_time_following_the_cursor(tenant_a: Tenant) -> None:
    people = [person_with_episode(tenant_a, f"P-{n}") for n in range(5)]
    made = make_token(tenant_a)
    seen: list[int] = []
    url: str | None = _url("people_list") + "?limit=2"
    pages = 0
    while url:
        page = Client().get(url, **bearer(made.secret)).json()
        seen += [p["id"] for p in page["items"]]
        url = page["next"]
        pages += 1
    assert seen == [p.pk for p in people]
    assert pages == 3
    bad = api_get(made.secret, _url("people_list"), cursor="!!!")
    assert bad.status_code == 400
    too_many = api_get(made.secret, _url("people_list"), limit=100000)
    assert too_many.status_code == 400


def test_updated_since_gives_only_what_changed(tenant_a: Tenant) -> None:
    old = person_with_episode(tenant_a, "P-old")
    long_ago = timezone.now() - dt.timedelta(days=10)
    ServiceUser.objects.filter(pk=old.pk).update(
        updated_at=long_ago, created_at=long_ago
    )
    new = person_with_episode(tenant_a, "P-new")
    made = make_token(tenant_a)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    ids = [
        p["id"]
        for p in api_get(made.secret, _url("people_list"), updated_since=since).json()[
            "items"
        ]
    ]
    assert ids == [new.pk]
    first = answered(tenant_a, old, "a-1")
    Administration.objects.filter(pk=first.pk).update(created_at=long_ago)
    second = answered(tenant_a, new, "a-2")
    found = api_get(
        made.secret, _url("administration_list"), updated_since=since
    ).json()["items"]
    assert [a["id"] for a in found] == [second.pk]
    wrong = api_get(made.secret, _url("people_list"), updated_since="yesterday")
    assert wrong.status_code == 422
    assert "updated_since" in wrong.content.decode()


def test_an_administration_comes_with_its_answers_and_scores(tenant_a: Tenant) -> None:
    person = person_with_episode(tenant_a)
    stored = answered(tenant_a, person)
    made = make_token(tenant_a)
    body = api_get(
        made.secret, _url("administration_detail", administration_id=stored.pk)
    ).json()
    # What is sent is exactly the documented shape (the schema validates it).
    s.Administration.model_validate(body)
    s.PersonPage.model_validate(api_get(made.secret, _url("people_list")).json())
    assert body["measure_name"] == "PHQ-9"
    assert body["answers"][0]["question_number"] == 1
    total = next(s for s in body["scores"] if s["scale_id"] == "total")
    assert total["value"] == stored.results.get(scale_id="total").value
    for name, key, pk in [
        ("episode_detail", "episode_id", person.episodes.get().pk),
        ("person_detail", "person_id", person.pk),
    ]:
        assert api_get(made.secret, _url(name, **{key: pk})).status_code == 200
    assert api_get(made.secret, _url("episode_list")).json()["items"]
    points = api_get(made.secret, _url("time_point_list"))
    assert points.status_code == 200
    s.TimePointPage.model_validate(points.json())


def test_a_post_is_idempotent_and_a_conflicting_replay_is_409(
    tenant_a: Tenant,
) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    body = {"person_id": person.pk, "measure_id": "phq9", "answers": answers()}
    first = _post(made.secret, body)
    assert first.status_code == 201, first.content
    again = _post(made.secret, body)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert Administration.objects.count() == 1
    conflict = _post(made.secret, {**body, "answers": answers(shift=1)})
    assert conflict.status_code == 409
    assert "nothing was changed" in conflict.json()["detail"]
    stored = Administration.objects.get()
    assert stored.answers == answers()
    assert stored.submission_id == "api:key-1"


def test_a_post_names_what_is_wrong_and_saves_nothing(tenant_a: Tenant) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    body = {"person_id": person.pk, "measure_id": "phq9", "answers": answers()}
    assert "Idempotency-Key" in _post(made.secret, body, key=None).json()["detail"]
    bad_answer = _post(made.secret, {**body, "answers": {**answers(), "phq9_1": 7}})
    assert bad_answer.status_code == 422
    assert "answers" in bad_answer.json()["detail"]
    unknown = _post(made.secret, {**body, "measure_id": "nothing"}, key="k2")
    assert unknown.status_code == 422
    assert "measure_id" in unknown.json()["detail"]
    nobody = _post(made.secret, {**body, "person_id": 999999}, key="k3")
    assert nobody.status_code == 422
    assert not Administration.objects.exists()


def test_measures_and_report_figures(tenant_a: Tenant) -> None:
    uses_phq9(tenant_a)
    person_with_episode(tenant_a)
    made = make_token(tenant_a)
    measures = api_get(made.secret, _url("measure_list")).json()
    assert measures[0]["name"] == "PHQ-9"
    figures = api_get(
        made.secret,
        _url("collection_figures"),
        start="2026-01-01",
        end="2026-03-31",
    ).json()["figures"]
    assert figures["new_episodes"] == 1


def test_the_openapi_schema_parses_and_lists_every_path(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    response = api_get(
        made.secret, reverse("api:openapi", kwargs={"org_slug": "alpha"})
    )
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["servers"] == [{"url": "/o/alpha/api/v1"}]
    assert set(schema["paths"]) == {
        "/people",
        "/people/{person_id}",
        "/episodes",
        "/episodes/{episode_id}",
        "/time-points",
        "/time-points/{time_point_id}",
        "/administrations",
        "/administrations/{administration_id}",
        "/measures",
        "/reports/collection",
    }
    from openapi_spec_validator import validate

    validate(schema)


def test_the_documentation_page_lists_every_endpoint_in_words(
    tenant_a: Tenant,
) -> None:
    from openproms.accounts.policy import Role
    from openproms.scoring import default_library
    from tests.conftest import verified_client
    from tests.text_checks import internal_ids_in, visible_text

    viewer = verified_client(tenant_a.members[Role.VIEWER.value].user)
    page = viewer.get(reverse("api:docs", kwargs={"org_slug": "alpha"}))
    text = visible_text(page.content)
    assert "GET /o/alpha/api/v1/people/{number}" in text
    assert "Saves a completed measure" in text
    assert internal_ids_in(text, default_library()) == []
    schema = viewer.get(reverse("api:openapi_download", kwargs={"org_slug": "alpha"}))
    assert json.loads(schema.content)["openapi"].startswith("3.")
