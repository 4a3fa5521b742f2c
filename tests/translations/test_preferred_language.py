"""The person's preferred language: recorded on the person form, shown on their
page, audited as a change, and a bad value refused with a message."""

from __future__ import annotations

import pytest

from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from tests.conftest import Tenant, verified_client
from tests.people.test_person_pages import _person_post, _url
from tests.translations.person_pages import english_left

pytestmark = pytest.mark.django_db


def test_a_manager_records_that_a_person_reads_welsh(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    form = client.get(_url("person_create", tenant_a)).content.decode()
    assert "Which language do they want their questions in?" in form
    assert "Welsh (Cymraeg)" in form
    client.post(_url("person_create", tenant_a), _person_post(preferred_language="cy"))
    person = ServiceUser.objects.get(reference="C-101")
    assert person.preferred_language == "cy"
    page = client.get(
        _url("person_detail", tenant_a, person_pk=person.pk)
    ).content.decode()
    assert "Language for questions" in page and "Welsh (Cymraeg)" in page


def test_changing_the_language_is_saved_and_audited(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    client.post(_url("person_create", tenant_a), _person_post())
    person = ServiceUser.objects.get(reference="C-101")
    assert person.preferred_language == "en"
    client.post(
        _url("person_edit", tenant_a, person_pk=person.pk),
        _person_post(preferred_language="cy", version="1"),
    )
    person.refresh_from_db()
    assert person.preferred_language == "cy"
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.detail["fields"] == ["preferred_language"]


def test_an_unknown_language_is_refused_and_nothing_is_saved(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("person_create", tenant_a), _person_post(preferred_language="xx")
    )
    assert response.status_code == 400
    assert "Choose the language they want their questions in" in (
        response.content.decode()
    )
    assert not ServiceUser.objects.exists()


def test_staff_pages_stay_in_english_whatever_the_browser_asks(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(
        _url("person_create", tenant_a), HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    assert '<html lang="en-gb">' in page and "Skip to main content" in page
    assert english_left(page)  # the check does see English when it is there
