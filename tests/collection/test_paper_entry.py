"""Fast entry of paper forms, with optional double entry by two people."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.collection.models import (
    Administration,
    CollectionSettings,
    PaperEntry,
    TimePoint,
)
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import ANSWERS, due_person

pytestmark = pytest.mark.django_db


def _typed(answers: dict, day: dt.date | None = None, sid: str | None = None) -> dict:
    data = {f"i_{k}": "-" if v is None else str(v) for k, v in answers.items()}
    data["submission_id"] = sid or str(uuid.uuid4())
    data["completed_on"] = (day or timezone.localdate()).isoformat()
    return data


def _url(point: TimePoint) -> str:
    return reverse(
        "collection:paper_entry_time_point",
        kwargs={"org_slug": "alpha", "time_point_pk": point.pk},
    )


def test_the_person_picker_finds_people_by_reference_name_or_nhs_number(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    person, _, [point] = due_person(tenant_a, reference="REF-77")
    person.nhs_number = "9434765919"
    person.save()
    due_person(tenant_b, reference="REF-78")
    client = verified_client(tenant_a.members["data_officer"].user)
    for query in ["REF-77", "Person", "9434765919"]:
        page = client.get("/o/alpha/answer/paper/", {"q": query}).content.decode()
        assert _url(point) in page, query
    assert (
        "REF-78"
        not in client.get("/o/alpha/answer/paper/", {"q": "REF"}).content.decode()
    )


def test_a_typed_form_is_saved_with_its_date_and_blanks(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    officer = tenant_a.members["data_officer"].user
    client = verified_client(officer)
    page = client.get(_url(point)).content.decode()
    assert "data-paper-item" in page and timezone.localdate().isoformat() in page
    day = timezone.localdate() - dt.timedelta(days=3)
    response = client.post(_url(point), _typed(ANSWERS | {"phq9_4": None}, day))
    administration = Administration.objects.get()
    assert response["Location"] == f"/o/alpha/answer/paper/?saved={administration.pk}"
    assert (
        administration.mode == "paper_entry" and administration.collected_by == officer
    )
    assert timezone.localdate(administration.completed_at) == day
    assert administration.answers["phq9_4"] is None


def test_an_untyped_or_impossible_item_is_refused(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["data_officer"].user)
    data = _typed(ANSWERS | {"phq9_2": 5})
    data["i_phq9_6"] = ""
    response = client.post(_url(point), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        "Question 2: 5 is not one of the answers: choose a whole number from 0 to 3"
        in page
    )
    assert "Question 6: type the number" in page
    future = _typed(ANSWERS, timezone.localdate() + dt.timedelta(days=1))
    assert client.post(_url(point), future).status_code == 400
    assert not Administration.objects.exists()


def test_a_form_typed_as_all_blank_is_refused(tenant_a: Tenant) -> None:
    """Every question typed as "-": nothing is saved, the time point stays due,
    and the data officer is told how to record an empty form."""
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["data_officer"].user)
    response = client.post(_url(point), _typed(dict.fromkeys(ANSWERS)))
    assert response.status_code == 400
    assert "Every question is marked as left blank: nothing is saved" in (
        response.content.decode()
    )
    assert not Administration.objects.exists()
    point.refresh_from_db()
    assert point.status == TimePoint.Status.PENDING


def test_double_entry_saves_when_two_people_type_the_same(tenant_a: Tenant) -> None:
    CollectionSettings.objects.create(service=tenant_a.service, double_entry=True)
    _, _, [point] = due_person(tenant_a)
    first = verified_client(tenant_a.members["data_officer"].user)
    first.post(_url(point), _typed(ANSWERS))
    entry = PaperEntry.objects.get()
    assert entry.status == "awaiting_second" and not Administration.objects.exists()
    same = first.post(_url(point), _typed(ANSWERS))
    assert same.status_code == 409
    assert "A different person must type it" in same.content.decode()
    second = verified_client(tenant_a.members["manager"].user)
    assert second.post(_url(point), _typed(ANSWERS)).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "saved" and entry.administration is not None
    assert Administration.objects.get().mode == "paper_entry"


def test_double_entry_differences_are_resolved_item_by_item(tenant_a: Tenant) -> None:
    CollectionSettings.objects.create(service=tenant_a.service, double_entry=True)
    _, _, [point] = due_person(tenant_a)
    verified_client(tenant_a.members["data_officer"].user).post(
        _url(point), _typed(ANSWERS)
    )
    second = verified_client(tenant_a.members["manager"].user)
    response = second.post(_url(point), _typed(ANSWERS | {"phq9_1": 3, "phq9_7": None}))
    entry = PaperEntry.objects.get()
    assert entry.status == "conflict"
    assert response["Location"].endswith(f"/paper/entries/{entry.pk}/resolve/")
    page = second.get(response["Location"]).content.decode()
    assert "Question 1" in page and "Question 7" in page and "Question 2" not in page
    assert "Left blank" in page
    assert (
        second.post(response["Location"], {"pick_phq9_1": "second"}).status_code == 400
    )
    resolved = second.post(
        response["Location"], {"pick_phq9_1": "second", "pick_phq9_7": "first"}
    )
    assert resolved.status_code == 302
    administration = Administration.objects.get()
    assert (
        administration.answers["phq9_1"] == 3 and administration.answers["phq9_7"] == 1
    )
    entry.refresh_from_db()
    assert entry.status == "saved"


def test_paper_entry_is_for_data_officers_not_workers(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    assert (
        verified_client(tenant_a.members["worker"].user).get(_url(point)).status_code
        == 403
    )
