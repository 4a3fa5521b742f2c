"""What a funder may ask for, on the real pages (decision 0015): one whole quarter
at a time, and never two contracts sharing a service and a quarter.

The issue's attack (single days showing "*" or 0 beside the window holding them) is
refused with a message naming what to do; the organisation's own staff keep any
dates. On the demo, every report every commissioner can request, all at once, pins
no small count for the brute-force reader of tests/stats/attacker.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.urls import reverse

from openproms.accounts.models import CommissionerBody, CommissionerMembership
from openproms.accounts.policy import Role
from openproms.audit.models import AuditEvent
from openproms.reports.contract_forms import FUNDER_PERIOD_MESSAGE
from openproms.reports.models import Contract
from openproms.stats import RULES
from openproms.stats.release import blocks_are_disjoint, quarter_of
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import (
    add_person,
    make_contract,
    report_url,
    staff_report_url,
)
from tests.stats.attacker import pinned_small

MESSAGE = html.escape(FUNDER_PERIOD_MESSAGE).encode()


def seven_on_seven_days(tenant: Tenant) -> None:
    """One new episode on each of 1-7 July 2025, none on any other day."""
    for i in range(7):
        add_person(tenant, f"D{i}", [], start=dt.date(2025, 7, 1 + i))


def figure(content: bytes, code: str) -> str:
    found = re.search(rf'data-code="{code}">([^<]*)<'.encode(), content)
    assert found, code
    return found.group(1).decode()


@pytest.mark.django_db
def test_the_single_day_attack_is_refused_for_a_funder_and_open_to_staff(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    seven_on_seven_days(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    funder = verified_client(commissioner.user)
    for query in (
        {"start": "01/07/2025", "end": "01/07/2025"},  # one day
        {"period": "custom", "start": "01/07/2025", "end": "07/07/2025"},
        {"start": "01/04/2025"},  # the whole contract, from its first day
        {"period": "custom"},
        {"period": "2025-07"},  # a month
        {"period": "2025-26"},  # the year
    ):
        for fmt in ("", "csv"):
            response = funder.get(report_url(contract, **query, format=fmt))
            assert response.status_code == 400, query
            assert b"text/html" in response["Content-Type"].encode()
            assert MESSAGE in response.content, query
            assert b"data-code=" not in response.content  # no figure at all
    assert not AuditEvent.objects.filter(action="report.export").exists()
    # The quarter holding the seven days is what the funder may see: "*" for 7.
    quarter = funder.get(report_url(contract, period="2025-Q2"))
    assert quarter.status_code == 200
    assert figure(quarter.content, "new_episodes") == "*"
    # The organisation's own staff still choose any dates.
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    day = staff.get(
        staff_report_url(
            contract, period="custom", start="01/07/2025", end="01/07/2025"
        )
    )
    assert day.status_code == 200
    assert figure(day.content, "new_episodes") == "*"


@pytest.mark.django_db
def test_a_funder_with_no_period_sees_the_latest_quarter_started(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    contract = make_contract(tenant_a, commissioner.body)  # April 2025-March 2026
    page = verified_client(commissioner.user).get(report_url(contract))
    assert page.status_code == 200
    assert b"01/01/2026 to 31/03/2026" in page.content
    options = re.findall(rb'<option value="([^"]*)"', page.content)
    assert options == [b"2025-Q1", b"2025-Q2", b"2025-Q3", b"2025-Q4"]
    assert b'name="start"' not in page.content
    # A contract with no whole quarter has no report for the funder, and says why.
    contract.start_date, contract.end_date = dt.date(2025, 4, 2), dt.date(2025, 6, 30)
    contract.save()
    page = verified_client(commissioner.user).get(report_url(contract))
    assert b"This contract has no whole quarter," in page.content
    assert b"data-code=" not in page.content


def contract_post(tenant: Tenant, body: CommissionerBody, **changes: Any) -> Any:
    from openproms.catalogue.models import OrganisationMeasure
    from tests.reports.test_contracts import use, valid

    if not OrganisationMeasure.objects.filter(
        organisation=tenant.organisation
    ).exists():
        use(tenant, "phq9", "phq2")
    client = verified_client(tenant.members[Role.MANAGER.value].user)
    return client.post(
        reverse("reports:contract_create", kwargs={"org_slug": "alpha"}),
        valid(tenant, body, **changes),
    )


@pytest.mark.django_db
def test_a_funder_cannot_have_two_contracts_sharing_a_service_and_a_quarter(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    from openproms.accounts.models import Service

    body = commissioner.body
    assert contract_post(tenant_a, body, name="First").status_code == 302
    # The same service, a quarter in common: refused, naming the other contract.
    clash = contract_post(
        tenant_a, body, name="Second", start_date="2026-01-01", end_date="2026-12-31"
    )
    assert clash.status_code == 400
    text = html.unescape(clash.content.decode())
    assert (
        "North ICB already has the contract “First” for Alpha Charity service in "
        "January to March 2026 (2025-26 Q4)." in text
    )
    assert "must cover different quarters" in text
    assert not Contract.objects.filter(name="Second").exists()
    # The next year, another service, or another funder: all fine.
    ok = contract_post(
        tenant_a, body, name="Next year", start_date="2026-04-01", end_date="2027-03-31"
    )
    assert ok.status_code == 302
    other = Service.objects.create(organisation=tenant_a.organisation, name="Groups")
    assert (
        contract_post(tenant_a, body, name="Groups", services=[other.pk]).status_code
        == 302
    )
    council = CommissionerBody.objects.create(name="Council", slug="council")
    assert contract_post(tenant_a, council, name="Council").status_code == 302
    # Editing a contract does not clash with itself.
    first = Contract.objects.get(name="First")
    from tests.reports.test_contracts import valid

    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    edit = staff.post(
        reverse(
            "reports:contract_edit",
            kwargs={"org_slug": "alpha", "contract_pk": first.pk},
        ),
        valid(tenant_a, body, name="First, renamed", version=first.version),
    )
    assert edit.status_code == 302


@pytest.mark.django_db
def test_contracts_made_before_the_rule_that_clash_are_not_shown_to_the_funder(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    wide = make_contract(tenant_a, commissioner.body, name="Everything")
    make_contract(tenant_a, commissioner.body, name="Everything again")
    funder = verified_client(commissioner.user)
    page = funder.get(report_url(wide, period="2025-Q2"))
    assert page.status_code == 409
    text = html.unescape(page.content.decode())
    assert "This report cannot be shown" in text
    assert "“Everything again”" in text and "Ask Alpha Charity" in text
    assert "data-code=" not in text
    assert funder.get(report_url(wide, format="csv")).status_code == 409
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    assert staff.get(staff_report_url(wide)).status_code == 200


@pytest.mark.django_db
def test_on_the_demo_nothing_every_commissioner_can_request_pins_a_small_count() -> (
    None
):
    from openproms.core.demo import run_seeders

    run_seeders()
    checked = 0
    for membership in CommissionerMembership.objects.select_related("body", "user"):
        body = membership.body
        client = verified_client(membership.user)
        blocks = []
        published: dict[tuple[str, str, str], list[tuple[frozenset, object]]] = {}
        for contract in Contract.objects.filter(commissioner=body):
            services = frozenset(s.pk for s in contract.services.all())
            page = client.get(report_url(contract))
            assert page.status_code == 200
            keys = re.findall(r'<option value="([^"]*)"', page.content.decode())
            assert keys, contract.name
            rule = RULES[contract.disclosure_rule]
            for key in keys:
                report = client.get(report_url(contract, period=key))
                assert report.status_code == 200
                covers = re.search(
                    rb"This report covers</dt><dd[^>]*>([^<]+)<", report.content
                )
                assert covers is not None
                start_text, end_text = covers.group(1).decode().split(" to ")
                start = dt.datetime.strptime(start_text, "%d/%m/%Y").date()
                end = dt.datetime.strptime(end_text, "%d/%m/%Y").date()
                quarter = quarter_of(start)
                assert (quarter.key, quarter.start, quarter.end) == (key, start, end)
                blocks.append((services, key))
                cell = frozenset((s, key) for s in services)
                rows = csv.DictReader(
                    io.StringIO(
                        client.get(
                            report_url(contract, period=key, format="csv")
                        ).content.decode("utf-8-sig")
                    )
                )
                for row in rows:
                    if row["Kind"] != "count":
                        continue
                    value = row["Value"]
                    shown: object = int(value) if value.isdigit() else value
                    where = (row["Section"], row["Code"], rule.key)
                    published.setdefault(where, []).append((cell, shown))
                checked += 1
        assert blocks_are_disjoint(blocks), body.name
        for (_, _, rule_key), cells in published.items():
            assert pinned_small(cells, RULES[rule_key]) == {}
    assert checked >= 8  # both demo funders, every quarter of their contracts
