"""Due lists, missed time points and the collection rates page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.collection import scheduling
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.models import Contact, Episode, GroupSession, ServiceUser
from tests.conftest import Tenant, verified_client

TODAY = timezone.localdate()


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"collection:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _setup(tenant: Tenant, *rules: dict, pilot: bool = False) -> MeasurementPlan:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name="Core",
        is_pilot=pilot,
    )
    MeasurementPlan.objects.filter(pk=plan.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    for rule in rules or ({"kind": "start", "window_days": 14},):
        PlanRule.objects.create(
            plan=plan,
            measure_id="phq9",
            measure_version="1",
            created_at=timezone.now() - dt.timedelta(days=400),
            **rule,
        )
    return plan


def _person(
    tenant: Tenant,
    name: str,
    *,
    start: dt.date = TODAY,
    key_worker: str | None = "worker",
) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference=f"R-{name}",
        given_name=name,
        family_name="Tester",
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=start,
        key_worker=tenant.members[key_worker].user if key_worker else None,
    )
    scheduling.episode_schedule_refresh(episode=episode)
    return episode


def _names(response: object) -> list[str]:
    page = response.context["page"]  # type: ignore[attr-defined]
    return [p.episode.service_user.given_name for p in page.object_list]


@pytest.mark.django_db
def test_a_worker_sees_who_is_due_on_their_caseload_by_default(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    _setup(tenant_a)
    _person(tenant_a, "Mine")
    _person(tenant_a, "Someone", key_worker="manager")
    _setup(tenant_b)
    _person(tenant_b, "Elsewhere")
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(_url("due_list"))
    assert response.status_code == 200
    assert _names(response) == ["Mine"]
    page = response.content.decode()
    assert "Due now</strong>" in page
    assert (
        reverse(
            "collection:answer_time_point",
            kwargs={"org_slug": "alpha", "time_point_pk": TimePoint.objects.first().pk},
        )
        in page
        or "Answer now" not in page
    )
    # "Everyone" for a worker is still only their caseload.
    assert _names(client.get(_url("due_list"), {"worker": "all"})) == ["Mine"]


@pytest.mark.django_db
def test_a_manager_sees_everyone_by_default_and_can_choose_one_worker(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    _person(tenant_a, "Ann")
    _person(tenant_a, "Bob", key_worker="manager")
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(_url("due_list"))
    assert sorted(_names(response)) == ["Ann", "Bob"]
    assert '<option value="all" selected>Everyone</option>' in response.content.decode()
    assert _names(client.get(_url("due_list"), {"worker": "mine"})) == ["Bob"]
    worker = tenant_a.members["worker"].user
    assert _names(client.get(_url("due_list"), {"worker": worker.pk})) == ["Ann"]


@pytest.mark.parametrize("role", ["manager", "data_officer", "org_admin"])
@pytest.mark.django_db
def test_missed_measures_show_everyone_in_the_services_by_default(
    tenant_a: Tenant, role: str
) -> None:
    _setup(tenant_a)
    _person(tenant_a, "Ann", start=TODAY - dt.timedelta(days=30))
    _person(tenant_a, "Bob", start=TODAY - dt.timedelta(days=30), key_worker=None)
    client = verified_client(tenant_a.members[role].user)
    response = client.get(_url("missed_list"))
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Ann", "Bob"]
    assert "No missed measures to show" not in response.content.decode()


@pytest.mark.django_db
def test_a_data_officer_sees_everyone_due_by_default(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    _person(tenant_a, "Ann")
    _person(tenant_a, "Bob", key_worker="manager")
    client = verified_client(tenant_a.members["data_officer"].user)
    response = client.get(_url("due_list"))
    assert sorted(_names(response)) == ["Ann", "Bob"]


@pytest.mark.django_db
def test_each_role_is_offered_only_the_way_of_answering_it_may_open(
    tenant_a: Tenant,
) -> None:
    # Before: "Answer now" went to a page a data officer may not open (403).
    _setup(tenant_a)
    _person(tenant_a, "Ann")
    for role, offered, refused in (
        ("data_officer", "Type in the paper form", "Answer now"),
        ("worker", "Answer now", "Type in the paper form"),
    ):
        client = verified_client(tenant_a.members[role].user)
        if role == "worker":
            response = client.get(_url("due_list"), {"worker": "all"})
        else:
            response = client.get(_url("due_list"))
        page = response.content.decode()
        assert offered in page and refused not in page
        hrefs = re.findall(
            r'href="([^"]*(?:answer/time-points|answer/paper)[^"]*)"', page
        )
        assert hrefs
        for href in hrefs:
            assert client.get(href).status_code == 200, (role, href)


@pytest.mark.django_db
def test_a_worker_still_sees_the_people_they_are_key_worker_for_by_default(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    _person(tenant_a, "Mine", start=TODAY - dt.timedelta(days=30))
    _person(
        tenant_a, "Other", start=TODAY - dt.timedelta(days=30), key_worker="manager"
    )
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(_url("missed_list"))
    assert _names(response) == ["Mine"]
    page = response.content.decode()
    assert '<option value="mine" selected>People I am key worker for</option>' in page


@pytest.mark.django_db
def test_only_people_who_can_hold_a_caseload_are_offered_as_key_workers(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["data_officer"].user)
    response = client.get(_url("due_list"))
    offered = dict(response.context["form"].fields["worker"].choices)
    names = {m: tenant_a.members[m].user for m in tenant_a.members}
    assert str(names["worker"].pk) in offered
    assert str(names["manager"].pk) in offered
    for role in ("data_officer", "viewer", "org_admin"):
        assert str(names[role].pk) not in offered, role
    # A data officer holds no caseload, so "People I am key worker for" is not offered.
    assert "mine" not in offered
    refused = client.get(_url("due_list"), {"worker": names["viewer"].pk})
    assert refused.status_code == 400
    assert "Choose a key worker from the list" in refused.content.decode()


@pytest.mark.django_db
def test_the_due_list_shows_status_tags_and_leaves_out_what_is_not_due_yet(
    tenant_a: Tenant,
) -> None:
    _setup(
        tenant_a,
        {"kind": "start", "window_days": 14},
        {"kind": "every_n_weeks", "weeks": 6, "window_days": 7},
    )
    _person(tenant_a, "Overdue", start=TODAY - dt.timedelta(days=3))
    _person(
        tenant_a, "Soon", start=TODAY - dt.timedelta(weeks=6) + dt.timedelta(days=10)
    )
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(_url("due_list"))
    rows = {
        (p.episode.service_user.given_name, p.label): p.state_tag
        for p in response.context["page"].object_list
    }
    assert rows[("Overdue", "Start")] == "overdue"
    assert rows[("Soon", "Week 6")] == "due_soon"
    assert ("Overdue", "Week 6") not in rows  # its window opens in over a week


@pytest.mark.django_db
def test_pilot_time_points_are_marked_pilot(tenant_a: Tenant) -> None:
    _setup(tenant_a, pilot=True)
    _person(tenant_a, "Pat")
    client = verified_client(tenant_a.members["worker"].user)
    assert ">Pilot<" in client.get(_url("due_list")).content.decode()


@pytest.mark.django_db
def test_the_day_filter_shows_people_in_tomorrows_group_who_are_due(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    tomorrow = TODAY + dt.timedelta(days=1)
    regular = _person(tenant_a, "Regular")
    booked = _person(tenant_a, "Booked")
    _person(tenant_a, "Absent")
    last_week = GroupSession.objects.create(
        organisation=tenant_a.organisation,
        service=tenant_a.service,
        date=TODAY - dt.timedelta(days=6),
        title="Tuesday group",
    )
    GroupSession.objects.create(
        organisation=tenant_a.organisation,
        service=tenant_a.service,
        date=tomorrow,
        title="Tuesday group",
    )
    Contact.objects.create(
        organisation=tenant_a.organisation,
        episode=regular,
        date=last_week.date,
        group_session=last_week,
    )
    Contact.objects.create(
        organisation=tenant_a.organisation, episode=booked, date=tomorrow
    )
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(_url("due_list"), {"day": tomorrow.isoformat()})
    assert response.status_code == 200
    assert sorted(_names(response)) == ["Booked", "Regular"]


@pytest.mark.django_db
def test_a_bad_day_is_refused_naming_the_field(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(_url("due_list"), {"day": "31/02/2026"})
    assert response.status_code == 400
    assert "Enter the day as a real date" in response.content.decode()


@pytest.mark.django_db
def test_paused_episodes_are_not_listed_as_due(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    episode = _person(tenant_a, "Paused")
    Episode.objects.filter(pk=episode.pk).update(status=Episode.Status.PAUSED)
    client = verified_client(tenant_a.members["worker"].user)
    assert _names(client.get(_url("due_list"))) == []


@pytest.mark.django_db
def test_rendering_the_due_list_closes_windows_that_have_passed(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    episode = _person(tenant_a, "Late", start=TODAY - dt.timedelta(days=30))
    point = TimePoint.objects.get(episode=episode)
    assert point.status == "pending"
    client = verified_client(tenant_a.members["worker"].user)
    assert _names(client.get(_url("due_list"))) == []
    point.refresh_from_db()
    assert point.status == "missed"


@pytest.mark.django_db
def test_a_worker_records_why_a_time_point_was_missed(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    episode = _person(tenant_a, "Late", start=TODAY - dt.timedelta(days=30))
    client = verified_client(tenant_a.members["worker"].user)
    listing = client.get(_url("missed_list"))
    assert [p.episode_id for p in listing.context["page"].object_list] == [episode.pk]
    point = TimePoint.objects.get(episode=episode)
    url = _url("missed_record", time_point_pk=point.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "too_unwell", "note": ""})
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.missed_reason == "too_unwell"
    assert point.missed_recorded_by == tenant_a.members["worker"].user
    assert AuditEvent.objects.filter(action="time_point.record_missed").exists()
    # Recorded ones leave the default list, but show under "all".
    assert not client.get(_url("missed_list")).context["page"].object_list
    assert client.get(_url("missed_list"), {"show": "all"}).context["page"].object_list


@pytest.mark.django_db
def test_a_worker_marks_a_due_time_point_declined_now(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    episode = _person(tenant_a, "Now")
    point = TimePoint.objects.get(episode=episode)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("missed_record", time_point_pk=point.pk), {"reason": "declined"}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.status, point.missed_reason) == ("missed", "declined")


@pytest.mark.django_db
def test_other_needs_a_note_and_nothing_is_stored_without_one(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    point = TimePoint.objects.get(episode=_person(tenant_a, "Note"))
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("missed_record", time_point_pk=point.pk), {"reason": "other"}
    )
    assert response.status_code == 400
    assert "Say why it was missed" in response.content.decode()
    point.refresh_from_db()
    assert point.status == "pending" and point.missed_reason == ""
    response = client.post(_url("missed_record", time_point_pk=point.pk), {})
    assert response.status_code == 400
    assert "Choose why it was missed" in response.content.decode()


@pytest.mark.django_db
def test_a_completed_time_point_cannot_be_marked_missed(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    point = TimePoint.objects.get(episode=_person(tenant_a, "Done"))
    TimePoint.objects.filter(pk=point.pk).update(status="completed")
    client = verified_client(tenant_a.members["worker"].user)
    url = _url("missed_record", time_point_pk=point.pk)
    assert client.post(url, {"reason": "declined"}).status_code == 409
    point.refresh_from_db()
    assert point.status == "completed"


@pytest.mark.django_db
def test_a_time_point_off_the_workers_caseload_is_not_found(
    tenant_a: Tenant,
) -> None:
    _setup(tenant_a)
    point = TimePoint.objects.get(
        episode=_person(tenant_a, "Other", key_worker="manager")
    )
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get(_url("missed_record", time_point_pk=point.pk)).status_code == 404


@pytest.mark.django_db
def test_the_rates_page_shows_rates_per_service_and_worker(tenant_a: Tenant) -> None:
    _setup(tenant_a)
    done = _person(tenant_a, "Done", start=TODAY - dt.timedelta(days=5))
    _person(tenant_a, "Missed", start=TODAY - dt.timedelta(days=60))
    TimePoint.objects.filter(episode=done).update(status="completed")
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(_url("collection_rates"))
    assert response.status_code == 200
    overall = response.context["overall"]
    assert (overall["counts"].counted, overall["counts"].answered) == (2, 1)
    assert overall["counts"].missed == 1
    assert overall["baseline"] == "50%"
    page = response.content.decode()
    assert tenant_a.service.name in page
    assert tenant_a.members["worker"].user.display_name in page
    bad = client.get(
        _url("collection_rates"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400
    assert "The end date must be on or after the start date" in bad.content.decode()


def _acceptability(
    tenant: Tenant, measure_id: str, ratings: list[int], *, days_ago: int = 1
) -> None:
    import uuid

    from openproms.collection.models import AcceptabilityResponse, Administration

    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=f"A-{uuid.uuid4().hex[:6]}"
    )
    for rating in ratings:
        administration = Administration.objects.create(
            organisation=tenant.organisation,
            service_user=person,
            measure_id=measure_id,
            measure_version="1",
            answers={},
            mode=Administration.Mode.KIOSK,
            submission_id=str(uuid.uuid4()),
            payload_hash="x",
            scored_with=f"{measure_id}@1",
        )
        AcceptabilityResponse.objects.create(
            organisation=tenant.organisation,
            service=tenant.service,
            administration=administration,
            mode=Administration.Mode.KIOSK,
            rating=rating,
            comment="private words",
            created_at=timezone.now() - dt.timedelta(days=days_ago),
        )


@pytest.mark.django_db
def test_the_rates_page_summarises_how_people_found_answering(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    # Before: acceptability answers were stored and shown nowhere.
    _acceptability(tenant_a, "phq9", [5, 5, 4, 4, 4, 3, 3, 2, 1, 5, 4, 4])
    _acceptability(tenant_a, "gad7", [1, 5, 4])
    _acceptability(tenant_a, "gad7", [1, 1], days_ago=200)  # before the period
    _acceptability(tenant_b, "phq9", [1] * 20)  # another organisation
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(_url("collection_rates"))
    rows = {(a["service"], a["measure"]): a for a in response.context["acceptability"]}
    service = tenant_a.service.name
    assert list(rows) == [
        (service, "PHQ-9"),
        (service, "GAD-7"),
        (service, "All measures"),
    ]
    together = rows[(service, "All measures")]
    assert (together["row"].easy, together["row"].neither) == (10, 2)
    assert (together["row"].difficult, together["row"].answers) == (3, 15)
    assert together["mean"] == "3.6" and together["caution"] == ""  # 54 / 15
    phq9 = rows[(service, "PHQ-9")]
    assert (phq9["row"].easy, phq9["row"].neither, phq9["row"].difficult) == (8, 2, 2)
    assert phq9["row"].answers == 12
    assert (phq9["easy"], phq9["difficult"], phq9["mean"]) == ("67%", "17%", "3.7")
    assert phq9["caution"] == ""
    gad7 = rows[(service, "GAD-7")]
    assert (gad7["row"].easy, gad7["row"].neither, gad7["row"].difficult) == (2, 0, 1)
    # Fewer than 10 answers: counts with a caution, no average or percentages.
    assert (gad7["easy"], gad7["mean"]) == ("", "")
    assert gad7["caution"] == "fewer than 10 answers: treat with caution"
    page = response.content.decode()
    assert "How people found answering" in page
    assert "Caution:</strong> fewer than 10 answers: treat with caution" in page
    assert "private words" not in page
    assert "phq9" not in page and "gad7" not in page


def test_the_acceptability_caution_is_the_dashboards() -> None:
    from openproms.collection import plan_views
    from openproms.reports import dashboard_views

    assert plan_views.SMALL_N == dashboard_views.SMALL_N
