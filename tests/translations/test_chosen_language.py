"""A language a person chooses on the self-completion pages carries through
their visit: chosen on the code page before typing their code, or with the link
to the other language on the questionnaire, result and progress pages
(decision 0034). Their recorded preferred language is not changed, and the answers are
stored as anyone's are."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from openproms.collection import links
from openproms.collection.models import Administration
from openproms.people.models import ServiceUser
from tests.conftest import Tenant
from tests.route_objects.collection_answering import due_person
from tests.text_checks import visible_text
from tests.translations.person_pages import (
    LADDER,
    LADDER_ANSWERS,
    english_left,
)
from tests.translations.person_pages import (
    answers_posted as _post,
)

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = "en-GB,en;q=0.9"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _link(tenant: Tenant, measures: tuple[str, ...] = (LADDER, "phq9")):  # type: ignore[no-untyped-def]
    person, _, points = due_person(tenant, measures=measures)
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=points,
        actor=tenant.members["worker"].user,
    )
    return person, made


def _data(tenant: Tenant) -> tuple[str, ...]:
    return (tenant.organisation.name, "Sam", "Person")


def test_welsh_chosen_on_the_code_page_carries_through_the_visit(
    tenant_a: Tenant,
) -> None:
    person, made = _link(tenant_a, measures=(LADDER,))
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    assert "Ateb eich cwestiynau" in client.get("/s/?lang=cy").content.decode()
    opened = client.post("/s/?lang=cy", {"code": made.grouped_code})
    assert opened.status_code == 302

    page = client.get("/s/answer/").content.decode()
    assert '<html lang="cy">' in page
    assert "Ysgol bywyd" in page and "Cartref a thai" in page
    assert "Anfon fy atebion" in page and "Send my answers" not in page
    # The page offers the way back to English.
    assert 'hreflang="en">English</a>' in page
    assert english_left(page, data=_data(tenant_a)) == []

    assert client.post("/s/answer/", _post(LADDER_ANSWERS)).status_code == 302
    stored = Administration.objects.get(service_user=person)
    assert stored.answers == LADDER_ANSWERS
    assert stored.mode == Administration.Mode.SELF

    result = client.get("/s/done/").content.decode()
    assert '<html lang="cy">' in result and "Un cwestiwn olaf" in result
    assert english_left(result, data=_data(tenant_a)) == []
    thanks = client.post("/s/done/", {"skip": "1"}).content.decode()
    assert "Diolch" in thanks and english_left(thanks, data=_data(tenant_a)) == []
    progress = client.get(reverse("reports:self_progress")).content.decode()
    assert "Eich cynnydd" in progress and "Cartref a thai" in progress
    assert english_left(progress, data=_data(tenant_a)) == []
    # The choice is for this visit: the person's recorded language is unchanged.
    assert ServiceUser.objects.get(pk=person.pk).preferred_language in ("", "en")


def test_a_remembered_choice_carries_when_the_code_is_typed_later(
    tenant_a: Tenant,
) -> None:
    _person, made = _link(tenant_a, measures=(LADDER,))
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    client.get("/s/?lang=cy")
    # The code is sent from the page without ?lang= (the cookie remembers it).
    client.post("/s/", {"code": made.grouped_code})
    assert "Anfon fy atebion" in client.get("/s/answer/").content.decode()


def test_the_questionnaire_switches_language_and_keeps_it(tenant_a: Tenant) -> None:
    person, made = _link(tenant_a)
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    client.get(f"/s/{made.token}/")
    english = client.get("/s/answer/").content.decode()
    assert "questionnaire 1 of 2" in visible_text(english)
    assert "Home and housing" in english
    assert 'hreflang="cy">Cymraeg</a>' in english

    welsh = client.get("/s/answer/?lang=cy").content.decode()
    assert "Cartref a thai" in welsh and "Anfon fy atebion" in welsh
    assert 'hreflang="en">English</a>' in welsh
    # The next questionnaire (PHQ-9, which has no Welsh wording) stays in Welsh
    # and says its questions are not in Welsh yet.
    assert client.post("/s/answer/", _post(LADDER_ANSWERS)).status_code == 302
    second = client.get("/s/answer/").content.decode()
    assert "ar gael yn eich iaith chi eto" in second
    assert "Anfon fy atebion" in second
    stored = Administration.objects.get(service_user=person, measure_id=LADDER)
    assert stored.answers == LADDER_ANSWERS

    back = client.get("/s/answer/?lang=en").content.decode()
    assert "Send my answers" in back and "Anfon fy atebion" not in back


def test_an_emailed_link_ignores_a_choice_left_on_the_device(
    tenant_a: Tenant,
) -> None:
    person, made = _link(tenant_a, measures=(LADDER,))
    person.preferred_language = "cy"
    person.save()
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    client.get("/s/?lang=en")
    # Opened by its link, the visit is in the person's preferred language.
    client.get(f"/s/{made.token}/")
    assert "Anfon fy atebion" in client.get("/s/answer/").content.decode()


def test_a_language_not_offered_is_ignored(tenant_a: Tenant) -> None:
    _person, made = _link(tenant_a, measures=(LADDER,))
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    client.post("/s/?lang=xx", {"code": made.grouped_code})
    page = client.get("/s/answer/?lang=fr").content.decode()
    assert "Send my answers" in page and '<html lang="en-gb">' in page
