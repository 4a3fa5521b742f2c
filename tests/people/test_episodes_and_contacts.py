"""Episodes (open, pause, resume, close), contacts and group registers."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Service
from openproms.audit.models import AuditEvent
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.models import Contact, Episode, EpisodePause, GroupSession
from tests.conftest import Tenant, verified_client
from tests.people import factories

pytestmark = pytest.mark.django_db

REFRESH = "openproms.collection.scheduling.episode_schedule_refresh"


def _url(name: str, tenant: Tenant, **kwargs: object) -> str:
    return reverse(
        f"people:{name}", kwargs={"org_slug": tenant.organisation.slug, **kwargs}
    )


def _date(prefix: str, date: dt.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(date.day),
        f"{prefix}_month": str(date.month),
        f"{prefix}_year": str(date.year),
    }


def test_opening_an_episode_sets_the_key_worker_audits_and_schedules(
    tenant_a: Tenant,
) -> None:
    person = factories.person(tenant_a)
    plan = MeasurementPlan.objects.create(
        organisation=tenant_a.organisation, service=tenant_a.service, name="Plan"
    )
    PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind=PlanRule.Kind.START
    )
    worker = tenant_a.members["worker"].user
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("episode_open", tenant_a, person_pk=person.pk),
        {
            "service": tenant_a.service.pk,
            "key_worker": worker.pk,
            **_date("start", timezone.localdate()),
        },
    )
    assert response.status_code == 302
    episode = Episode.objects.get()
    assert episode.key_worker == worker
    assert episode.start_date == timezone.localdate()
    assert AuditEvent.objects.filter(action="episode.open").exists()
    assert TimePoint.objects.filter(episode=episode, measure_id="phq9").exists()


def test_another_organisations_service_or_worker_cannot_be_chosen(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    person = factories.person(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("episode_open", tenant_a, person_pk=person.pk),
        {
            "service": tenant_b.service.pk,
            "key_worker": tenant_b.members["worker"].user.pk,
            **_date("start", dt.date(2025, 3, 3)),
        },
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of your organisation&#x27;s services" in text
    assert "Choose a worker or manager of your organisation" in text
    assert not Episode.objects.exists()


def test_a_viewer_cannot_be_a_key_worker(tenant_a: Tenant) -> None:
    person = factories.person(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("episode_open", tenant_a, person_pk=person.pk),
        {
            "service": tenant_a.service.pk,
            "key_worker": tenant_a.members["viewer"].user.pk,
            **_date("start", dt.date(2025, 3, 3)),
        },
    )
    assert response.status_code == 400
    assert not Episode.objects.exists()


def test_pause_resume_and_close_change_the_episode_and_refresh_the_schedule(
    tenant_a: Tenant,
) -> None:
    person = factories.on_caseload(tenant_a)
    episode = person.episodes.get()
    client = verified_client(tenant_a.members["worker"].user)
    with mock.patch(REFRESH) as refresh:
        paused = client.post(
            _url("episode_pause", tenant_a, episode_pk=episode.pk),
            {
                "version": "1",
                "reason": "In hospital",
                **_date("on", dt.date(2025, 2, 1)),
            },
        )
        assert paused.status_code == 302
        episode.refresh_from_db()
        assert episode.status == Episode.Status.PAUSED and episode.version == 2
        pause = EpisodePause.objects.get()
        assert pause.reason == "In hospital" and pause.end_date is None

        resumed = client.post(
            _url("episode_resume", tenant_a, episode_pk=episode.pk),
            {"version": "2", **_date("on", dt.date(2025, 2, 20))},
        )
        assert resumed.status_code == 302
        pause.refresh_from_db()
        assert pause.end_date == dt.date(2025, 2, 20)

        closed = client.post(
            _url("episode_close", tenant_a, episode_pk=episode.pk),
            {
                "version": "3",
                "close_reason": "completed",
                **_date("on", dt.date(2025, 4, 1)),
            },
        )
        assert closed.status_code == 302
    episode.refresh_from_db()
    assert episode.status == Episode.Status.CLOSED
    assert episode.end_date == dt.date(2025, 4, 1)
    assert episode.close_reason == "completed"
    assert refresh.call_count == 3
    assert {e.action for e in AuditEvent.objects.all()} >= {
        "episode.pause",
        "episode.resume",
        "episode.close",
    }


def test_an_episode_cannot_end_before_it_started(tenant_a: Tenant) -> None:
    person = factories.on_caseload(tenant_a)
    episode = person.episodes.get()
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("episode_close", tenant_a, episode_pk=episode.pk),
        {
            "version": "1",
            "close_reason": "completed",
            **_date("on", episode.start_date - dt.timedelta(days=1)),
        },
    )
    assert response.status_code == 400
    assert "End date cannot be before the episode started" in response.content.decode()
    episode.refresh_from_db()
    assert episode.status == Episode.Status.ACTIVE and episode.end_date is None


def test_a_stale_episode_change_is_refused_with_409(tenant_a: Tenant) -> None:
    person = factories.on_caseload(tenant_a)
    episode = person.episodes.get()
    Episode.objects.filter(pk=episode.pk).update(version=5)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("episode_pause", tenant_a, episode_pk=episode.pk),
        {"version": "4", "reason": "Away", **_date("on", dt.date(2025, 2, 1))},
    )
    assert response.status_code == 409
    assert "Someone else changed this episode" in response.content.decode()
    assert not EpisodePause.objects.exists()


def test_pausing_a_closed_episode_is_refused(tenant_a: Tenant) -> None:
    person = factories.person(tenant_a)
    episode = factories.episode(
        tenant_a,
        person,
        key_worker=tenant_a.members["worker"].user,
        status=Episode.Status.CLOSED,
    )
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("episode_pause", tenant_a, episode_pk=episode.pk),
        {"version": "1", "reason": "Away", **_date("on", dt.date(2025, 2, 1))},
    )
    assert response.status_code == 409
    assert not EpisodePause.objects.exists()


def test_a_contact_is_recorded_and_refreshes_the_schedule(tenant_a: Tenant) -> None:
    person = factories.on_caseload(tenant_a)
    episode = person.episodes.get()
    worker = tenant_a.members["worker"].user
    client = verified_client(worker)
    with mock.patch(REFRESH) as refresh:
        response = client.post(
            _url("contact_create", tenant_a, episode_pk=episode.pk),
            {
                "attended": "no",
                "seen_by": worker.pk,
                **_date("on", dt.date(2025, 2, 3)),
            },
        )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.attended is False and contact.seen_by == worker
    refresh.assert_called_once()
    assert AuditEvent.objects.filter(action="contact.create").exists()


def test_a_contact_before_the_episode_started_is_refused(tenant_a: Tenant) -> None:
    person = factories.on_caseload(tenant_a)
    episode = person.episodes.get()
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url("contact_create", tenant_a, episode_pk=episode.pk),
        {
            "attended": "yes",
            "seen_by": tenant_a.members["worker"].user.pk,
            **_date("on", dt.date(2024, 1, 1)),
        },
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_episodes_of_another_organisation_or_outside_the_caseload_are_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    theirs = factories.on_caseload(tenant_b).episodes.get()
    colleague = factories.person(tenant_a, "OTHER")
    not_mine = factories.episode(
        tenant_a, colleague, key_worker=tenant_a.members["manager"].user
    )
    client = verified_client(tenant_a.members["worker"].user)
    for name in ("episode_pause", "episode_resume", "episode_close", "contact_create"):
        for episode in (theirs, not_mine):
            assert (
                client.get(_url(name, tenant_a, episode_pk=episode.pk)).status_code
                == 404
            )
            assert (
                client.post(
                    _url(name, tenant_a, episode_pk=episode.pk), {"version": "1"}
                ).status_code
                == 404
            )


def _register_url(tenant: Tenant, service: Service) -> str:
    return _url("group_session_create", tenant) + f"?service={service.pk}"


def test_a_group_register_records_a_contact_for_each_person_ticked(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    ann = factories.on_caseload(tenant_a, "ANN").episodes.get()
    bob = factories.on_caseload(tenant_a, "BOB").episodes.get()
    cat = factories.on_caseload(tenant_a, "CAT").episodes.get()
    client = verified_client(worker)
    with mock.patch(REFRESH) as refresh:
        response = client.post(
            _register_url(tenant_a, tenant_a.service),
            {
                "title": "Walking group",
                "attended": [ann.pk, bob.pk],
                "did_not_attend": [cat.pk],
                **_date("on", dt.date(2025, 3, 4)),
            },
        )
    assert response.status_code == 302
    session = GroupSession.objects.get()
    assert session.facilitator == worker
    contacts = {c.episode_id: c.attended for c in Contact.objects.all()}
    assert contacts == {ann.pk: True, bob.pk: True, cat.pk: False}
    assert refresh.call_count == 3

    # Editing the register later changes the contacts to match.
    response = client.post(
        _url("group_session_edit", tenant_a, group_session_pk=session.pk),
        {
            "title": "Walking group",
            "attended": [ann.pk, cat.pk],
            **_date("on", dt.date(2025, 3, 5)),
        },
    )
    assert response.status_code == 302
    contacts = {c.episode_id: (c.attended, c.date) for c in Contact.objects.all()}
    assert contacts == {
        ann.pk: (True, dt.date(2025, 3, 5)),
        cat.pk: (True, dt.date(2025, 3, 5)),
    }
    assert AuditEvent.objects.filter(action="group_session.update").exists()


def test_the_register_form_lists_only_people_in_that_service(
    tenant_a: Tenant,
) -> None:
    other_service = Service.objects.create(
        organisation=tenant_a.organisation, name="Second service"
    )
    here = factories.on_caseload(tenant_a, "HERE").episodes.get()
    elsewhere = factories.person(tenant_a, "ELSEWHERE")
    away = factories.episode(
        tenant_a,
        elsewhere,
        key_worker=tenant_a.members["worker"].user,
        service=other_service,
    )
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_register_url(tenant_a, tenant_a.service))
    assert page.status_code == 200
    assert "HERE" in page.content.decode() and "ELSEWHERE" not in page.content.decode()
    response = client.post(
        _register_url(tenant_a, tenant_a.service),
        {
            "title": "Group",
            "attended": [here.pk, away.pk],
            **_date("on", dt.date(2025, 3, 4)),
        },
    )
    assert response.status_code == 400
    assert not GroupSession.objects.exists()


def test_ticking_someone_as_both_attended_and_not_is_refused(tenant_a: Tenant) -> None:
    ann = factories.on_caseload(tenant_a, "ANN").episodes.get()
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _register_url(tenant_a, tenant_a.service),
        {
            "title": "Group",
            "attended": [ann.pk],
            "did_not_attend": [ann.pk],
            **_date("on", dt.date(2025, 3, 4)),
        },
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert not Contact.objects.exists()


def test_another_organisations_service_or_session_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    session = GroupSession.objects.create(
        organisation=tenant_b.organisation,
        service=tenant_b.service,
        date=dt.date(2025, 3, 4),
        title="Theirs",
    )
    client = verified_client(tenant_a.members["manager"].user)
    assert client.get(_register_url(tenant_a, tenant_b.service)).status_code == 404
    assert client.post(_register_url(tenant_a, tenant_b.service), {}).status_code == 404
    edit = _url("group_session_edit", tenant_a, group_session_pk=session.pk)
    assert client.get(edit).status_code == 404
    listing = client.get(_url("group_session_list", tenant_a))
    assert "Theirs" not in listing.content.decode()
