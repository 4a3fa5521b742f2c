"""Plan pages: making a plan, adding rules, refusing impossible ones, switching off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.catalogue.models import OrganisationMeasure
from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant, verified_client


def _uses(tenant: Tenant, *measures: str) -> None:
    for measure in measures:
        OrganisationMeasure.objects.create(
            organisation=tenant.organisation, measure_id=measure, measure_version="1"
        )


def _plan(tenant: Tenant, **kwargs: object) -> MeasurementPlan:
    return MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name=kwargs.pop("name", "Core"),
        **kwargs,
    )


def _open_episode(tenant: Tenant) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference="P-1", given_name="Sam"
    )
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=timezone.localdate(),
        key_worker=tenant.members["worker"].user,
    )


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"collection:{name}", kwargs={"org_slug": "alpha", **kwargs})


@pytest.mark.django_db
def test_a_manager_makes_a_plan_for_a_service(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("plan_create", service_pk=tenant_a.service.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Counselling outcomes", "is_pilot": "on"})
    plan = MeasurementPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("plan_detail", plan_pk=plan.pk)
    assert plan.is_pilot and plan.service == tenant_a.service
    assert AuditEvent.objects.filter(action="plan.create").exists()
    page = client.get(_url("plan_list")).content.decode()
    assert "Counselling outcomes" in page and "Pilot" in page


@pytest.mark.django_db
def test_a_plan_needs_a_name_and_nothing_is_stored_without_one(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("plan_create", service_pk=tenant_a.service.pk), {"name": "  "}
    )
    assert response.status_code == 400
    assert "Enter a name for the plan" in response.content.decode()
    assert not MeasurementPlan.objects.exists()


@pytest.mark.django_db
def test_adding_a_rule_makes_time_points_for_open_episodes(tenant_a: Tenant) -> None:
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    episode = _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("rule_add", plan_pk=plan.pk),
        {"measure": "phq9@1", "kind": "start", "window_days": "7"},
    )
    assert response.status_code == 302
    rule = PlanRule.objects.get()
    assert (rule.measure_id, rule.kind, rule.weeks) == ("phq9", "start", None)
    point = TimePoint.objects.get(episode=episode)
    assert point.label == "Start" and point.status == "pending"
    assert AuditEvent.objects.filter(action="plan.rule_add").exists()


@pytest.mark.django_db
def test_settings_a_kind_does_not_use_are_not_kept(tenant_a: Tenant) -> None:
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    client.post(
        _url("rule_add", plan_pk=plan.pk),
        {
            "measure": "phq9@1",
            "kind": "every_nth_session",
            "weeks": "6",
            "sessions": "4",
            "window_days": "3",
        },
    )
    rule = PlanRule.objects.get()
    assert (rule.weeks, rule.sessions) == (None, 4)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"kind": "every_n_weeks", "weeks": "2", "window_days": "7"},
            "window_days",
            "allows at most 6 days",
        ),
        (
            {"kind": "every_n_weeks", "window_days": "3"},
            "weeks",
            "Enter the number of weeks",
        ),
        (
            {"kind": "every_n_weeks", "weeks": "0", "window_days": "3"},
            "weeks",
            "Enter a number of weeks of 1 or more",
        ),
        (
            {"kind": "every_nth_session", "sessions": "0", "window_days": "3"},
            "sessions",
            "Enter a number of sessions of 1 or more",
        ),
        (
            {"kind": "every_nth_session", "window_days": "3"},
            "sessions",
            "Enter the number of sessions",
        ),
        ({"kind": "one_off", "window_days": "3"}, "on_date", "Enter the date"),
        (
            {"kind": "one_off", "on_date": "2020-01-01", "window_days": "3"},
            "on_date",
            "The date must be today or later",
        ),
        (
            {"kind": "start", "window_days": "-1"},
            "window_days",
            "Enter a window of 0 days or more",
        ),
        (
            {"kind": "sometimes", "window_days": "7"},
            "kind",
            "Choose when the measure is due",
        ),
        (
            {"measure": "eq5d5l@1", "kind": "start", "window_days": "7"},
            "measure",
            "Choose one of the measures your organisation uses",
        ),
    ],
)
@pytest.mark.django_db
def test_impossible_rules_are_refused_naming_the_field(
    tenant_a: Tenant, data: dict[str, str], field: str, message: str
) -> None:
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("rule_add", plan_pk=plan.pk), {"measure": "phq9@1", **data}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert f'href="#id_{field}' in response.content.decode()  # the error summary links
    assert not PlanRule.objects.exists()
    assert not TimePoint.objects.exists()


@pytest.mark.django_db
def test_without_chosen_measures_the_page_explains_and_links_to_measures(
    tenant_a: Tenant,
) -> None:
    plan = _plan(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(_url("rule_add", plan_pk=plan.pk)).content.decode()
    assert "has not chosen any measures yet" in page
    assert reverse("catalogue:measure_list", kwargs={"org_slug": "alpha"}) in page


@pytest.mark.django_db
def test_switching_a_plan_off_cancels_what_nobody_answered(tenant_a: Tenant) -> None:
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind="start"
    )
    episode = _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    client.post(_url("plan_active", plan_pk=plan.pk), {"is_active": "on"})
    assert TimePoint.objects.get(episode=episode).status == "pending"
    response = client.post(_url("plan_active", plan_pk=plan.pk), {"is_active": "off"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.is_active
    assert TimePoint.objects.get(episode=episode).status == "cancelled"


@pytest.mark.django_db
def test_an_empty_switch_request_changes_nothing(tenant_a: Tenant) -> None:
    plan = _plan(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    assert client.post(_url("plan_active", plan_pk=plan.pk)).status_code == 400
    plan.refresh_from_db()
    assert plan.is_active and plan.version == 1


@pytest.mark.django_db
def test_a_rule_with_answers_cannot_be_removed(tenant_a: Tenant) -> None:
    plan = _plan(tenant_a)
    rule = PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind="start"
    )
    episode = _open_episode(tenant_a)
    TimePoint.objects.create(
        organisation=tenant_a.organisation,
        episode=episode,
        rule=rule,
        sequence=1,
        label="Start",
        measure_id="phq9",
        measure_version="1",
        due_date=episode.start_date,
        window_start=episode.start_date,
        window_end=episode.start_date + dt.timedelta(days=7),
        status="completed",
    )
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("rule_remove", plan_pk=plan.pk, rule_pk=rule.pk)
    assert "cannot be removed" in client.get(url).content.decode()
    assert client.post(url, {"confirm": "yes"}).status_code == 400
    assert PlanRule.objects.filter(pk=rule.pk).exists()


@pytest.mark.django_db
def test_a_rule_without_answers_is_removed_with_its_pending_time_points(
    tenant_a: Tenant,
) -> None:
    plan = _plan(tenant_a)
    rule = PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind="start"
    )
    _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("rule_remove", plan_pk=plan.pk, rule_pk=rule.pk)
    assert client.post(url).status_code == 400  # no confirmation: nothing happens
    assert PlanRule.objects.filter(pk=rule.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not PlanRule.objects.exists()
    assert AuditEvent.objects.filter(action="plan.rule_remove").exists()


@pytest.mark.django_db
def test_editing_a_rule_moves_pending_due_dates(tenant_a: Tenant) -> None:
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    rule = PlanRule.objects.create(
        plan=plan,
        measure_id="phq9",
        measure_version="1",
        kind="every_n_weeks",
        weeks=6,
        window_days=7,
    )
    episode = _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    client.post(_url("plan_active", plan_pk=plan.pk), {"is_active": "on"})
    before = TimePoint.objects.get(episode=episode, sequence=1).due_date
    response = client.post(
        _url("rule_edit", plan_pk=plan.pk, rule_pk=rule.pk),
        {
            "measure": "phq9@1",
            "kind": "every_n_weeks",
            "weeks": "4",
            "window_days": "7",
        },
    )
    assert response.status_code == 302
    after = TimePoint.objects.get(episode=episode, sequence=1)
    assert after.due_date == before - dt.timedelta(weeks=2)
    assert after.label == "Week 4"


@pytest.mark.django_db
def test_another_organisations_plan_is_not_found(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    plan = _plan(tenant_b)
    client = verified_client(tenant_a.members["manager"].user)
    assert client.get(_url("plan_detail", plan_pk=plan.pk)).status_code == 404
    assert client.get(_url("plan_edit", plan_pk=plan.pk)).status_code == 404


@pytest.mark.django_db
def test_workers_may_not_manage_plans(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get(_url("plan_list")).status_code == 403


@pytest.mark.django_db
def test_a_plan_for_many_people_is_applied_in_the_background(
    tenant_a: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    from openproms.collection import scheduling

    monkeypatch.setattr(scheduling, "INLINE_REFRESH_LIMIT", 0)
    _uses(tenant_a, "phq9")
    plan = _plan(tenant_a)
    episode = _open_episode(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        response = client.post(
            _url("rule_add", plan_pk=plan.pk),
            {"measure": "phq9@1", "kind": "start", "window_days": "7"},
            follow=True,
        )
    assert len(callbacks) == 1
    assert "in the background" in response.content.decode()
    assert TimePoint.objects.get(episode=episode).label == "Start"
