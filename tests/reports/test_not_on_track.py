"""Not on track on the caseload and the clinician summary: the flag with its
explanation and uncertainty, no flag when within the band, and why there is none
when the organisation has too little history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from openproms.collection import on_track
from openproms.people.models import ServiceUser
from tests.conftest import Tenant, verified_client
from tests.people.factories import episode, on_caseload, person
from tests.reports import phq9_answers, scored
from tests.reports.test_dashboard_data import phq9

pytestmark = pytest.mark.django_db

CASELOAD = reverse("people:caseload", kwargs={"org_slug": "alpha"})


def summary_url(who: ServiceUser) -> str:
    return reverse(
        "reports:clinician_summary",
        kwargs={"org_slug": "alpha", "person_pk": who.pk},
    )


def history(tenant: Tenant, people: int) -> None:
    """People (not on the worker's caseload) who started at 12-22 and are 3 to
    9 points lower about ten weeks later."""
    today = timezone.localdate()
    for i in range(people):
        ep = episode(tenant, person(tenant, f"H{i}"))
        first = 12 + i % 11
        phq9(ep, first, today - dt.timedelta(days=80))
        phq9(ep, first - 3 - i % 7, today - dt.timedelta(days=10))


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 people stand in for the 200 the rule needs, to keep the test quick;
    # the threshold itself is pinned in tests/stats/test_expected_change.py.
    monkeypatch.setattr(on_track, "MIN_PEOPLE", 30)
    cache.clear()


def two_scores(tenant: Tenant, ref: str, first: int, latest: int) -> ServiceUser:
    who = on_caseload(tenant, ref, given_name=ref, family_name="Person")
    scored(tenant, who, "phq9", phq9_answers(first), 80)
    scored(tenant, who, "phq9", phq9_answers(latest), 10)
    return who


def test_a_person_worse_than_expected_is_flagged_on_the_caseload(
    tenant_a: Tenant, small_threshold: None
) -> None:
    history(tenant_a, 40)
    worse = two_scores(tenant_a, "Worse", 18, 24)
    fine = two_scores(tenant_a, "Fine", 18, 12)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(CASELOAD)
    rows = {r["person"].pk: r for r in response.context["rows"]}
    assert [v.name for v in rows[worse.pk]["not_on_track"]] == ["PHQ-9 total"]
    assert rows[fine.pk]["not_on_track"] == []
    page = response.content.decode()
    assert "Not on track" in page
    # With a range for every score, there is nothing to explain.
    assert response.context["no_range"] == []
    assert "data-no-range" not in page
    verdict = rows[worse.pk]["not_on_track"][0]
    assert verdict.explanation.startswith("Expected about ")
    assert verdict.explanation.endswith("latest 24: not on track.")
    assert verdict.explanation in page.replace("&#x27;", "'")


def test_the_clinician_summary_explains_the_flag_and_its_uncertainty(
    tenant_a: Tenant, small_threshold: None
) -> None:
    history(tenant_a, 40)
    worse = two_scores(tenant_a, "Worse", 18, 24)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(summary_url(worse)).content.decode()
    assert "Expected by now" in page
    assert "Not on track" in page
    assert "latest 24: not on track." in page
    assert "Based on 41 people in this organisation" in page
    assert "is itself an estimate" in page


def test_within_the_band_is_on_track(tenant_a: Tenant, small_threshold: None) -> None:
    history(tenant_a, 40)
    fine = two_scores(tenant_a, "Fine", 18, 12)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(summary_url(fine)).content.decode()
    assert "On track" in page
    assert "latest 12: on track." in page


def test_too_little_history_gives_no_flag_and_says_why(tenant_a: Tenant) -> None:
    cache.clear()
    history(tenant_a, 5)
    worse = two_scores(tenant_a, "Worse", 18, 27)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.get(CASELOAD)
    assert all(r["not_on_track"] == [] for r in response.context["rows"])
    # The caseload says which scores are not checked yet, and why.
    assert [name for name, _ in response.context["no_range"]] == ["PHQ-9 total"]
    caseload = response.content.decode()
    assert "Why no one is marked “Not on track” for some scores" in caseload
    assert (
        "<strong>PHQ-9 total</strong>: No expected range yet: 6 people have a first "
        "and a later score here, and at least 200 are needed"
    ) in caseload
    page = client.get(summary_url(worse)).content.decode()
    assert "Not on track" not in page
    assert "No expected range yet: 6 people have a first and a later score here" in page
    assert "at least 200 are needed" in page


def test_one_score_has_nothing_to_compare(tenant_a: Tenant) -> None:
    who = on_caseload(tenant_a, "One")
    scored(tenant_a, who, "phq9", phq9_answers(18), 10)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(summary_url(who)).content.decode()
    assert "Only one score so far in this episode" in page
