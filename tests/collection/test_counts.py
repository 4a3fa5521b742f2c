"""Counts of time points in the database (collection/counts.py) read the one
definition of collection/states.py: on random schedules, episodes and answers,
every time point is in exactly one state, the database agrees with the pure
definition, the parts add up to every whole, and the due list, the home page
figures and the collection rates count the same things."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.catalogue.selectors import measure_definition
from openproms.collection import counts, due_lists, scheduling, states
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    TimePoint,
)
from openproms.collection.services import administration_submit
from openproms.people.models import Contact, Episode, ServiceUser
from tests.conftest import Tenant, verified_client
from tests.stored_answers import store_answers

TODAY = timezone.localdate()

RULES = st.lists(
    st.one_of(
        st.builds(lambda w: {"kind": "start", "window_days": w}, st.integers(0, 21)),
        st.integers(2, 8).flatmap(
            lambda weeks: st.builds(
                lambda w: {"kind": "every_n_weeks", "weeks": weeks, "window_days": w},
                st.integers(0, (7 * weeks - 1) // 2),
            )
        ),
        st.builds(
            lambda weeks, w: {
                "kind": "when_seen_after",
                "weeks": weeks,
                "window_days": w,
            },
            st.integers(1, 8),
            st.integers(0, 14),
        ),
        st.builds(
            lambda offset, w: {
                "kind": "one_off",
                "on_date": TODAY + dt.timedelta(days=offset),
                "window_days": w,
            },
            st.integers(-120, 60),
            st.integers(0, 14),
        ),
    ),
    min_size=1,
    max_size=3,
)

EPISODES = st.lists(
    st.fixed_dictionaries(
        {
            "started": st.integers(0, 240),  # days before today
            "status": st.sampled_from(["active", "active", "paused", "closed"]),
            "length": st.integers(7, 200),  # days, for a closed episode
            "key_worker": st.sampled_from(["worker", "worker", "manager", None]),
            "contacts": st.lists(st.integers(0, 240), max_size=6),
            "service": st.sampled_from([0, 0, 1]),
        }
    ),
    min_size=1,
    max_size=4,
)

# What becomes of each time point made (cycled over them in order).
OUTCOMES = st.lists(
    st.sampled_from(
        ["leave", "leave", "scored", "unscored", "declined", "missed", "cancel"]
    ),
    min_size=1,
    max_size=12,
)


def _build(
    tenant: Tenant, rules: list[dict[str, Any]], episodes: list[dict[str, Any]]
) -> None:
    organisation = tenant.organisation
    services = [
        tenant.service,
        tenant.service.__class__.objects.get_or_create(
            organisation=organisation, name="Second service"
        )[0],
    ]
    made = timezone.now() - dt.timedelta(days=800)
    for service in services:
        plan = MeasurementPlan.objects.create(
            organisation=organisation, service=service, name="Plan"
        )
        MeasurementPlan.objects.filter(pk=plan.pk).update(created_at=made)
        for rule in rules:
            PlanRule.objects.create(
                plan=plan,
                measure_id="phq9",
                measure_version="1",
                created_at=made,
                **rule,
            )
    for n, facts in enumerate(episodes):
        person = ServiceUser.objects.create(
            organisation=organisation, reference=f"R-{n}", given_name=f"P{n}"
        )
        start = TODAY - dt.timedelta(days=facts["started"])
        closed = facts["status"] == "closed"
        end = min(start + dt.timedelta(days=facts["length"]), TODAY) if closed else None
        worker = facts["key_worker"]
        episode = Episode.objects.create(
            organisation=organisation,
            service_user=person,
            service=services[facts["service"]],
            start_date=start,
            end_date=end,
            status=facts["status"],
            key_worker=tenant.members[worker].user if worker else None,
        )
        for days in facts["contacts"]:
            day = TODAY - dt.timedelta(days=days)
            if day >= start:
                Contact.objects.create(
                    organisation=organisation, episode=episode, date=day, attended=True
                )
        scheduling.episode_schedule_refresh(episode=episode, today=TODAY)


def _apply(tenant: Tenant, outcomes: list[str]) -> None:
    """Answer (with or without a score), decline, miss or cancel time points;
    answers are stored as ``administration_submit`` stores them (a row per
    scale, value None when no score could be made)."""
    points = list(TimePoint.objects.filter(organisation=tenant.organisation))
    for point, outcome in zip(points, outcomes * len(points), strict=False):
        if outcome == "leave":
            continue
        if outcome in ("scored", "unscored"):
            store_answers(point, {"total": 7.0 if outcome == "scored" else None})
            point.status = TimePoint.Status.COMPLETED
        elif outcome == "declined":
            point.status = TimePoint.Status.MISSED
            point.missed_reason = TimePoint.MissedReason.DECLINED
        elif outcome == "missed":
            point.status = TimePoint.Status.MISSED
            point.missed_reason = TimePoint.MissedReason.TOO_UNWELL
        else:
            point.status = TimePoint.Status.CANCELLED
        point.save()


def _database_states(points: Any, day: dt.date) -> dict[int, list[str]]:
    """For each time point, every state whose database condition it meets."""
    found: dict[int, list[str]] = {pk: [] for pk in points.values_list("pk", flat=True)}
    for name, condition in counts.state_conditions(day).items():
        for pk in points.filter(condition).values_list("pk", flat=True):
            found[pk].append(name)
    return found


def _check_identities(found: states.StateCounts) -> None:
    assert found.problems() == []
    assert found.counted == (
        found.answered
        + found.no_score
        + found.declined
        + found.missed
        + found.still_open
    )
    assert found.still_open == found.due_now + found.overdue + found.not_yet_due


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=RULES, episodes=EPISODES, outcomes=OUTCOMES, shift=st.integers(-10, 10))
@pytest.mark.django_db
def test_on_random_schedules_the_database_counts_read_the_one_definition(
    tenant_a: Tenant,
    rules: list[dict[str, Any]],
    episodes: list[dict[str, Any]],
    outcomes: list[str],
    shift: int,
) -> None:
    with transaction.atomic():
        _build(tenant_a, rules, episodes)
        _apply(tenant_a, outcomes)
        day = TODAY + dt.timedelta(days=shift)
        points = TimePoint.objects.filter(organisation=tenant_a.organisation)

        # Each time point is in exactly one state; the database says what the
        # pure definition says; due soon is a part of not yet due.
        in_database = _database_states(points, day)
        tags = []
        for point in counts.with_unscored(points):
            pure = counts.state_of(point, day)
            matched = [s for s in in_database[point.pk] if s != states.DUE_SOON]
            assert matched == [pure], (point, matched, pure)
            shown = counts.tag_of(point, day)
            assert (states.DUE_SOON in in_database[point.pk]) == (
                shown == states.DUE_SOON
            )
            tags.append(shown)
        found = counts.count_states(points, day)
        assert found == states.tally(tags)
        _check_identities(found)
        assert found.counted == points.exclude(status="cancelled").count()
        # The due list's summary and its paginator's count, in one query.
        with_total = counts.count_states_and_total(points, day)
        assert with_total == (found, points.count())
        due = points.filter(counts.on_due_list(day))
        summary, total = counts.count_states_and_total(due, day)
        assert total == summary.on_due_list == due.count()

        # The due list's one range is the union of its three states.
        listed = set(
            points.filter(counts.on_due_list(day)).values_list("pk", flat=True)
        )
        union = {
            pk
            for pk, names in in_database.items()
            if {states.DUE_NOW, states.OVERDUE, states.DUE_SOON} & set(names)
        }
        assert listed == union

        # Grouped counts add up to the whole.
        by_service = counts.count_states_by(points, "episode__service", day)
        assert sum(c.counted for c in by_service.values()) == found.counted
        assert sum(c.still_open for c in by_service.values()) == found.still_open

        # The home page figures are the due and missed lists' lengths, for a
        # worker (their key-worker people) and a manager (everyone).
        for role in ("worker", "manager", "data_officer"):
            membership = tenant_a.members[role]
            filters = due_lists.default_filters(membership)
            due = due_lists.due_list(membership=membership, filters=filters, today=day)
            summary = due_lists.work_summary(membership=membership, today=day)
            assert summary.due.on_due_list == due.count()
            _check_identities(summary.due)
            tags_listed = [counts.tag_of(p, day) for p in due]
            assert states.tally(tags_listed) == summary.due
            missed = due_lists.missed_list(
                membership=membership, filters=filters, unrecorded_only=True
            )
            assert summary.missed_unrecorded == missed.count()

        # Collection rates: each row adds up, and the rows add up to the total.
        period = (TODAY - dt.timedelta(days=120), TODAY + dt.timedelta(days=30))
        total = counts.collection_rates(tenant_a.organisation, period=period, today=day)
        _check_identities(total.counts)
        per_service = [
            counts.collection_rates(
                tenant_a.organisation, service=service, period=period, today=day
            )
            for service in tenant_a.organisation.services.all()
        ]
        for rates in per_service:
            _check_identities(rates.counts)
            assert rates.baseline_answered <= rates.baseline_episodes
            assert rates.followed_up <= rates.baseline_answered
        assert sum(r.counts.counted for r in per_service) == total.counts.counted
        assert sum(r.counts.answered for r in per_service) == total.counts.answered
        transaction.set_rollback(True)


# --- pages: the same numbers everywhere ---------------------------------------


def _plan(tenant: Tenant, *rules: dict[str, Any]) -> None:
    made = timezone.now() - dt.timedelta(days=400)
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation, service=tenant.service, name="Core"
    )
    MeasurementPlan.objects.filter(pk=plan.pk).update(created_at=made)
    for rule in rules:
        PlanRule.objects.create(
            plan=plan, measure_id="phq9", measure_version="1", created_at=made, **rule
        )


def _person(
    tenant: Tenant, name: str, start: dt.date, worker: str = "worker"
) -> Episode:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=f"R-{name}", given_name=name
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=start,
        key_worker=tenant.members[worker].user,
    )
    scheduling.episode_schedule_refresh(episode=episode)
    return episode


def _counts_on(page: str, element: str) -> dict[str, int]:
    import re

    block = page.split(f'id="{element}"', 1)[1].split("</p>", 1)[0]
    return {
        name: int(value)
        for name, value in re.findall(r'data-count="(\w+)">(\d+)<', block)
    }


@pytest.mark.django_db
def test_the_home_page_figures_are_the_lengths_of_the_lists(tenant_a: Tenant) -> None:
    # Before: the home page said "N due now, M overdue" where "overdue" meant a
    # window that had closed (missed on every list), and "Who is due" also listed
    # the due soon, so no figure matched the list.
    _plan(
        tenant_a,
        {"kind": "start", "window_days": 14},
        {"kind": "every_n_weeks", "weeks": 4, "window_days": 7},
    )
    _person(tenant_a, "Today", TODAY)
    _person(tenant_a, "Late", TODAY - dt.timedelta(days=5))
    _person(tenant_a, "Closed", TODAY - dt.timedelta(days=40))
    _person(tenant_a, "Soon", TODAY - dt.timedelta(days=18))  # week 4 opens in 3 days
    _person(tenant_a, "Other", TODAY - dt.timedelta(days=5), worker="manager")
    for role, expected in (("worker", 3), ("manager", 4)):
        client = verified_client(tenant_a.members[role].user)
        home = client.get(reverse("core:org_home", kwargs={"org_slug": "alpha"}))
        figures = _counts_on(home.content.decode(), "home-due")
        due = client.get(reverse("collection:due_list", kwargs={"org_slug": "alpha"}))
        listed = due.context["page"].paginator.count
        assert figures["on_due_list"] == listed == expected, role
        assert figures["due_now"] + figures["overdue"] + figures["due_soon"] == listed
        assert _counts_on(due.content.decode(), "due-summary") == {
            k: v for k, v in figures.items() if k != "on_due_list"
        }
        tags = [p.state_tag for p in due.context["page"].object_list]
        assert tags.count("due_now") == figures["due_now"]
        assert tags.count("overdue") == figures["overdue"]
        assert tags.count("due_soon") == figures["due_soon"]
        missed = _counts_on(home.content.decode(), "home-missed")
        page = client.get(
            reverse("collection:missed_list", kwargs={"org_slug": "alpha"})
        )
        assert missed["missed_unrecorded"] == page.context["page"].paginator.count >= 1


@pytest.mark.django_db
def test_the_rates_page_shows_the_parts_adding_up_to_the_whole_on_every_row(
    tenant_a: Tenant,
) -> None:
    # Before: "Due 145 = Answered 67 + Missed 60" with 18 unexplained (those
    # still open), and declined counted as missed.
    _plan(tenant_a, {"kind": "start", "window_days": 14})
    answered = _person(tenant_a, "Answered", TODAY - dt.timedelta(days=3))
    declined = _person(tenant_a, "Declined", TODAY - dt.timedelta(days=3))
    _person(tenant_a, "Open", TODAY - dt.timedelta(days=3))
    _person(tenant_a, "Missed", TODAY - dt.timedelta(days=40))
    TimePoint.objects.filter(episode=answered).update(status="completed")
    TimePoint.objects.filter(episode=declined).update(
        status="missed", missed_reason="declined"
    )
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(
        reverse("collection:collection_rates", kwargs={"org_slug": "alpha"})
    )
    page = response.content.decode()
    row = page.split(f'data-row="{tenant_a.service.name}"', 1)[1].split("</tr>", 1)[0]
    import re

    parts = dict(re.findall(r'data-part="(\w+)">(\d+)<', row))
    whole = int(re.search(r'data-whole="due">(\d+)<', row).group(1))  # type: ignore[union-attr]
    assert parts == {
        "answered": "1",
        "no_score": "0",
        "declined": "1",
        "missed": "1",
        "still_open": "1",
    }
    assert whole == 4 == sum(int(v) for v in parts.values())


@pytest.mark.django_db
def test_an_answer_too_short_to_score_counts_as_no_score_not_answered(
    tenant_a: Tenant,
) -> None:
    _plan(tenant_a, {"kind": "start", "window_days": 14})
    episode = _person(tenant_a, "Short", TODAY)
    point = TimePoint.objects.get(episode=episode)
    administration_submit(
        organisation=tenant_a.organisation,
        service_user=episode.service_user,
        measure=measure_definition(
            organisation=tenant_a.organisation, measure_id="phq9"
        ),
        answers={"phq9_1": 1, "phq9_2": 2},
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        time_point=point,
    )
    found = counts.count_states(TimePoint.objects.filter(pk=point.pk), TODAY)
    assert (found.answered, found.no_score) == (0, 1)
    rates = counts.collection_rates(tenant_a.organisation)
    assert rates.counts.no_score == 1 and rates.baseline_answered == 0


# --- the same identities on the seeded demo ------------------------------------


@pytest.mark.django_db
def test_the_identities_hold_on_the_demo() -> None:
    from openproms.accounts.models import Membership, User
    from openproms.core.demo import run_seeders

    run_seeders()
    scheduling.time_points_close_missed()
    checked = 0
    for membership in Membership.objects.select_related("organisation", "user"):
        organisation = membership.organisation
        points = TimePoint.objects.filter(organisation=organisation)
        in_database = _database_states(points, TODAY)
        for point in counts.with_unscored(points):
            matched = [s for s in in_database[point.pk] if s != states.DUE_SOON]
            assert matched == [counts.state_of(point, TODAY)], point
        _check_identities(counts.count_states(points, TODAY))

        # Home figures are the default lists' lengths, for every member.
        filters = due_lists.default_filters(membership)
        summary = due_lists.work_summary(membership=membership, today=TODAY)
        due = due_lists.due_list(membership=membership, filters=filters, today=TODAY)
        assert summary.due.on_due_list == due.count()
        missed = due_lists.missed_list(
            membership=membership, filters=filters, unrecorded_only=True
        )
        assert summary.missed_unrecorded == missed.count()

        # Rates: every row adds up; the service rows add up to the total.
        period = (TODAY - dt.timedelta(days=90), TODAY)
        total = counts.collection_rates(organisation, period=period, today=TODAY)
        _check_identities(total.counts)
        rows = [
            counts.collection_rates(
                organisation, service=service, period=period, today=TODAY
            )
            for service in organisation.services.all()
        ]
        for rates in rows:
            _check_identities(rates.counts)
        assert sum(r.counts.counted for r in rows) == total.counts.counted
        for worker in User.objects.filter(
            key_worker_episodes__organisation=organisation
        ).distinct():
            _check_identities(
                counts.collection_rates(
                    organisation, worker=worker, period=period, today=TODAY
                ).counts
            )
        for row in counts.acceptability_summary(organisation, period=period):
            assert row.answers == row.easy + row.neither + row.difficult > 0
        checked += 1
    assert checked >= 8  # every demo login's organisation
    riverside = TimePoint.objects.filter(organisation__slug="riverside")
    assert counts.count_states(riverside, TODAY).on_due_list > 0
