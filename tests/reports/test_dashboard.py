"""The organisation / service dashboard: figures, filters, CSV downloads, access."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.reports.dashboard_forms import quarter_bounds, recent_quarters
from openproms.reports.selectors import outcome_pairs
from openproms.scoring import get_measure
from openproms.stats import paired_change
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.reports.test_dashboard_data import phq9

D = dt.date
PERIOD = {"period": "custom", "start": "2026-04-01", "end": "2026-06-30"}


def url(tenant: Tenant) -> str:
    return reverse("reports:dashboard", kwargs={"org_slug": tenant.organisation.slug})


@pytest.fixture
def data(tenant_a: Tenant) -> Tenant:
    worker = tenant_a.members["worker"].user
    for i, (first, later) in enumerate([(20, 8), (15, 12), (18, 4), (10, 11)]):
        who = factories.person(tenant_a, f"R{i}", sex="male", given_name="=cmd|x")
        ep = factories.episode(tenant_a, who, key_worker=worker, start=D(2026, 1, 5))
        phq9(ep, first, D(2026, 1, 10))
        phq9(ep, later, D(2026, 5, 10))
    return tenant_a


def manager(tenant: Tenant):  # type: ignore[no-untyped-def]
    return verified_client(tenant.members["manager"].user)


def download(tenant: Tenant, table: str, **params: str) -> list[list[str]]:
    response = manager(tenant).get(url(tenant), {**PERIOD, **params, "download": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_dashboard_shows_the_figures_paired_change_gives(data):
    response = manager(data).get(url(data), PERIOD)
    assert response.status_code == 200
    pairs = outcome_pairs(
        organisation=data.organisation,
        services=None,
        measure_id="phq9",
        scale_id="total",
        start=D(2026, 4, 1),
        end=D(2026, 6, 30),
    )
    expected = paired_change(get_measure("phq9"), "total", pairs)
    page = response.content.decode()
    assert f">{round(expected.mean_change.value, 2)}<" in page
    assert f">{round(expected.mean_change.low, 2)}<" in page
    assert f">{round(expected.effect_size.value, 2)}<" in page
    assert "n = 4" in page
    assert "fewer than 10 people: treat with caution" in page


def test_summary_csv_holds_the_change_figures(data):
    rows = download(data, "summary-total")
    by_name = {r[0]: r for r in rows}
    assert by_name["People with a pair of scores"][1] == "4"
    assert by_name["Mean change (later minus first)"][1] == "-7.0"


def test_every_table_on_the_page_can_be_downloaded(data):
    page = manager(data).get(url(data), PERIOD).content.decode()
    for table in [
        "collection",
        "summary-total",
        "distribution-total",
        "trend-total",
        "by-sex-total",
        "by-worker-total",
        "by-age_band-total",
    ]:
        assert f"download={table}" in page
        assert download(data, table)


def test_a_download_is_audited(data):
    download(data, "by-worker-total")
    event = AuditEvent.objects.filter(action="report.export").latest("id")
    assert event.detail["table"] == "by-worker-total"


def test_downloaded_cells_cannot_run_as_formulas(data, tenant_a):
    worker = tenant_a.members["worker"].user
    worker.full_name = "=HYPERLINK(1)"
    worker.save()
    rows = download(data, "by-worker-total")
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_an_unknown_table_is_not_found(data):
    response = manager(data).get(url(data), {**PERIOD, "download": "nope"})
    assert response.status_code == 404


def test_a_bad_date_is_a_400_naming_the_field(data):
    response = manager(data).get(
        url(data), {"period": "custom", "start": "31/31/2026", "end": "2026-06-30"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "From (custom dates)" in page
    assert (
        "Enter the date the period starts as a real date, day/month/year, like "
        "01/04/2026" in page
    )
    assert (
        '<details class="nhsuk-details app-dashboard-filters" id="filters" open>'
        in (page)
    )


def test_a_custom_period_needs_both_dates(data):
    response = manager(data).get(url(data), {"period": "custom", "start": "2026-04-01"})
    assert response.status_code == 400
    assert "Enter the date the period ends" in response.content.decode()


def test_an_end_before_the_start_is_refused(data):
    response = manager(data).get(
        url(data), {"period": "custom", "start": "2026-06-01", "end": "2026-04-01"}
    )
    assert response.status_code == 400


def test_pilot_filter_and_service_filter(data):
    response = manager(data).get(
        url(data), {**PERIOD, "service": str(data.service.pk), "include_pilot": "on"}
    )
    assert response.status_code == 200
    assert data.service.name in response.content.decode()


def test_an_unknown_service_is_a_400(data):
    response = manager(data).get(url(data), {**PERIOD, "service": "999999"})
    assert response.status_code == 400
    assert (
        "Choose one of your organisation&#x27;s services" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("measure", "not-a-measure", "Choose one of the measures your organisation"),
        ("period", "1999-00 Q9", "Choose a period from the list"),
        ("pairing", "best", "Choose the latest score or the end score"),
    ],
)
def test_an_unknown_filter_value_is_a_400_naming_what_to_choose(
    data, field, value, message
):
    response = manager(data).get(url(data), {**PERIOD, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_quarters_run_april_to_march():
    assert quarter_bounds("2026-27 Q4") == (D(2027, 1, 1), D(2027, 3, 31))
    assert quarter_bounds("2026-27 Q1") == (D(2026, 4, 1), D(2026, 6, 30))
    assert recent_quarters(D(2026, 5, 1), 3) == [
        "2026-27 Q1",
        "2025-26 Q4",
        "2025-26 Q3",
    ]


def test_low_follow_up_is_warned_about(tenant_a):
    for i in range(3):
        ep = factories.episode(tenant_a, factories.person(tenant_a, f"L{i}"))
        phq9(ep, 12, D(2026, 5, 1))
    ep = factories.episode(tenant_a, factories.person(tenant_a, "L9"))
    phq9(ep, 12, D(2026, 1, 1))
    phq9(ep, 6, D(2026, 5, 1))
    page = manager(tenant_a).get(url(tenant_a), PERIOD).content.decode()
    assert 'id="capture-warning"' in page
    assert (
        "Of the 4 people whose latest PHQ-9 score is in the period, 1 has a first "
        "and a later score: the figures above are worked out from these pairs." in page
    )


@pytest.mark.parametrize("role", ["worker", "data_officer"])
def test_workers_and_data_officers_may_not_see_the_dashboard(tenant_a, role):
    client = verified_client(tenant_a.members[role].user)
    assert client.get(url(tenant_a)).status_code == 403


def test_another_organisation_is_not_found(tenant_a, tenant_b):
    assert manager(tenant_a).get(url(tenant_b)).status_code == 404


def test_a_commissioner_cannot_reach_the_dashboard(tenant_a, commissioner):
    client = verified_client(commissioner.user)
    assert client.get(url(tenant_a)).status_code == 404


def test_queries_are_bounded_however_many_people(data, django_assert_max_num_queries):
    client = manager(data)
    with django_assert_max_num_queries(40):
        assert client.get(url(data), PERIOD).status_code == 200


def test_breakdowns_match_paired_change_by(data):
    from openproms.stats import paired_change_by

    pairs = outcome_pairs(
        organisation=data.organisation,
        services=None,
        measure_id="phq9",
        scale_id="total",
        start=D(2026, 4, 1),
        end=D(2026, 6, 30),
    )
    expected = paired_change_by(get_measure("phq9"), "total", pairs, "sex")
    rows = download(data, "by-sex-total")
    assert [r[0] for r in rows[1:]] == list(expected)
    for row in rows[1:]:
        pc = expected[row[0]]
        assert int(row[1]) == pc.n
        assert float(row[4]) == round(pc.mean_change.value, 2)
