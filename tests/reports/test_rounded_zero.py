"""A figure that rounds to zero reads 0.0 on every report, never "-0.0": the
funder's report (page and CSV), the organisation's own view of it, and the
dashboard (page and CSV). Ten people whose change has a 95% CI upper limit just
below zero (-0.0027) make one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from openproms.accounts.models import CommissionerMembership
from openproms.accounts.policy import Role
from openproms.reports.progress_services import fmt
from openproms.reports.report_builder import build_report
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import (
    add_person,
    make_contract,
    report_url,
    shown,
    staff_report_url,
)
from tests.reports.test_dashboard import url as dashboard_url
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db

#: First 15, later 15 + change: mean change -3.8, 95% CI -7.60 to -0.0027.
CHANGES = (-8, -8, -8, -8, -8, -7, 0, 2, 3, 4)
FIRST_DAY, LATER_DAY = dt.date(2025, 5, 10), dt.date(2025, 8, 10)


def upper_just_below_zero(tenant: Tenant) -> None:
    for i, change in enumerate(CHANGES):
        add_person(tenant, f"Z{i}", [(FIRST_DAY, 15), (LATER_DAY, 15 + change)])


def _cell(content: bytes, code: str) -> str:
    found = re.search(rf'data-code="{code}">([^<]*)<'.encode(), content)
    assert found, code
    return found.group(1).decode()


def test_the_funder_report_shows_0_0_for_a_limit_that_rounds_to_zero(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    upper_just_below_zero(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    quarter = {"period": "2025-Q2"}  # July to September 2025
    # Stored: the raw limit is below zero; the figure the report holds is 0.0.
    report = build_report(contract, start=dt.date(2025, 7, 1), end=dt.date(2025, 9, 30))
    value = shown(report, "mean_change_high")
    assert value == 0.0 and str(value) == "0.0"
    assert shown(report, "mean_change") == -3.8
    funder = verified_client(commissioner.user)
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    for client, page_url in (
        (funder, report_url(contract, **quarter)),
        (staff, staff_report_url(contract, **quarter)),
    ):
        page = client.get(page_url)
        assert page.status_code == 200
        assert _cell(page.content, "mean_change_high") == "0.0"
        assert b">-0.0<" not in page.content
        download = client.get(page_url + "&format=csv")
        rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
        limit = next(r for r in rows if r["Code"] == "mean_change_high")
        assert limit["Value"] == "0.0"
        assert not any(r["Value"] == "-0.0" for r in rows)


def test_the_dashboard_shows_0_00_for_a_limit_that_rounds_to_zero(
    tenant_a: Tenant,
) -> None:
    upper_just_below_zero(tenant_a)
    manager = verified_client(tenant_a.members[Role.MANAGER.value].user)
    period = {"period": "custom", "start": "01/07/2025", "end": "30/09/2025"}
    page = manager.get(dashboard_url(tenant_a), {**period, "measure": "phq9"})
    assert page.status_code == 200
    headline = re.search(r'data-figure="mean_change">([^<]*)<', page.content.decode())
    assert headline is not None
    assert headline.group(1) == "-3.80 (95% CI -7.60 to 0.00)"
    text = visible_text(page.content.decode())
    assert "to 0.00" in text
    assert not re.search(r"-0\.0+\b", text)
    summary = manager.get(
        dashboard_url(tenant_a),
        {**period, "measure": "phq9", "download": "summary-total"},
    )
    rows = list(csv.reader(io.StringIO(summary.content.decode("utf-8-sig"))))
    change = next(r for r in rows if r[0] == "Mean change (later minus first)")
    assert change[1:4] == ["-3.8", "-7.6", "0.0"], change


def test_a_score_that_rounds_to_zero_reads_0() -> None:
    assert fmt(-0.0) == "0"
    assert fmt(-0.001) == "0"
