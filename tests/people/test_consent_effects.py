"""Consent decisions take effect: withdrawing from taking part stops time points,
links and any contact, and the person page says so; the decision in force is the
latest one made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.collection import links, scheduling
from openproms.collection.models import (
    MeasurementPlan,
    PlanRule,
    SelfCompletionLink,
    TimePoint,
)
from openproms.collection.plan_forms import MissedForm
from openproms.people import consent
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.scoring import get_measure
from tests.conftest import Tenant, verified_client
from tests.people import factories

pytestmark = pytest.mark.django_db

PHQ9 = get_measure("phq9")


def _decide(
    tenant: Tenant, person: ServiceUser, kind: str, given: bool, on: dt.date
) -> None:
    """Record a decision as a manager does, through the page."""
    client = verified_client(tenant.members["manager"].user)
    response = client.post(
        reverse(
            "people:consent_create",
            kwargs={"org_slug": tenant.organisation.slug, "person_pk": person.pk},
        ),
        {
            "kind": kind,
            "given": "yes" if given else "no",
            "decided_day": str(on.day),
            "decided_month": str(on.month),
            "decided_year": str(on.year),
        },
    )
    assert response.status_code == 302, response.content.decode()


def _planned_episode(tenant: Tenant, reference: str = "W-1") -> Episode:
    """A person on a plan of a start occasion and one every 6 weeks, starting
    today, so the start occasion is due now and later ones are ahead."""
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation, service=tenant.service, name="Plan"
    )
    for kind, weeks in ((PlanRule.Kind.START, None), (PlanRule.Kind.EVERY_N_WEEKS, 6)):
        PlanRule.objects.create(
            plan=plan,
            measure_id="phq9",
            measure_version=PHQ9.version,
            kind=kind,
            weeks=weeks,
            window_days=14,
            created_at=timezone.now() - dt.timedelta(days=30),
        )
    who = factories.person(tenant, reference, given_name="Robin")
    episode = factories.episode(tenant, who, start=timezone.localdate())
    scheduling.episode_schedule_refresh(episode=episode)
    return episode


def _statuses(episode: Episode) -> list[tuple[str, str]]:
    return [
        (tp.status, tp.missed_reason)
        for tp in TimePoint.objects.filter(episode=episode).order_by("due_date")
    ]


def test_withdrawing_closes_open_time_points_with_the_reason_withdrew(
    tenant_a: Tenant,
) -> None:
    episode = _planned_episode(tenant_a)
    before = _statuses(episode)
    assert before and all(s == (TimePoint.Status.PENDING, "") for s in before)

    _decide(tenant_a, episode.service_user, "take_part", False, timezone.localdate())

    after = _statuses(episode)
    assert after == [(TimePoint.Status.CANCELLED, "withdrew")] * len(before)
    # Time passing makes no new occasion for them: neither a refresh nor the
    # daily job that brings occasions into view.
    later = timezone.localdate() + dt.timedelta(days=120)
    scheduling.episode_schedule_refresh(episode=episode, today=later)
    scheduling.schedules_advance(today=later)
    assert _statuses(episode) == after


def test_rejoining_brings_back_the_occasions_still_needed(tenant_a: Tenant) -> None:
    episode = _planned_episode(tenant_a)
    today = timezone.localdate()
    _decide(tenant_a, episode.service_user, "take_part", False, today)
    _decide(tenant_a, episode.service_user, "take_part", True, today)
    assert set(_statuses(episode)) == {(TimePoint.Status.PENDING, "")}


def test_withdrawing_stops_their_links_and_they_may_not_be_contacted(
    tenant_a: Tenant,
) -> None:
    episode = _planned_episode(tenant_a)
    person = episode.service_user
    other = _planned_episode(tenant_a, "W-2").service_user
    never_asked = factories.person(tenant_a, "W-3")
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=TimePoint.objects.filter(episode=episode),
        actor=tenant_a.members["worker"].user,
    )
    assert links.link_for_token(made.token) is not None
    contactable = consent.people_who_may_be_contacted(tenant_a.organisation)
    assert set(contactable) == {person, other, never_asked}

    _decide(tenant_a, person, "take_part", False, timezone.localdate())

    assert links.link_for_token(made.token) is None
    assert SelfCompletionLink.objects.get(pk=made.link.pk).revoked_at is not None
    contactable = consent.people_who_may_be_contacted(tenant_a.organisation)
    assert set(contactable) == {other, never_asked}
    # The page for making a link has nothing left to link to.
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse(
        "collection:link_create",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": person.pk},
    )
    page = client.get(url)
    assert "Nothing is due for" in page.content.decode()
    assert client.post(url, {"time_points": []}).status_code == 400
    assert SelfCompletionLink.objects.filter(service_user=person).count() == 1


def test_the_person_page_says_in_plain_words_what_each_no_stops(
    tenant_a: Tenant,
) -> None:
    episode = _planned_episode(tenant_a)
    person = episode.service_user
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse(
        "people:person_detail",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": person.pk},
    )
    before = client.get(url).content.decode()
    assert 'id="consent-effects"' not in before
    assert "Send or print a self-completion link" in before
    today = timezone.localdate()
    for kind in ("take_part", "share_with_funders", "share_with_gp"):
        _decide(tenant_a, person, kind, False, today)
    text = client.get(url).content.decode()
    assert (
        "Robin has withdrawn from taking part in measuring outcomes. No more "
        "questionnaires are planned for them, the ones that were planned are "
        "closed, and no reminders or links are sent." in text
    )
    assert "Robin&#x27;s answers are left out of every report for funders." in text
    assert "Robin&#x27;s results are not shared with their GP" in text
    # Their time points say why they closed.
    assert "No longer needed: withdrew from taking part" in text
    # Nobody is offered a way to ask them for answers.
    assert "Send or print a self-completion link" not in text
    assert "Hand over the screen" not in text


def test_the_decision_in_force_is_the_latest_made_not_the_latest_typed(
    tenant_a: Tenant,
) -> None:
    person = factories.person(tenant_a)
    _decide(tenant_a, person, "share_with_funders", False, dt.date(2026, 3, 9))
    # A yes given earlier, typed in afterwards, does not override the later no.
    _decide(tenant_a, person, "share_with_funders", True, dt.date(2026, 3, 1))
    declined = consent.declined_sharing_with_funders(tenant_a.organisation)
    assert list(declined) == [person]
    _decide(tenant_a, person, "share_with_funders", True, dt.date(2026, 3, 10))
    assert not consent.declined_sharing_with_funders(tenant_a.organisation).exists()
    assert consent.decisions_in_force(person.pk)["share_with_funders"].given is True  # type: ignore[union-attr]
    assert consent.takes_part(person.pk) and consent.may_share_with_gp(person)


def test_a_no_in_another_organisation_changes_nothing_here(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    mine = factories.person(tenant_a, "A-1")
    theirs = factories.person(tenant_b, "B-1")
    Consent.objects.create(service_user=theirs, kind="share_with_funders", given=False)
    assert not consent.declined_sharing_with_funders(tenant_a.organisation).exists()
    assert list(consent.people_who_may_be_contacted(tenant_a.organisation)) == [mine]


def test_workers_cannot_record_a_missed_time_point_as_withdrew() -> None:
    reasons = [value for value, _ in MissedForm().fields["reason"].choices]  # type: ignore[attr-defined]
    assert "withdrew" not in reasons
    assert not MissedForm({"reason": "withdrew"}).is_valid()
