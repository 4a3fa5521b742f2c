"""The erasure, restriction and retention pages as an organisation admin uses them:
a confirmation step that refuses a wrong reference or a reason naming the person
and changes nothing; admins only; plain words."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.governance.models import Erasure, RetentionSetting
from openproms.governance.retention import months_after
from openproms.people.models import Episode, ServiceUser
from openproms.scoring.library import default_library
from tests.conftest import Tenant, verified_client
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"governance:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _person(tenant: Tenant) -> ServiceUser:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference="AB-123",
        given_name="Morwenna",
        family_name="Tregarthen",
        nhs_number="9434765919",
        date_of_birth=dt.date(1980, 2, 14),
    )
    Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2025, 1, 6),
    )
    return person


def _plain(response: Any) -> str:
    text = visible_text(response.content)
    assert internal_ids_in(text, default_library()) == []
    return text


def test_only_an_organisation_admin_reaches_the_pages(tenant_a: Tenant) -> None:
    person = _person(tenant_a)
    urls = [
        _url("person_erase", person_pk=person.pk),
        _url("person_restrict", person_pk=person.pk),
        _url("erasure_list"),
        _url("retention"),
    ]
    admin = verified_client(tenant_a.members["org_admin"].user)
    manager = verified_client(tenant_a.members["manager"].user)
    for url in urls:
        assert admin.get(url).status_code == 200, url
        assert manager.get(url).status_code == 403, url
        assert manager.post(url, {"confirm_reference": "AB-123"}).status_code == 403
    assert ServiceUser.objects.filter(pk=person.pk).exists()
    person_page = admin.get(
        reverse("people:person_detail", args=["alpha", person.pk])
    ).content.decode()
    assert "Erase this person" in person_page and "Restrict their data" in person_page
    manager_page = manager.get(
        reverse("people:person_detail", args=["alpha", person.pk])
    ).content.decode()
    assert "Erase this person" not in manager_page


def test_erasing_needs_a_reason_and_the_persons_reference(tenant_a: Tenant) -> None:
    person = _person(tenant_a)
    admin = verified_client(tenant_a.members["org_admin"].user)
    url = _url("person_erase", person_pk=person.pk)
    page = admin.get(url)
    text = _plain(page)
    assert "Erasing cannot be undone" in text
    assert "1 episode of support" in text

    for data, message in (
        ({}, "Enter why you are erasing this person"),
        (
            {"reason": "They asked", "confirm_reference": "AB-124"},
            "The reference you typed is not this person&#x27;s reference",
        ),
        (
            {"reason": "Morwenna asked by phone", "confirm_reference": "AB-123"},
            "The reason must not name the person",
        ),
        (
            {"reason": "Letter about 943 476 5919", "confirm_reference": "AB-123"},
            "The reason must not name the person",
        ),
    ):
        response = admin.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert ServiceUser.objects.filter(pk=person.pk).exists()
        assert not Erasure.objects.exists()

    response = admin.post(
        url,
        {"reason": "They asked us by letter", "confirm_reference": "ab-123"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _url("erasure_list")
    text = _plain(response)
    erasure = Erasure.objects.get()
    assert "The person is erased" in text
    assert erasure.reason == "They asked us by letter"
    reference = "-".join(
        erasure.token.upper()[i : i + 4] for i in range(0, len(erasure.token), 4)
    )
    assert reference in text
    assert "On request: They asked us by letter" in text
    assert "are not rewritten" in text
    assert "Morwenna" not in text and "AB-123" not in text
    assert not ServiceUser.objects.filter(pk=person.pk).exists()
    assert AuditEvent.objects.filter(action="person.erase").count() == 1


def test_restricting_and_lifting_from_the_pages(tenant_a: Tenant) -> None:
    person = _person(tenant_a)
    admin = verified_client(tenant_a.members["org_admin"].user)
    url = _url("person_restrict", person_pk=person.pk)
    _plain(admin.get(url))
    empty = admin.post(url, {"reason": "  "})
    assert empty.status_code == 400
    assert "Enter why their data is restricted" in empty.content.decode()
    person.refresh_from_db()
    assert person.restricted_at is None

    response = admin.post(url, {"reason": "Checking their record"}, follow=True)
    text = _plain(response)
    assert "Their data is restricted" in text
    assert "no report or dashboard counts them" in text
    assert "Lift the restriction on their data" in text
    assert "Hand over the screen" not in text  # nothing new is collected
    lift = admin.get(url)
    assert "Lift the restriction" in _plain(lift)
    admin.post(url)
    person.refresh_from_db()
    assert person.restricted_at is None


def test_the_retention_page_shows_the_period_its_source_and_who_goes_next(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    Episode.objects.filter(service_user=person).update(
        end_date=months_after(timezone.localdate(), -96) + dt.timedelta(days=10),
        status=Episode.Status.CLOSED,
    )
    admin = verified_client(tenant_a.members["org_admin"].user)
    text = _plain(admin.get(_url("retention")))
    assert "96 months (8 years)" in text
    assert "Records Management Code of Practice" in text
    assert "Morwenna Tregarthen (AB-123)" in text

    bad = admin.post(_url("retention"), {"months": "eight"})
    assert bad.status_code == 400
    assert "Enter the number of months as a whole number" in bad.content.decode()
    assert not RetentionSetting.objects.exists()
    admin.post(_url("retention"), {"months": "120"})
    assert RetentionSetting.objects.get().months == 120
    text = _plain(admin.get(_url("retention")))
    assert "120 months (10 years)" in text
    assert "No one will be erased in the next 30 days" in text


def test_the_audit_page_names_a_person_by_kind_only_even_in_older_events(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    AuditEvent.objects.create(
        action="person.update",
        organisation=tenant_a.organisation,
        object_type="people.serviceuser",
        object_id=str(person.pk),
        object_repr="Morwenna Tregarthen (AB-123)",  # as events were once written
    )
    admin = verified_client(tenant_a.members["org_admin"].user)
    admin.post(
        _url("person_restrict", person_pk=person.pk), {"reason": "Morwenna asked"}
    )
    text = _plain(admin.get(reverse("audit:log", kwargs={"org_slug": "alpha"})))
    assert "Person's data restricted" in text
    assert "Person's details changed" in text
    assert "Morwenna" not in text and "AB-123" not in text
    restricted = AuditEvent.objects.get(action="person.restrict")
    assert (restricted.object_repr, restricted.detail) == ("", {})
