"""The caseload's change arrows, deterioration alerts, sorting, filters and speed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint
from openproms.people.models import Episode
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload
from tests.reports import phq9_answers, scored

pytestmark = pytest.mark.django_db

URL = reverse("people:caseload", kwargs={"org_slug": "alpha"})


def _due(episode: Episode) -> TimePoint:
    today = timezone.localdate()
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
        due_date=today,
        window_start=today - dt.timedelta(days=1),
        window_end=today + dt.timedelta(days=6),
    )


def _people(tenant: Tenant) -> dict[str, object]:
    better = on_caseload(tenant, "B1", family_name="Better")
    worse = on_caseload(tenant, "W1", family_name="Worse")
    same = on_caseload(tenant, "S1", family_name="Same")
    for who, first, last in ((better, 18, 8), (worse, 8, 16), (same, 12, 10)):
        scored(tenant, who, "phq9", phq9_answers(first), 40)
        scored(tenant, who, "phq9", phq9_answers(last), 2)
    _due(same.episodes.get())
    return {"better": better, "worse": worse, "same": same}


def _row(rows: list, reference: str) -> dict:
    return next(r for r in rows if r["person"].reference == reference)


def test_arrows_and_words_tell_reliable_improvement_deterioration_and_no_change(
    tenant_a: Tenant,
) -> None:
    _people(tenant_a)
    page = verified_client(tenant_a.members["worker"].user).get(URL)
    rows = page.context["rows"]
    better = _row(rows, "B1")["scores"][0]["results"][0]
    worse = _row(rows, "W1")["scores"][0]["results"][0]
    same = _row(rows, "S1")["scores"][0]["results"][0]
    assert (better["arrow"], better["text"]) == ("↓", "-10: reliable improvement")
    assert (worse["arrow"], worse["text"]) == ("↑", "+8: reliable deterioration")
    assert (same["arrow"], same["text"]) == ("↓", "-2: no reliable change")
    assert better["value"] == 8 and better["band"] == "Mild"
    text = page.content.decode()
    assert "reliable improvement" in text and "no reliable change" in text
    assert text.count("Reliable deterioration</strong>") == 1
    assert _row(rows, "W1")["deteriorated"] is True
    assert _row(rows, "B1")["deteriorated"] is False


def test_the_caseload_filters_deteriorated_only_and_due_now(tenant_a: Tenant) -> None:
    _people(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    worse = client.get(URL, {"deteriorated": "1"}).context["rows"]
    assert [r["person"].reference for r in worse] == ["W1"]
    due = client.get(URL, {"due": "1"}).context["rows"]
    assert [r["person"].reference for r in due] == ["S1"]
    both = client.get(URL, {"due": "1", "deteriorated": "1"}).context["rows"]
    assert both == []


def test_the_caseload_sorts_by_name_due_and_change(tenant_a: Tenant) -> None:
    _people(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)

    def order(sort: str) -> list[str]:
        rows = client.get(URL, {"sort": sort}).context["rows"]
        return [r["person"].reference for r in rows]

    assert order("name") == ["B1", "S1", "W1"]
    assert order("due") == ["S1", "B1", "W1"]
    assert order("change") == ["W1", "S1", "B1"]
    assert order("nonsense") == ["B1", "S1", "W1"]


def test_the_caseload_makes_the_same_number_of_queries_for_many_people(
    tenant_a: Tenant, django_assert_max_num_queries
) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    _people(tenant_a)
    client.get(URL)  # warm the session and caches
    # 20, and 4 for the not-on-track verdicts (collection.on_track).
    with django_assert_max_num_queries(24) as few:
        client.get(URL)
    first_count = len(few.captured_queries)  # before the query log moves on
    for n in range(12):
        who = on_caseload(tenant_a, f"M{n}", family_name=f"Many{n}")
        scored(tenant_a, who, "phq9", phq9_answers(10), 20)
        scored(tenant_a, who, "phq9", phq9_answers(12), 1)
    client.get(URL)  # new scores: the not-on-track band is read and fitted once
    with django_assert_max_num_queries(first_count):
        rows = client.get(URL).context["rows"]
    assert len(rows) == 15
