"""The caseload, risk alerts, and the worker's home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.collection.models import (
    MeasurementPlan,
    PlanRule,
    RiskAlert,
    TimePoint,
)
from openproms.people.models import Episode
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def _url(name: str, tenant: Tenant, **kwargs: object) -> str:
    return reverse(
        f"people:{name}", kwargs={"org_slug": tenant.organisation.slug, **kwargs}
    )


def _time_point(episode: Episode, *, due: dt.date, window_end: dt.date) -> TimePoint:
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=episode.organisation, service=episode.service, name="Plan"
    )
    rule = PlanRule.objects.create(
        plan=plan, measure_id="gad7", measure_version="1", kind=PlanRule.Kind.ONE_OFF
    )
    return TimePoint.objects.create(
        organisation=episode.organisation,
        episode=episode,
        rule=rule,
        sequence=1,
        label="Once",
        measure_id="gad7",
        measure_version="1",
        due_date=due,
        window_start=due,
        window_end=window_end,
    )


def test_the_caseload_lists_the_workers_people_with_due_counts_scores_and_alerts(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    today = timezone.localdate()
    zed = factories.on_caseload(tenant_a, "Z1", family_name="Zed")
    amy = factories.on_caseload(tenant_a, "A1", family_name="Amy")
    not_mine = factories.person(tenant_a, "N1", family_name="Nobody")
    factories.episode(tenant_a, not_mine, key_worker=tenant_a.members["manager"].user)
    factories.on_caseload(tenant_b, "B1", family_name="Beta")
    zed_episode = zed.episodes.get()
    _time_point(
        zed_episode,
        due=today - dt.timedelta(days=20),
        window_end=today - dt.timedelta(days=10),
    )
    _time_point(
        zed_episode,
        due=today - dt.timedelta(days=1),
        window_end=today + dt.timedelta(days=5),
    )
    _time_point(zed_episode, due=today, window_end=today + dt.timedelta(days=5))
    factories.phq9_answered(tenant_a, amy, item9=2)

    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("caseload", tenant_a))
    rows = page.context["rows"]
    assert [r["person"].reference for r in rows] == ["A1", "Z1"]
    by_ref = {r["person"].reference: r for r in rows}
    # As every count reads them (collection.states): the window that closed ten
    # days ago is missed, not overdue; due yesterday with the window open is
    # overdue; due today is due now.
    assert by_ref["Z1"]["overdue"] == 1 and by_ref["Z1"]["due"] == 1
    assert "1 overdue</strong>" in page.content.decode()
    assert "1 due now</strong>" in page.content.decode()
    assert by_ref["A1"]["alerts"] == 1
    assert by_ref["A1"]["scores"][0]["measure_id"] == "phq9"
    # What the worker reads (a random token in the markup may hold "B1").
    text = visible_text(page.content)
    assert "N1" not in text and "B1" not in text
    # Each empty cell says what it is empty of, never a bare "None": Amy has
    # nothing due, Zed no scores and no alerts.
    assert "Nothing due" in text and "No scores yet" in text and "No alerts" in text
    assert "None" not in text

    by_due = client.get(_url("caseload", tenant_a), {"sort": "due"}).context["rows"]
    assert [r["person"].reference for r in by_due] == ["Z1", "A1"]


def test_the_caseload_filters_by_service_and_refuses_another_organisations(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    factories.on_caseload(tenant_a, "A1")
    client = verified_client(tenant_a.members["worker"].user)
    own = client.get(_url("caseload", tenant_a), {"service": tenant_a.service.pk})
    assert len(own.context["rows"]) == 1
    assert (
        client.get(
            _url("caseload", tenant_a), {"service": tenant_b.service.pk}
        ).status_code
        == 404
    )
    assert client.get(_url("caseload", tenant_a), {"service": "x"}).status_code == 404


def test_a_worker_sees_their_own_open_alerts_and_acknowledges_one(
    tenant_a: Tenant,
) -> None:
    person = factories.on_caseload(tenant_a, "A1", given_name="Ada")
    factories.phq9_answered(tenant_a, person, item9=1)
    alert = RiskAlert.objects.get()
    worker = tenant_a.members["worker"].user
    assert alert.assigned_to == worker
    client = verified_client(worker)

    home = client.get(reverse("core:org_home", kwargs={"org_slug": "alpha"}))
    assert "Risk alerts for you" in home.content.decode()
    assert "1 person on your caseload" in home.content.decode()

    listing = client.get(_url("alert_list", tenant_a))
    assert list(listing.context["page"].object_list) == [alert]
    # What was answered, as the person saw it: never the item's id.
    said = "PHQ-9, question 9, answered “Several days” (1),"
    assert said in visible_text(listing.content)
    opened = client.get(_url("alert_acknowledge", tenant_a, alert_pk=alert.pk))
    assert said in visible_text(opened.content)
    assert "phq9_9" not in visible_text(listing.content + opened.content)

    refused = client.post(_url("alert_acknowledge", tenant_a, alert_pk=alert.pk), {})
    assert refused.status_code == 400
    assert "Enter what you have done" in refused.content.decode()

    response = client.post(
        _url("alert_acknowledge", tenant_a, alert_pk=alert.pk),
        {"note": "Phoned, safety plan agreed"},
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == worker
    assert alert.acknowledgement_note == "Phoned, safety plan agreed"
    home = client.get(reverse("core:org_home", kwargs={"org_slug": "alpha"}))
    assert "Risk alerts for you" not in home.content.decode()
    again = client.post(
        _url("alert_acknowledge", tenant_a, alert_pk=alert.pk), {"note": "Again"}
    )
    assert again.status_code == 409


def test_managers_see_every_open_alert_but_workers_only_their_own(
    tenant_a: Tenant,
) -> None:
    mine = factories.on_caseload(tenant_a, "A1")
    theirs = factories.person(tenant_a, "B1")
    factories.episode(tenant_a, theirs, key_worker=tenant_a.members["manager"].user)
    factories.phq9_answered(tenant_a, mine, item9=1)
    factories.phq9_answered(tenant_a, theirs, item9=1)
    other = RiskAlert.objects.get(service_user=theirs)

    manager = verified_client(tenant_a.members["manager"].user)
    assert (
        manager.get(_url("alert_list", tenant_a)).context["page"].paginator.count == 2
    )

    worker = verified_client(tenant_a.members["worker"].user)
    assert worker.get(_url("alert_list", tenant_a)).context["page"].paginator.count == 1
    url = _url("alert_acknowledge", tenant_a, alert_pk=other.pk)
    assert worker.get(url).status_code == 404
    assert worker.post(url, {"note": "x"}).status_code == 404


def test_another_organisations_alert_is_404_and_never_counted(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    person = factories.on_caseload(tenant_b, "B1")
    factories.phq9_answered(tenant_b, person, item9=1)
    alert = RiskAlert.objects.get()
    client = verified_client(tenant_a.members["org_admin"].user)
    url = _url("alert_acknowledge", tenant_a, alert_pk=alert.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"note": "x"}).status_code == 404
    assert client.get(_url("alert_list", tenant_a)).context["page"].paginator.count == 0
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
