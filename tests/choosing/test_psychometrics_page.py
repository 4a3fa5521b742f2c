"""The psychometrics page on an organisation's own answers, and recording a
bespoke measure as tested for reliability."""

from __future__ import annotations

import uuid

import numpy as np
import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from openproms.catalogue.models import BespokeMeasure, OrganisationMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.choosing.models import OwnDataReliability
from openproms.choosing.selectors import reliability_status
from openproms.collection.models import Administration
from openproms.collection.services import administration_submit
from openproms.people.models import ServiceUser
from openproms.scoring import default_library, ladder_definition
from tests.conftest import Tenant, verified_client
from tests.text_checks import internal_ids_in


def _url(name: str, measure_id: str, version: str = "1") -> str:
    return reverse(
        f"choosing:{name}",
        kwargs={
            "org_slug": "alpha",
            "measure_id": measure_id,
            "measure_version": version,
        },
    )


def _answers(tenant: Tenant, measure_id: str, rows: list[dict[str, int]]) -> None:
    definition = measure_definition(
        organisation=tenant.organisation, measure_id=measure_id
    )
    for i, answers in enumerate(rows):
        person = ServiceUser.objects.create(
            organisation=tenant.organisation, reference=f"R-{measure_id}-{i}"
        )
        administration_submit(
            organisation=tenant.organisation,
            service_user=person,
            measure=definition,
            answers=answers,
            mode=Administration.Mode.ASSISTED,
            submission_id=str(uuid.uuid4()),
        )


def _consistent(n: int, items: list[str], low: int, high: int, seed: int = 1):
    """Answers driven by one trait, so the questions hang together."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        trait = rng.normal()
        row = {}
        for item in items:
            value = round(
                (low + high) / 2 + trait * (high - low) / 4 + rng.normal() * 0.6
            )
            row[item] = int(min(high, max(low, value)))
        rows.append(row)
    return rows


def _bespoke(tenant: Tenant) -> str:
    definition = ladder_definition(
        "ladder_alpha",
        "Alpha ladder",
        [("home", "Home"), ("work", "Work"), ("money", "Money")],
        version="1",
        kind="bespoke",
    )
    BespokeMeasure.objects.create(
        organisation=tenant.organisation,
        measure_id="ladder_alpha",
        measure_version="1",
        definition=dict(definition.raw),
    )
    OrganisationMeasure.objects.create(
        organisation=tenant.organisation, measure_id="ladder_alpha", measure_version="1"
    )
    return "ladder_alpha"


@pytest.mark.django_db
def test_the_page_shows_alpha_items_and_a_small_sample_warning(
    tenant_a: Tenant,
) -> None:
    items = [f"gad7_{n}" for n in range(1, 8)]
    _answers(tenant_a, "gad7", _consistent(30, items, 0, 3))
    client = verified_client(tenant_a.members["manager"].user)
    response = client.get(_url("measure_psychometrics", "gad7"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Cronbach&#x27;s alpha" in text or "Cronbach's alpha" in text
    assert "95% confidence interval" in text
    assert "Omega total" in text
    assert "Only 30 people answered every question" in text
    assert "Question 7" in text
    assert "between 1 and 14 days apart" in text
    assert internal_ids_in(strip_tags(text), default_library()) == []


@pytest.mark.django_db
def test_a_worker_may_not_see_the_page(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get(_url("measure_psychometrics", "gad7")).status_code == 403


@pytest.mark.django_db
def test_a_bespoke_measure_with_too_few_answers_is_not_recorded(
    tenant_a: Tenant,
) -> None:
    measure = _bespoke(tenant_a)
    definition = measure_definition(
        organisation=tenant_a.organisation, measure_id=measure
    )
    items = [item.id for item in definition.items]
    _answers(tenant_a, measure, _consistent(20, items, 1, 10))
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(_url("measure_psychometrics", measure)).content.decode()
    assert "Not tested for reliability" in page
    response = client.post(_url("reliability_record", measure), follow=True)
    assert "Not recorded" in response.content.decode()
    assert not OwnDataReliability.objects.exists()
    assert reliability_status(tenant_a.organisation, measure, "1") is None


@pytest.mark.django_db
def test_a_bespoke_measure_meeting_the_rule_is_recorded_as_tested(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    measure = _bespoke(tenant_a)
    definition = measure_definition(
        organisation=tenant_a.organisation, measure_id=measure
    )
    items = [item.id for item in definition.items]
    _answers(tenant_a, measure, _consistent(120, items, 1, 10))
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(_url("reliability_record", measure), follow=True)
    assert response.status_code == 200
    status = reliability_status(tenant_a.organisation, measure, "1")
    assert status is not None
    assert status.figures[0]["n"] == 120 and status.figures[0]["alpha"] >= 0.7
    text = response.content.decode()
    assert "Tested on your own data on" in text
    # Another organisation's status is its own.
    assert reliability_status(tenant_b.organisation, measure, "1") is None


@pytest.mark.django_db
def test_a_published_measure_is_never_recorded(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    client.post(_url("reliability_record", "gad7"))
    assert not OwnDataReliability.objects.exists()


def _published_own_measure_not_in_use(tenant: Tenant) -> str:
    """A published own measure the organisation has not yet put in use."""
    measure = _bespoke(tenant)
    OrganisationMeasure.objects.filter(
        organisation=tenant.organisation, measure_id=measure
    ).delete()
    BespokeMeasure.objects.filter(measure_id=measure).update(
        status=BespokeMeasure.Status.PUBLISHED
    )
    return measure


@pytest.mark.django_db
def test_the_choosing_page_lists_own_measures_with_a_link_to_their_figures(
    tenant_a: Tenant,
) -> None:
    measure = _published_own_measure_not_in_use(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(reverse("choosing:home", kwargs={"org_slug": "alpha"}))
    text = page.content.decode()
    assert _url("measure_psychometrics", measure) in text
    assert "How Alpha ladder works on your answers" in " ".join(
        strip_tags(text).split()
    )
    assert "(your own measure, version 1, not in use)" in text


@pytest.mark.django_db
def test_own_measure_pages_link_to_checking_its_reliability(tenant_a: Tenant) -> None:
    measure = _published_own_measure_not_in_use(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    link = _url("measure_psychometrics", measure)
    own_list = client.get(reverse("catalogue:own_list", kwargs={"org_slug": "alpha"}))
    assert link in own_list.content.decode()
    assert "Check how reliable version 1 is on your answers" in strip_tags(
        own_list.content.decode()
    )
    detail = client.get(
        reverse(
            "catalogue:measure_detail",
            kwargs={"org_slug": "alpha", "measure_id": measure, "measure_version": "1"},
        )
    )
    assert link in detail.content.decode()
    assert "Check how reliable it is on your answers" in strip_tags(
        detail.content.decode()
    )
    # The page it leads to is there for the manager.
    assert client.get(link).status_code == 200


@pytest.mark.django_db
def test_a_worker_is_not_offered_the_reliability_link(tenant_a: Tenant) -> None:
    measure = _published_own_measure_not_in_use(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    detail = client.get(
        reverse(
            "catalogue:measure_detail",
            kwargs={"org_slug": "alpha", "measure_id": measure, "measure_version": "1"},
        )
    )
    assert detail.status_code == 200
    assert _url("measure_psychometrics", measure) not in detail.content.decode()
