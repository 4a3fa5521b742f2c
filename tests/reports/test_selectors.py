"""outcome_pairs and collection_summary on small hand-made data."""

from __future__ import annotations

import datetime as dt

import pytest

from openproms.collection.models import PlanRule, TimePoint
from openproms.reports.selectors import (
    collection_summary,
    outcome_pairs,
    outcome_pairs_with_capture,
)
from openproms.scoring import get_measure
from openproms.stats import paired_change
from tests.conftest import Tenant
from tests.people import factories
from tests.reports.test_dashboard_data import exit_point, gad7_answers, phq9, scored

D = dt.date
Q1 = {"start": D(2026, 4, 1), "end": D(2026, 6, 30)}


def pairs(tenant: Tenant, **kw):  # type: ignore[no-untyped-def]
    args = {
        "organisation": tenant.organisation,
        "services": None,
        "measure_id": "phq9",
        "scale_id": "total",
        **Q1,
    } | kw
    return outcome_pairs(**args)


@pytest.fixture
def ep(tenant_a: Tenant):  # type: ignore[no-untyped-def]
    who = factories.person(
        tenant_a,
        "R1",
        sex="female",
        ethnicity="white_british",
        date_of_birth=D(1990, 5, 1),
    )
    return factories.episode(
        tenant_a, who, key_worker=tenant_a.members["worker"].user, start=D(2026, 1, 5)
    )


def test_first_is_paired_with_the_latest_score_up_to_the_end(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 12, D(2026, 4, 10))
    phq9(ep, 6, D(2026, 6, 20))
    phq9(ep, 20, D(2026, 7, 5))  # after the period: not the latest
    [pair] = pairs(tenant_a)
    assert (pair.first, pair.latest, pair.latest_on) == (18, 6, D(2026, 6, 20))


def test_breakdown_keys_are_attached(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 6, D(2026, 6, 20))
    [pair] = pairs(tenant_a)
    assert pair.groups == {
        "sex": "Female",
        "ethnicity_group": "White",
        "age_band": "35 to 44",
        "worker": tenant_a.members["worker"].user.display_name,
        "service": tenant_a.service.name,
        "quarter": "2026-27 Q1",
    }


def test_an_episode_counts_only_when_its_latest_score_is_in_the_period(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 9, D(2026, 3, 10))
    assert pairs(tenant_a) == []
    assert len(pairs(tenant_a, start=D(2026, 1, 1), end=D(2026, 3, 31))) == 1


def test_one_score_alone_makes_no_pair_but_counts_against_capture(tenant_a, ep):
    phq9(ep, 18, D(2026, 5, 10))
    result = outcome_pairs_with_capture(
        organisation=tenant_a.organisation,
        services=None,
        measure_id="phq9",
        scale_id="total",
        **Q1,
    )
    assert result.pairs == []
    assert (result.capture.with_baseline, result.capture.with_follow_up) == (1, 0)
    assert result.capture.low


def test_pilot_administrations_are_left_out_unless_asked_for(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 9, D(2026, 5, 10))
    phq9(ep, 3, D(2026, 6, 10), pilot=True)
    assert [p.latest for p in pairs(tenant_a)] == [9]
    assert [p.latest for p in pairs(tenant_a, include_pilot=True)] == [3]


def test_exit_pairing_uses_the_score_at_the_exit_time_point(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 10, D(2026, 5, 1), time_point=exit_point(ep))
    phq9(ep, 4, D(2026, 6, 1))
    [pair] = pairs(tenant_a, pairing="exit")
    assert (pair.first, pair.latest) == (18, 10)
    assert [p.latest for p in pairs(tenant_a)] == [4]


def test_exit_pairing_without_an_exit_score_gives_no_pair(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 4, D(2026, 6, 1))
    assert pairs(tenant_a, pairing="exit") == []


def test_services_filter_and_other_organisations_are_kept_apart(tenant_a, tenant_b, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 9, D(2026, 5, 10))
    other = factories.episode(tenant_b, factories.person(tenant_b, "B1"))
    phq9(other, 20, D(2026, 1, 10))
    phq9(other, 2, D(2026, 5, 10))
    assert len(pairs(tenant_a)) == 1
    assert len(pairs(tenant_a, services=[tenant_a.service])) == 1
    second = tenant_a.service.__class__.objects.create(
        organisation=tenant_a.organisation, name="Other service"
    )
    assert pairs(tenant_a, services=[second]) == []


def test_phq2_is_derived_from_phq9_answers(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))  # items 1-2 = 3 + 3
    phq9(ep, 1, D(2026, 5, 10))  # items 1-2 = 1 + 0
    [pair] = pairs(tenant_a, measure_id="phq2")
    assert (pair.first, pair.latest) == (6, 1)


def test_phq4_is_derived_from_phq9_and_gad7_on_the_same_day(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    scored(ep, gad7_answers(9), D(2026, 1, 10), measure_id="gad7")
    phq9(ep, 2, D(2026, 5, 10))
    scored(ep, gad7_answers(1), D(2026, 5, 10), measure_id="gad7")
    phq9(ep, 0, D(2026, 6, 10))  # no GAD-7 that day: no PHQ-4
    [pair] = pairs(tenant_a, measure_id="phq4")
    assert (pair.first, pair.latest) == (12, 3)


def test_pairs_feed_paired_change(tenant_a, ep):
    phq9(ep, 18, D(2026, 1, 10))
    phq9(ep, 6, D(2026, 6, 20))
    result = paired_change(get_measure("phq9"), "total", pairs(tenant_a))
    assert result.n == 1 and result.mean_first == 18


def test_collection_summary_counts_the_period(tenant_a, ep):
    phq9(ep, 18, D(2026, 4, 10))
    plan_point = exit_point(ep)
    plan_point.rule.kind = PlanRule.Kind.START
    plan_point.rule.save()
    ep.start_date = D(2026, 4, 6)
    ep.save()
    TimePoint.objects.filter(pk=plan_point.pk).update(due_date=D(2026, 4, 10))
    summary = collection_summary(
        organisation=tenant_a.organisation, services=None, **Q1
    )
    assert summary["people_engaged"] == 1
    assert summary["new_episodes"] == 1
    assert summary["baseline_completed"] == 1
    assert summary["baseline_completion"] == 1.0
    assert summary["follow_up"].with_follow_up == 0
    assert (summary["completed"], summary["missed"]) == (1, 0)
