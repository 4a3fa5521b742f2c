"""Self-completion links: hashed tokens and short codes, expiry, single use,
revocation, rate-limited codes, and answers stored with mode "self"."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.collection import links
from openproms.collection.models import Administration, SelfCompletionLink
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import ANSWERS, due_person

pytestmark = pytest.mark.django_db

GAD7 = {f"gad7_{n}": 1 for n in range(1, 8)}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _answers(answers: dict) -> dict:
    data = {f"i_{k}": str(v) for k, v in answers.items()}
    data["submission_id"] = str(uuid.uuid4())
    return data


def _make(tenant: Tenant, *, measures=("phq9",), email=""):  # type: ignore[no-untyped-def]
    person, _, points = due_person(tenant, measures=measures, email=email)
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=points,
        actor=tenant.members["worker"].user,
    )
    return person, points, made


def test_a_worker_makes_a_link_shown_with_a_code_and_qr_and_emailed(
    tenant_a: Tenant,
) -> None:
    person, _, points = due_person(tenant_a, email="sam@example.org")
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:link_create", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    assert "sam@example.org" in client.get(url).content.decode()
    page = client.post(
        url, {"time_points": [str(points[0].pk)], "send_email": "on"}
    ).content.decode()
    token = re.search(r"/s/([A-Za-z0-9_-]{40,})/", page).group(1)  # type: ignore[union-attr]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", page).group(1)  # type: ignore[union-attr]
    assert "data:image/svg+xml;base64," in page
    link = SelfCompletionLink.objects.get()
    assert (
        token not in link.token_hash
        and code.replace("-", "") not in link.short_code_hash
    )
    assert link.sent_to == "sam@example.org"
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    assert (link.expires_at - timezone.now()).days == 13
    # The email names the page that asks for the code, and the last day plainly.
    until = timezone.localtime(link.expires_at)
    assert f"Or go to http://testserver/s/ and type this code: {code}" in (
        mail.outbox[0].body
    )
    assert f"The link works until {until.day} {until:%B %Y}." in mail.outbox[0].body


def test_the_link_opens_without_signing_in_and_stores_self_answers(
    tenant_a: Tenant,
) -> None:
    _, _, made = _make(tenant_a)
    client = Client()
    opened = client.get(f"/s/{made.token}/")
    assert opened.status_code == 302 and opened["Location"] == "/s/answer/"
    page = client.get("/s/answer/")
    assert page.status_code == 200 and "Little interest" in page.content.decode()
    done = client.post("/s/answer/", _answers(ANSWERS))
    assert done["Location"] == "/s/done/"
    administration = Administration.objects.get()
    assert administration.mode == "self" and administration.collected_by is None
    assert "Your results" in client.get("/s/done/").content.decode()
    thanks = client.post("/s/done/", {"rating": "3"})
    assert "Your answers have been sent" in thanks.content.decode()
    made.link.refresh_from_db()
    assert made.link.used_at is not None


def test_a_used_link_does_not_work_a_second_time(tenant_a: Tenant) -> None:
    _, _, made = _make(tenant_a)
    client = Client()
    client.get(f"/s/{made.token}/")
    client.post("/s/answer/", _answers(ANSWERS))
    again = Client().get(f"/s/{made.token}/")
    assert again.status_code == 404
    assert "This link does not work" in again.content.decode()
    assert Administration.objects.count() == 1


def test_a_partly_answered_link_still_works(tenant_a: Tenant) -> None:
    _, points, made = _make(tenant_a, measures=("phq9", "gad7"))
    client = Client()
    client.get(f"/s/{made.token}/")
    first = points[0].measure_id
    response = client.post("/s/answer/", _answers(ANSWERS if first == "phq9" else GAD7))
    assert response["Location"] == "/s/answer/"
    made.link.refresh_from_db()
    assert made.link.used_at is None
    later = Client()
    assert later.get(f"/s/{made.token}/").status_code == 302
    page = later.get("/s/answer/").content.decode()
    assert ("GAD" in page) if first == "phq9" else ("PHQ" in page)


@pytest.mark.parametrize("spoil", ["expired", "revoked", "forged"])
def test_expired_revoked_and_forged_links_look_the_same(
    tenant_a: Tenant, spoil: str
) -> None:
    _, _, made = _make(tenant_a)
    token = made.token
    if spoil == "expired":
        made.link.expires_at = timezone.now() - dt.timedelta(seconds=1)
        made.link.save()
    elif spoil == "revoked":
        links.link_revoke(link=made.link, actor=tenant_a.members["worker"].user)
    else:
        token = token[:-4] + "AAAA"
    response = Client().get(f"/s/{token}/")
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert Client().get("/s/answer/").status_code == 404


def test_the_short_code_works_typed_loosely(tenant_a: Tenant) -> None:
    _, _, made = _make(tenant_a)
    typed = f" {made.code[:4].lower()} - {made.code[4:]} "
    response = Client().post("/s/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/s/answer/"


def test_a_wrong_code_reveals_nothing_and_guessing_is_rate_limited(
    tenant_a: Tenant,
) -> None:
    _, _, made = _make(tenant_a)
    client = Client()
    assert client.post("/s/", {"code": ""}).status_code == 400
    for n in range(links.ATTEMPT_LIMIT):
        wrong = client.post("/s/", {"code": f"AAAA{n:04d}"})
        assert wrong.status_code == 404
        # The box stays, with what went wrong, to try again.
        page = html.unescape(wrong.content.decode())
        assert "This code does not work. It may have been typed wrongly" in page
        assert 'name="code"' in page
    blocked = client.post("/s/", {"code": made.code})
    assert blocked.status_code == 429
    assert (
        Client(REMOTE_ADDR="10.0.0.9").post("/s/", {"code": made.code}).status_code
        == 302
    )


def test_a_worker_revokes_a_link(tenant_a: Tenant, tenant_b: Tenant) -> None:
    _, _, made = _make(tenant_a)
    url = reverse(
        "collection:link_revoke", kwargs={"org_slug": "alpha", "link_pk": made.link.pk}
    )
    other = verified_client(tenant_b.members["org_admin"].user)
    assert other.post(url).status_code == 404
    assert verified_client(tenant_a.members["worker"].user).post(url).status_code == 302
    assert Client().get(f"/s/{made.token}/").status_code == 404
