"""The measure chooser: which measures suit, the facts with their sources, the
reading level, and the yearly burden under a service's plan."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from openproms.choosing import chooser_data
from openproms.collection.models import MeasurementPlan, PlanRule
from openproms.scoring import default_library, get_measure
from tests.conftest import Tenant, verified_client
from tests.text_checks import internal_ids_in


def test_every_fact_in_the_data_file_has_a_source_and_a_library_measure() -> None:
    document = json.loads(chooser_data.DATA.read_text(encoding="utf-8"))
    ids = {d.id for d in default_library()}
    purposes = {key for key, _ in chooser_data.PURPOSES}
    populations = {key for key, _ in chooser_data.POPULATIONS}
    for row in document["measures"]:
        assert row["measure"] in ids
        assert set(row["purposes"]) <= purposes
        for key in ("cost_source", "minutes_source", "languages_source"):
            assert row[key]["confidence"] in {"verified", "secondary", "unverified"}
            assert row[key]["citation"]
        for fit in row["populations"]:
            assert fit["population"] in populations and fit["source"]["citation"]
        for who in row["commissioners"]:
            assert who["source"]["confidence"] in {
                "verified",
                "secondary",
                "unverified",
            }


def test_carers_well_being_measures_are_marked_unverified_for_carers() -> None:
    chosen = chooser_data.suitable(["wellbeing"], ["carers"])
    assert "wemwbs" in chosen and "phq9" not in chosen
    facts = chooser_data.chooser_facts()["wemwbs"]
    carers = [p for p in facts["populations"] if p["population"] == "carers"]
    assert carers[0]["source"]["confidence"] == "unverified"


def test_reading_level_is_computed_only_where_the_wording_ships() -> None:
    level = chooser_data.reading_level(get_measure("phq9"))
    assert level is not None and 0 < level["ease"] <= 121
    assert chooser_data.reading_level(get_measure("wemwbs")) is None


def test_occasions_per_year_counts_a_plan_s_time_points() -> None:
    start = PlanRule(kind=PlanRule.Kind.START, window_days=7)
    six_weekly = PlanRule(kind=PlanRule.Kind.EVERY_N_WEEKS, weeks=6, window_days=7)
    assert chooser_data.occasions_per_year([start]) == 1
    # The start, and weeks 6, 12 ... 48 (52 weeks and a day in the year).
    assert chooser_data.occasions_per_year([start, six_weekly]) == 9


@pytest.mark.django_db
def test_the_comparison_shows_each_fact_with_its_source_and_the_burden(
    tenant_a: Tenant,
) -> None:
    plan = MeasurementPlan.objects.create(
        organisation=tenant_a.organisation, service=tenant_a.service, name="Core"
    )
    PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind=PlanRule.Kind.START
    )
    PlanRule.objects.create(
        plan=plan,
        measure_id="phq9",
        measure_version="1",
        kind=PlanRule.Kind.EVERY_N_WEEKS,
        weeks=6,
    )
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(
        reverse("choosing:compare", kwargs={"org_slug": "alpha"}),
        {
            "purposes": ["wellbeing"],
            "populations": ["carers"],
            "service": str(tenant_a.service.pk),
        },
    )
    assert response.status_code == 200
    text = strip_tags(response.content.decode())
    assert "WEMWBS" in text and "ONS4" in text
    assert "Wording not shipped, reading level not computed" in text
    assert "Flesch reading ease" in text  # ONS4's wording ships
    assert "Not verified" in text and "Verified" in text
    assert "ask each person 9 times in a year" in text
    assert "126 questions" in text  # WEMWBS: 14 questions on 9 occasions
    assert internal_ids_in(text, default_library()) == []


@pytest.mark.django_db
def test_the_chooser_needs_a_purpose_or_a_group(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse("choosing:compare", kwargs={"org_slug": "alpha"})
    assert client.get(url)["Location"] == reverse(
        "choosing:home", kwargs={"org_slug": "alpha"}
    )
    response = client.get(url, {"service": ""})
    assert response.status_code == 400
    assert "Choose at least one thing to measure" in response.content.decode()


@pytest.mark.django_db
def test_a_worker_sees_trials_without_a_link_to_their_review(tenant_a: Tenant) -> None:
    from tests.route_objects.choosing import _trial

    trial = _trial(tenant_a, {})
    home = reverse("choosing:home", kwargs={"org_slug": "alpha"})
    review = reverse(
        "choosing:trial_review", kwargs={"org_slug": "alpha", "trial_pk": trial.pk}
    )
    worker = verified_client(tenant_a.members["worker"].user).get(home)
    assert trial.plan.name in worker.content.decode()
    assert review not in worker.content.decode()
    manager = verified_client(tenant_a.members["manager"].user).get(home)
    assert review in manager.content.decode()
