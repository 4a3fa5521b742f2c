"""Hand-over (kiosk) mode: answers go through administration_submit with mode kiosk,
every other page leads back to the kiosk, and leaving needs the worker's password."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.collection.models import AcceptabilityResponse, Administration
from tests.conftest import PASSWORD, Tenant, verified_client
from tests.route_objects.collection_answering import ANSWERS, due_person

pytestmark = pytest.mark.django_db

KIOSK = "/o/alpha/answer/hand-over/"
UNLOCK = "/o/alpha/answer/hand-over/unlock/"
GAD7 = {f"gad7_{n}": 1 for n in range(1, 8)}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _answers(answers: dict) -> dict:
    data = {f"i_{k}": str(v) for k, v in answers.items()}
    data["submission_id"] = str(uuid.uuid4())
    return data


def _start(tenant: Tenant):  # type: ignore[no-untyped-def]
    person, _, points = due_person(tenant, measures=("phq9", "gad7"))
    client = verified_client(tenant.members["worker"].user)
    url = reverse(
        "collection:kiosk_start", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    assert client.get(url).status_code == 200
    response = client.post(url, {"time_points": [str(p.pk) for p in points]})
    assert response.status_code == 302 and response["Location"] == KIOSK
    return client, person, points


def test_the_kiosk_asks_each_measure_and_stores_them_as_kiosk_answers(
    tenant_a: Tenant,
) -> None:
    client, person, points = _start(tenant_a)
    page = client.get(KIOSK).content.decode()
    assert "Questionnaire 1 of 2" in page and 'data-layout="one"' in page
    assert "nhsuk-header__navigation" not in page and "Read this question aloud" in page
    first = points[0].measure_id
    client.post(KIOSK, _answers(ANSWERS if first == "phq9" else GAD7))
    client.post(KIOSK, _answers(GAD7 if first == "phq9" else ANSWERS))
    stored = Administration.objects.filter(service_user=person)
    assert stored.count() == 2
    assert {a.mode for a in stored} == {"kiosk"}
    result = client.get(KIOSK).content.decode()
    assert "Your results" in result
    assert client.post(KIOSK, {"rating": "5"}).status_code == 302
    assert AcceptabilityResponse.objects.get().mode == "kiosk"
    assert "hand the screen back" in client.get(KIOSK).content.decode()


def test_the_person_can_choose_all_questions_on_one_page(tenant_a: Tenant) -> None:
    client, _, _ = _start(tenant_a)
    client.post(KIOSK, {"layout": "all"})
    assert 'data-layout="all"' in client.get(KIOSK).content.decode()


def test_every_other_page_leads_back_to_the_kiosk(tenant_a: Tenant) -> None:
    client, person, _ = _start(tenant_a)
    for url in [
        "/o/alpha/",
        "/account/",
        "/o/alpha/members/",
        f"/o/alpha/answer/people/{person.pk}/",
        "/no-such-page/",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == KIOSK, url
    signing_out = client.post("/sign-out/")
    assert signing_out["Location"] == KIOSK


def test_leaving_without_the_password_is_refused_and_audited(tenant_a: Tenant) -> None:
    client, _, _ = _start(tenant_a)
    assert client.get(UNLOCK).status_code == 200
    wrong = client.post(UNLOCK, {"password": "guess"})
    assert wrong.status_code == 400
    assert "That password is not right" in wrong.content.decode()
    assert client.post(UNLOCK, {}).status_code == 400
    assert client.get("/o/alpha/")["Location"] == KIOSK
    assert AuditEvent.objects.filter(action="kiosk.exit_refused").count() == 1


def test_the_worker_leaves_with_their_password(tenant_a: Tenant) -> None:
    client, _, _ = _start(tenant_a)
    response = client.post(UNLOCK, {"password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/o/alpha/").status_code == 200
    assert AuditEvent.objects.filter(action="kiosk.exit").exists()


def test_unlock_attempts_are_limited(tenant_a: Tenant) -> None:
    client, _, _ = _start(tenant_a)
    for _ in range(5):
        client.post(UNLOCK, {"password": "guess"})
    locked = client.post(UNLOCK, {"password": PASSWORD})
    assert locked.status_code == 429
    assert client.get("/o/alpha/")["Location"] == KIOSK
