"""A person whose preferred language is Welsh answers, sees their result and
their progress in Welsh, with the measure's wording in Welsh where it has a
translation; the answers are stored as anyone's are."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.collection import links
from openproms.collection.models import Administration, SelfCompletionLink
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import due_person
from tests.translations.person_pages import (
    LADDER,
    LADDER_ANSWERS,
    english_left,
)
from tests.translations.person_pages import (
    answers_posted as _post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _welsh_person(tenant: Tenant, measures: tuple[str, ...] = (LADDER,)):  # type: ignore[no-untyped-def]
    person, _, points = due_person(tenant, measures=measures)
    person.preferred_language = "cy"
    person.save()
    return person, points


def _open_link(tenant: Tenant, person, points) -> Client:  # type: ignore[no-untyped-def]
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=points,
        actor=tenant.members["worker"].user,
    )
    client = Client()
    client.get(f"/s/{made.token}/")
    return client


def _data(tenant: Tenant) -> tuple[str, ...]:
    return (tenant.organisation.name, "Sam", "Person")


def test_a_welsh_speaker_answers_on_their_link_in_welsh(tenant_a: Tenant) -> None:
    person, points = _welsh_person(tenant_a)
    client = _open_link(tenant_a, person, points)
    page = client.get("/s/answer/").content.decode()
    assert '<html lang="cy">' in page
    assert "Ysgol bywyd" in page and "Cartref a thai" in page
    assert "Anfon fy atebion" in page
    assert english_left(page, data=_data(tenant_a)) == []

    blank = client.post("/s/answer/", _post({}))
    assert blank.status_code == 400
    assert "Nid oes ateb i unrhyw un o'r cwestiynau" in unescape(blank.content.decode())
    assert english_left(blank.content.decode(), data=_data(tenant_a)) == []
    # A value the scoring engine refuses is explained in Welsh, as a sentence.
    for value, reason in (
        ("11", "Cwestiwn 1: nid yw 11 yn un o'r atebion: dewiswch rif cyfan o 1 i 10."),
        ("lots", "Cwestiwn 1: nid yw lots yn rhif."),
    ):
        data = {**_post(LADDER_ANSWERS), f"i_{LADDER}_home": value}
        wrong = client.post("/s/answer/", data)
        assert wrong.status_code == 400
        page = unescape(wrong.content.decode())
        assert reason in page
        assert (
            english_left(wrong.content.decode(), data=(*_data(tenant_a), value)) == []
        )

    done = client.post("/s/answer/", _post(LADDER_ANSWERS))
    assert done.status_code == 302
    administration = Administration.objects.get(service_user=person)
    assert administration.answers == LADDER_ANSWERS
    assert administration.mode == Administration.Mode.SELF

    result = client.get("/s/done/").content.decode()
    assert "Un cwestiwn olaf" in result
    assert english_left(result, data=_data(tenant_a)) == []
    thanks = client.post("/s/done/", {"skip": "1"}).content.decode()
    assert "Diolch" in thanks and english_left(thanks, data=_data(tenant_a)) == []

    progress = client.get(reverse("reports:self_progress")).content.decode()
    assert "Eich cynnydd" in progress and "Cartref a thai" in progress
    assert english_left(progress, data=_data(tenant_a)) == []


WELSH_BROWSER = "cy-GB,cy;q=0.9,en-GB;q=0.5"
ENGLISH_BROWSER = "en-GB,en;q=0.9"


def test_the_pages_before_the_person_is_known_follow_a_welsh_browser(
    tenant_a: Tenant,
) -> None:
    welsh = Client(HTTP_ACCEPT_LANGUAGE=WELSH_BROWSER)
    start = welsh.get("/s/")
    assert start["Vary"] and "Accept-Language" in start["Vary"]
    typed_wrong = welsh.post("/s/", {"code": "AAAA-AAAA"})
    assert typed_wrong.status_code == 404
    for response in (start, welsh.get("/s/not-a-real-token/"), typed_wrong):
        page = response.content.decode()
        assert '<html lang="cy">' in page
        assert english_left(page) == [], english_left(page)
        assert 'hreflang="en">English</a>' in page
    assert "Ateb eich cwestiynau" in start.content.decode()
    assert "Nid yw'r cod hwn yn gweithio" in unescape(typed_wrong.content.decode())
    for _ in range(links.ATTEMPT_LIMIT):
        welsh.get("/s/still-not-a-token/")
    too_many = welsh.get("/s/still-not-a-token/")
    assert too_many.status_code == 429
    page = too_many.content.decode()
    assert "Gormod o ymdrechion" in page and english_left(page) == []


def test_a_language_chosen_on_those_pages_is_kept(tenant_a: Tenant) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    page = client.get("/s/").content.decode()
    assert '<html lang="en-gb">' in page and "Answer your questions" in page
    assert 'hreflang="cy">Cymraeg</a>' in page
    chosen = client.get("/s/?lang=cy")
    assert "Ateb eich cwestiynau" in chosen.content.decode()
    assert chosen.cookies["openproms_language"].value == "cy"
    # The next page that names no person remembers the choice.
    page = client.get("/s/not-a-real-token/").content.decode()
    assert '<html lang="cy">' in page and english_left(page) == []
    assert "Answer your questions" in client.get("/s/?lang=en").content.decode()
    assert "Answer your questions" in client.get("/s/").content.decode()
    # Staff pages never follow the browser or the choice.
    staff = verified_client(tenant_a.members["worker"].user)
    staff.cookies["openproms_language"] = "cy"
    home = staff.get("/", HTTP_ACCEPT_LANGUAGE=WELSH_BROWSER).content.decode()
    assert '<html lang="cy">' not in home


def test_a_link_that_no_longer_works_says_so_in_the_persons_language(
    tenant_a: Tenant,
) -> None:
    person, points = _welsh_person(tenant_a)
    made, late = (
        links.link_create(
            organisation=tenant_a.organisation,
            service_user=person,
            time_points=points,
            actor=tenant_a.members["worker"].user,
        )
        for _ in range(2)
    )
    SelfCompletionLink.objects.filter(pk=late.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    # A link that ran out says so in Welsh, whatever the browser asks for.
    ran_out = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER).get(f"/s/{late.token}/")
    assert ran_out.status_code == 404
    page = ran_out.content.decode()
    assert '<html lang="cy">' in page and "Nid yw'r ddolen hon yn gweithio" in page
    assert english_left(page, data=_data(tenant_a)) == []
    assert "Cymraeg</a>" not in page and "English</a>" not in page
    # Answered in full, the link is used up: opening it again says so in Welsh.
    client = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
    client.get(f"/s/{made.token}/")
    assert client.post("/s/answer/", _post(LADDER_ANSWERS)).status_code == 302
    again = Client(HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER).get(f"/s/{made.token}/")
    assert again.status_code == 404
    page = again.content.decode()
    assert '<html lang="cy">' in page and english_left(page, data=_data(tenant_a)) == []


def test_a_measure_with_no_welsh_wording_says_so_in_welsh(tenant_a: Tenant) -> None:
    person, points = _welsh_person(tenant_a, measures=("phq9",))
    client = _open_link(tenant_a, person, points)
    page = client.get("/s/answer/").content.decode()
    assert "ar gael yn eich iaith chi eto" in page
    assert "Anfon fy atebion" in page


def test_an_english_speaker_still_sees_english(tenant_a: Tenant) -> None:
    person, _, points = due_person(tenant_a, measures=(LADDER,))
    client = _open_link(tenant_a, person, points)
    page = client.get("/s/answer/").content.decode()
    assert "Home and housing" in page and "Send my answers" in page
    assert "Ysgol bywyd" not in page


def test_the_handed_over_screen_speaks_the_persons_language(tenant_a: Tenant) -> None:
    person, points = _welsh_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    start = reverse(
        "collection:kiosk_start", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    client.post(start, {"time_points": [str(p.pk) for p in points]})
    kiosk = reverse("collection:kiosk_answer", kwargs={"org_slug": "alpha"})
    page = client.get(kiosk).content.decode()
    assert '<html lang="cy">' in page and "Cwestiynau i chi" in page
    assert "Hwyliau a theimladau" in page and "Darllen y cwestiwn hwn" in page
    # Read-aloud speaks the question in its own language (answer.js reads it).
    assert page.count('data-lang="cy"') == 7
    assert english_left(page, data=_data(tenant_a)) == []
    client.post(kiosk, _post(LADDER_ANSWERS))
    assert Administration.objects.get(service_user=person).answers == LADDER_ANSWERS
    client.post(kiosk, {"skip": "1"})
    finished = client.get(kiosk).content.decode()
    assert "Rydych chi wedi gorffen" in finished
    progress = client.get(
        reverse("reports:kiosk_progress", kwargs={"org_slug": "alpha"})
    ).content.decode()
    assert "Eich sgoriau dros amser" in progress
    assert english_left(progress, data=_data(tenant_a)) == []


def test_assisted_answering_shows_the_questions_in_the_persons_language(
    tenant_a: Tenant,
) -> None:
    _person, points = _welsh_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_time_point",
        kwargs={"org_slug": "alpha", "time_point_pk": points[0].pk},
    )
    page = client.get(url).content.decode()
    assert "rhoi eich hun ar yr ysgol" in page


def test_a_measure_whose_wording_is_not_held_says_so_in_welsh(
    tenant_a: Tenant,
) -> None:
    from openproms.scoring import get_measure

    person, points = _welsh_person(tenant_a, measures=("wemwbs",))
    client = _open_link(tenant_a, person, points)
    page = client.get("/s/answer/").content.decode()
    licence = get_measure("wemwbs", "1").licence
    assert "Does dim modd dangos" in page
    holder_and_terms = (licence.holder, licence.terms_summary.rstrip("."))
    assert english_left(page, data=_data(tenant_a) + holder_and_terms) == []


def test_the_emailed_link_is_in_the_persons_language(tenant_a: Tenant) -> None:
    from django.core import mail

    person, points = _welsh_person(tenant_a)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=tenant_a.members["worker"].user,
        send_to="sam@example.org",
        url_for_token=lambda token: f"https://example.org/s/{token}/",
    )
    [sent] = mail.outbox
    assert sent.subject == f"Cwestiynau gan {tenant_a.organisation.name}"
    assert "Agorwch y ddolen hon" in sent.body and made.token in sent.body
