"""Fair comparison on the dashboard: services (and, for managers, workers)
compared on change adjusted for case-mix, as a funnel plot and a table."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest
from django.urls import reverse

from openproms.accounts.models import Service
from openproms.reports.selectors import outcome_pairs
from openproms.scoring import default_library
from openproms.stats.casemix import casemix_funnel
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.reports.test_dashboard_data import phq9
from tests.text_checks import internal_ids_in, visible_text

D = dt.date
PERIOD = {
    "period": "custom",
    "start": "2026-04-01",
    "end": "2026-06-30",
    "measure": "phq9",
}


def url(tenant: Tenant) -> str:
    return reverse("reports:dashboard", kwargs={"org_slug": tenant.organisation.slug})


@pytest.fixture
def two_services(tenant_a: Tenant) -> Tenant:
    """36 people in two services (one of them tiny: 4 people), two workers."""
    other = Service.objects.create(organisation=tenant_a.organisation, name="Hill Road")
    workers = [tenant_a.members["worker"].user, tenant_a.members["manager"].user]
    rng = np.random.default_rng(3)
    for i in range(36):
        service = other if i < 4 else tenant_a.service
        sex = "female" if i % 2 else "male"
        who = factories.person(tenant_a, f"F{i}", sex=sex)
        ep = factories.episode(
            tenant_a,
            who,
            key_worker=workers[i % 2],
            service=service,
            start=D(2026, 1, 5),
        )
        first = int(rng.integers(10, 25))
        later = int(np.clip(first - rng.integers(-2, 10), 0, 27))
        phq9(ep, first, D(2026, 1, 10))
        phq9(ep, later, D(2026, 5, 10))
    return tenant_a


def page(tenant: Tenant, role: str) -> str:
    client = verified_client(tenant.members[role].user)
    response = client.get(url(tenant), PERIOD)
    assert response.status_code == 200
    return response.content.decode()


def test_a_manager_sees_services_and_workers_compared_on_a_funnel(two_services):
    text = page(two_services, "manager")
    assert "Fair comparison of services" in text
    assert "Fair comparison of key workers" in text
    spec = re.search(
        r'data-chart="funnel-service-total">(.*?)</script>', text, re.S
    ).group(1)
    chart = json.loads(spec)
    limits = {row["limit"] for row in chart["layer"][0]["data"]["values"]}
    assert limits == {"95% limits", "99.8% limits"}
    assert "adjusted for the first score, age band and sex" in text
    assert internal_ids_in(visible_text(text), default_library()) == []


def test_the_funnel_figures_are_those_casemix_gives(two_services):
    pairs = outcome_pairs(
        organisation=two_services.organisation,
        services=None,
        measure_id="phq9",
        scale_id="total",
        start=D(2026, 4, 1),
        end=D(2026, 6, 30),
        audience="organisation",
    )
    first = np.array([p.first for p in pairs])
    change = np.array([p.latest for p in pairs]) - first
    funnel = casemix_funnel(
        change,
        [p.groups["service"] for p in pairs],
        numeric={"first score": first},
        categorical={
            "age band": [p.groups["age_band"] for p in pairs],
            "sex": [p.groups["sex"] for p in pairs],
        },
    )
    big = next(g for g in funnel.groups if g.n == 32)
    text = page(two_services, "manager")
    table = text.split('data-table="funnel-service-total"')[1].split("</table>")[0]
    assert f">{round(big.mean, 2)}<" in table
    assert f">{round(big.upper998, 2)}<" in table
    # The four-person service counts in the model but is not shown.
    assert "Not shown: too few people" in table
    assert "1 service with fewer than 8 people is counted" in text


@pytest.mark.parametrize("role", ["viewer"])
def test_workers_are_compared_for_managers_only(two_services, role):
    text = page(two_services, role)
    assert "Fair comparison of services" in text
    assert "Fair comparison of key workers" not in text
    assert "funnel-worker" not in text


def test_no_comparison_with_too_few_people(tenant_a):
    who = factories.person(tenant_a, "X1")
    ep = factories.episode(tenant_a, who, start=D(2026, 1, 5))
    phq9(ep, 20, D(2026, 1, 10))
    phq9(ep, 10, D(2026, 5, 10))
    text = page(tenant_a, "manager")
    assert "Fair comparison" not in text


def test_the_funnel_table_downloads_as_csv(two_services):
    client = verified_client(two_services.members["manager"].user)
    response = client.get(
        url(two_services), {**PERIOD, "download": "funnel-worker-total"}
    )
    assert response.status_code == 200
    assert "Adjusted mean change" in response.content.decode("utf-8-sig")
    viewer = verified_client(two_services.members["viewer"].user)
    response = viewer.get(
        url(two_services), {**PERIOD, "download": "funnel-worker-total"}
    )
    assert response.status_code == 404
