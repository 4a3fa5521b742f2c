"""What a person reads after answering when a scale has no score: which questions
were left blank, and whether the score needs every question or allows some blank."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from openproms.collection import links
from openproms.collection.models import Administration, ScaleResult
from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import due_person
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

ONS4 = {
    "ons4_life_satisfaction": 7,
    "ons4_worthwhile": 7,
    "ons4_happiness": None,
    "ons4_anxiety": 2,
}
CORE10 = {f"core10_{n}": 1 for n in range(1, 11)}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _result_page(tenant: Tenant, measure: str, answers: dict) -> str:
    _, _, [point] = due_person(tenant, measures=(measure,))
    client = verified_client(tenant.members["worker"].user)
    data = {f"i_{k}": "" if v is None else str(v) for k, v in answers.items()}
    data |= {"submission_id": str(uuid.uuid4()), "confirm_blanks": "on"}
    url = reverse(
        "collection:answer_time_point",
        kwargs={"org_slug": tenant.organisation.slug, "time_point_pk": point.pk},
    )
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()
    text = visible_text(client.get(saved["Location"]).content)
    assert internal_ids_in(text, list(default_library())) == [], text
    return text


def test_one_blank_question_on_a_score_that_needs_every_answer_is_named(
    tenant_a: Tenant,
) -> None:
    text = _result_page(tenant_a, "ons4", ONS4)
    assert (
        "There is no score this time because question 3 was left blank and this "
        "score needs every question answered." in text
    )
    assert "too many questions" not in text
    stored = ScaleResult.objects.get(scale_id="happiness")
    assert stored.value is None and stored.items_missing == 1
    assert Administration.objects.get().answers["ons4_happiness"] is None


def test_more_blanks_than_a_score_allows_says_how_many_it_allows(
    tenant_a: Tenant,
) -> None:
    answers = CORE10 | {"core10_2": None, "core10_5": None}
    text = _result_page(tenant_a, "core10", answers)
    assert (
        "There is no score this time because questions 2 and 5 were left blank "
        "and this score can have at most 1 question left blank." in text
    )
    assert "too many questions" not in text
    assert ScaleResult.objects.get(scale_id="clinical").value is None


def test_a_score_with_one_blank_allowed_still_has_its_score(tenant_a: Tenant) -> None:
    text = _result_page(tenant_a, "core10", CORE10 | {"core10_2": None})
    assert "There is no score this time" not in text
    assert ScaleResult.objects.get(scale_id="clinical").value is not None


def test_the_reason_is_in_welsh_for_a_welsh_speaker(tenant_a: Tenant) -> None:
    person, _, [point] = due_person(tenant_a, measures=("ons4",))
    person.preferred_language = "cy"
    person.save()
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=[point],
        actor=tenant_a.members["worker"].user,
    )
    client = Client()
    client.get(f"/s/{made.token}/")
    data = {f"i_{k}": "" if v is None else str(v) for k, v in ONS4.items()}
    data |= {"submission_id": str(uuid.uuid4()), "confirm_blanks": "on"}
    saved = client.post("/s/answer/", data)
    assert saved.status_code == 302, saved.content.decode()
    text = visible_text(client.get(saved["Location"]).content)
    assert (
        "oherwydd bod cwestiwn 3 wedi'i adael yn wag ac mae angen ateb pob "
        "cwestiwn ar gyfer y sgôr hon." in text
    ), text
