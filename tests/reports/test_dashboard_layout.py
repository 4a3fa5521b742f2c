"""The dashboard's shape: the headline figures first, the filters as a summary
that opens, dates read and shown as dd/mm/yyyy, and every label once."""

from __future__ import annotations

import re

import pytest

from tests.conftest import Tenant
from tests.people import factories
from tests.reports.test_dashboard import D, data, manager, url  # noqa: F401
from tests.reports.test_dashboard_data import phq9

pytestmark = pytest.mark.django_db

PERIOD = {"period": "custom", "start": "01/04/2026", "end": "30/06/2026"}


def _page(tenant: Tenant, **params: str) -> str:
    response = manager(tenant).get(url(tenant), {**PERIOD, **params})
    assert response.status_code == 200, response.content.decode()
    return response.content.decode()


def _visible_text(html: str) -> str:
    """The page's text without tags, scripts and visually hidden words."""
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    html = re.sub(
        r'<span class="nhsuk-u-visually-hidden">.*?</span>', " ", html, flags=re.S
    )
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_headline_figures_come_before_the_filters_and_the_details(data):  # noqa: F811
    page = _page(data)
    headline = page.index('id="headline-figures"')
    assert headline < page.index('<form method="get"')
    assert headline < page.index('id="collection"')
    row = re.search(
        r'<tr class="nhsuk-table__row" data-scale="total">(.*?)</tr>', page, re.S
    )
    assert row is not None
    cells = dict(re.findall(r'data-figure="(\w+)">([^<]*)', row.group(1)))
    # Four people: 20->8, 15->12, 18->4, 10->11 (PHQ-9 reliable change: 6 points).
    assert cells["n"] == "4"
    assert cells["mean_change"].startswith("-7.00 (95% CI ")
    assert cells["improved"] == "2 (50.0%)"
    assert cells["deteriorated"] == "0 (0.0%)"
    assert "Lower scores are better" in row.group(1)
    pairs = re.search(r'id="score-pairs">(.*?)</p>', page, re.S)
    assert pairs is not None
    assert _visible_text(pairs.group(1)) == (
        "People with a pair of PHQ-9 scores: 100.0%. Of the 4 people whose latest "
        "PHQ-9 score is in the period, 4 have a first and a later score: the "
        "figures above are worked out from these pairs."
    )


def test_the_filters_are_a_closed_summary_of_what_is_shown(data):  # noqa: F811
    page = _page(data)
    assert '<details class="nhsuk-details app-dashboard-filters" id="filters">' in page
    summary = re.search(r'<span class="nhsuk-details__summary-text">(.*?)</span>', page)
    assert summary is not None
    assert summary.group(1) == (
        "Filters: All services; Custom dates (01/04/2026 to 30/06/2026); PHQ-9; "
        "first score compared with the latest score; pilot data left out"
    )


def test_dates_are_typed_and_shown_day_first_not_in_browser_date_boxes(data):  # noqa: F811
    page = _page(data)
    assert 'type="date"' not in page
    assert re.search(r'<input[^>]*name="start"[^>]*value="01/04/2026"', page)
    assert re.search(r'<input[^>]*name="end"[^>]*value="30/06/2026"', page)
    assert "Headline figures, 01/04/2026 to 30/06/2026" in page
    # Day first: 01/04 is the first of April, so the May scores are in, and a
    # bookmarked ISO date reads the same.
    iso = _page(data, start="2026-04-01", end="2026-06-30")
    assert 'data-figure="n">4' in page and 'data-figure="n">4' in iso
    response = manager(data).get(url(data), {**PERIOD, "start": "04/31/2026"})
    assert response.status_code == 400
    assert "Enter the date the period starts as a real date" in (
        response.content.decode()
    )


def test_every_label_appears_once(tenant_a: Tenant) -> None:
    who = factories.person(tenant_a, "L1")
    ep = factories.episode(tenant_a, who, start=D(2026, 1, 5))
    phq9(ep, 20, D(2026, 1, 10))
    phq9(ep, 8, D(2026, 5, 10))
    page = _page(tenant_a)
    text = _visible_text(page)
    assert "PHQ-9 total" in text
    for doubled in ("PHQ-9 PHQ-9", "PHQ-9: PHQ-9", "Collection Collection", "phq-9"):
        assert doubled not in text, doubled
    assert re.findall(r"<h2[^>]*>Collection</h2>", page)
    assert "<h3" not in page.split('id="collection"')[1].split("<h2")[0]
    assert page.count(">PHQ-9 total</h2>") == 1
    # Table headings under the scale's heading do not repeat it.
    assert ">Change</h3>" in page and ">By sex</h3>" in page
    # ... but each table still says, on its own, what it is.
    assert 'aria-label="PHQ-9 total: by sex"' in page
    assert 'aria-label="PHQ-9 total: by service"' in page


def test_the_menu_leads_managers_to_the_dashboard_and_not_workers(
    tenant_a: Tenant,
) -> None:
    from django.urls import reverse

    from tests.conftest import verified_client

    home = reverse("core:org_home", kwargs={"org_slug": "alpha"})
    link = f'href="{url(tenant_a)}">Dashboard</a>'
    assert link in manager(tenant_a).get(home).content.decode()
    worker = verified_client(tenant_a.members["worker"].user)
    assert link not in worker.get(home).content.decode()


def test_the_home_page_leads_viewers_and_managers_to_outcomes_and_reports(
    tenant_a: Tenant,
) -> None:
    """A viewer's work is the dashboard and the funders' reports: their home page
    leads to both, as a manager's does; a worker's does not."""
    from django.urls import reverse

    from tests.conftest import verified_client

    home = reverse("core:org_home", kwargs={"org_slug": "alpha"})
    contracts = reverse("reports:contract_list", kwargs={"org_slug": "alpha"})
    for role in ("viewer", "manager"):
        page = verified_client(tenant_a.members[role].user).get(home).content.decode()
        assert 'id="home-reports"' in page, role
        assert f'href="{url(tenant_a)}">Outcomes dashboard' in page, role
        assert f'href="{contracts}">Contracts and the reports' in page, role
    worker = verified_client(tenant_a.members["worker"].user)
    assert 'id="home-reports"' not in worker.get(home).content.decode()
