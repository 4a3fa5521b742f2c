"""Contract reports and today: a period that has not started has no report (it is
not offered, and asked for by its key it gets a message and no figures), and the
period under way says plainly that its figures are those so far, up to today, on
the page and in every file. The funder's view and the organisation's own.

The dates are worked out from today, so the tests hold whatever day they run.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from openproms.accounts.models import CommissionerMembership
from openproms.accounts.policy import Role
from openproms.audit.models import AuditEvent
from openproms.reports.models import Contract
from openproms.reports.report_builder import build_report
from openproms.stats.release import Quarter, quarter_of
from tests.conftest import Tenant, verified_client
from tests.reports.test_commissioner_reports import (
    add_person,
    make_contract,
    report_url,
    shown,
    staff_report_url,
)
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def words(content: bytes | str) -> str:
    """The page's visible text, its spaces and line breaks made single spaces."""
    text = content.decode() if isinstance(content, bytes) else content
    return " ".join(visible_text(text).split())


def _next(quarter: Quarter) -> Quarter:
    return quarter_of(quarter.end + dt.timedelta(days=1))


def quarters() -> tuple[Quarter, Quarter, Quarter, Quarter]:
    """The quarter before today's, today's, and the two after it."""
    current = quarter_of(timezone.localdate())
    previous = quarter_of(current.start - dt.timedelta(days=1))
    return previous, current, _next(current), _next(_next(current))


def running_contract(tenant: Tenant, commissioner: CommissionerMembership) -> Contract:
    """A contract from the start of last quarter to the end of the one after
    next, with ten people scored twice last quarter."""
    previous, _, _, after = quarters()
    for i in range(10):
        add_person(
            tenant,
            f"P{i}",
            [
                (previous.start + dt.timedelta(days=5), 15),
                (previous.start + dt.timedelta(days=40), 8),
            ],
            start=previous.start,
        )
    contract = make_contract(tenant, commissioner.body)
    contract.start_date, contract.end_date = previous.start, after.end
    contract.save()
    return contract


def options(content: bytes) -> list[tuple[str, str]]:
    return [
        (key, html.unescape(label))
        for key, label in re.findall(
            r'<option value="([^"]*)"[^>]*>([^<]*)</option>', content.decode()
        )
    ]


def in_progress_note(quarter_end: dt.date) -> str:
    today = timezone.localdate()
    return (
        f"In progress: this period runs to {quarter_end:%d/%m/%Y}, so these are the "
        f"figures so far, up to today ({today:%d/%m/%Y}). They will change until "
        "the period ends."
    )


def test_a_funder_is_offered_quarters_up_to_the_current_one_and_opens_on_the_last_ended(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    previous, current, _, _ = quarters()
    contract = running_contract(tenant_a, commissioner)
    page = verified_client(commissioner.user).get(report_url(contract))
    assert page.status_code == 200
    assert options(page.content) == [
        (previous.key, previous.label),
        (current.key, f"{current.label}, in progress"),
    ]
    text = words(page.content)
    assert (
        f"This report covers {previous.start:%d/%m/%Y} to {previous.end:%d/%m/%Y}"
        in text
    )
    assert 'id="period-in-progress"' not in page.content.decode()
    assert "In progress" not in text


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx", "pdf"])
def test_a_quarter_not_started_gets_a_message_and_no_figures(
    tenant_a: Tenant, commissioner: CommissionerMembership, fmt: str
) -> None:
    _, _, upcoming, after = quarters()
    contract = running_contract(tenant_a, commissioner)
    funder = verified_client(commissioner.user)
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    for client, page_url, quarter, label in (
        (funder, report_url, upcoming, upcoming.label),
        (funder, report_url, after, after.label),
        (staff, staff_report_url, upcoming, None),
    ):
        response = client.get(page_url(contract, period=quarter.key, format=fmt))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        text = words(response.content)
        named = label or f"({quarter.start:%d/%m/%Y} to {quarter.end:%d/%m/%Y})"
        assert f"The period {label or ''}" in text
        assert named in text
        assert "has not started yet, so there are no figures for it." in text
        assert b"data-code=" not in response.content
        assert "People engaged" not in text
        assert "This report covers" not in text
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_the_current_quarter_says_its_figures_are_so_far_on_the_page_and_in_files(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    previous, current, _, _ = quarters()
    contract = running_contract(tenant_a, commissioner)
    funder = verified_client(commissioner.user)
    page = funder.get(report_url(contract, period=current.key))
    assert page.status_code == 200
    assert b"data-code=" in page.content
    callout = re.search(
        r'id="period-in-progress">(.*?)</div>', page.content.decode(), re.S
    )
    assert callout is not None
    assert words(callout.group(1)) == (
        f"Important: This period is not over yet {in_progress_note(current.end)}"
    )
    # Stored: the report read up to today and says so; last quarter's has ended.
    today = timezone.localdate()
    built = build_report(contract, start=current.start, end=current.end, today=today)
    assert (built.start, built.end, built.figures_to) == (
        current.start,
        current.end,
        today,
    )
    ended = build_report(contract, start=previous.start, end=previous.end, today=today)
    assert ended.figures_to is None and ended.in_progress_note == ""
    # The files say it too.
    rows = list(
        csv.DictReader(
            io.StringIO(
                funder.get(
                    report_url(contract, period=current.key, format="csv")
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows
    assert {r["Period status"] for r in rows} == {in_progress_note(current.end)}
    assert {(r["From"], r["To"]) for r in rows} == {
        (f"{current.start:%d/%m/%Y}", f"{current.end:%d/%m/%Y}")
    }
    last = funder.get(report_url(contract, period=previous.key, format="csv"))
    last_rows = list(csv.DictReader(io.StringIO(last.content.decode("utf-8-sig"))))
    assert {r["Period status"] for r in last_rows} == {"Ended"}
    assert _summary(
        funder.get(report_url(contract, period=current.key, format="xlsx")).content
    )["Period status"] == in_progress_note(current.end)


def _summary(content: bytes) -> dict[str, Any]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content))["Summary"]
    return {
        row[0]: row[1]
        for row in sheet.iter_rows(values_only=True)
        if row and len(row) > 1
    }


def test_staff_see_periods_up_to_today_and_the_running_contract_in_progress(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    previous, current, upcoming, after = quarters()
    contract = running_contract(tenant_a, commissioner)
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    page = staff.get(staff_report_url(contract))
    assert page.status_code == 200
    keys = [key for key, _ in options(page.content)]
    assert keys == ["", previous.key, current.key, "custom"]
    assert dict(options(page.content))[current.key].endswith(", in progress")
    # The whole contract period runs on past today: in progress, figures so far.
    text = words(page.content)
    assert in_progress_note(after.end) in text
    assert f"{previous.start:%d/%m/%Y} to {after.end:%d/%m/%Y}" in text
    # Custom dates may end later (in progress) but not start after today.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = staff.get(
        staff_report_url(
            contract,
            period="custom",
            start=f"{tomorrow:%d/%m/%Y}",
            end=f"{after.end:%d/%m/%Y}",
        )
    )
    assert refused.status_code == 400
    assert b"data-code=" not in refused.content
    assert (
        f"The start of the period must be today ({timezone.localdate():%d/%m/%Y}) "
        "or earlier: there are no figures yet for days to come"
    ) in html.unescape(refused.content.decode())
    running = staff.get(
        staff_report_url(
            contract,
            period="custom",
            start=f"{previous.start:%d/%m/%Y}",
            end=f"{upcoming.end:%d/%m/%Y}",
        )
    )
    assert running.status_code == 200
    assert in_progress_note(upcoming.end) in words(running.content)


def test_figures_so_far_leave_out_what_starts_after_today(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    """Episodes booked to start next quarter are not in today's figures: the
    defect counted people engaged in a quarter that had not happened."""
    previous, _, upcoming, after = quarters()
    contract = running_contract(tenant_a, commissioner)
    for i in range(8):
        add_person(tenant_a, f"F{i}", [], start=upcoming.start)
    today = timezone.localdate()
    so_far = build_report(contract, start=previous.start, end=after.end, today=today)
    assert shown(so_far, "new_episodes") == 10
    assert shown(so_far, "people_engaged") == 10
    with pytest.raises(ValueError, match="has not started"):
        build_report(contract, start=upcoming.start, end=upcoming.end, today=today)


def test_a_contract_not_started_has_no_figures_yet(
    tenant_a: Tenant, commissioner: CommissionerMembership
) -> None:
    _, _, upcoming, after = quarters()
    contract = make_contract(tenant_a, commissioner.body)
    contract.start_date, contract.end_date = upcoming.start, after.end
    contract.save()
    staff = verified_client(tenant_a.members[Role.MANAGER.value].user)
    page = staff.get(staff_report_url(contract))
    assert page.status_code == 200
    assert b"data-code=" not in page.content
    assert (
        f"This contract starts on {upcoming.start:%d/%m/%Y}, so there are no "
        "figures yet: its report can be shown from that day."
    ) in words(page.content)
    funder = verified_client(commissioner.user).get(report_url(contract))
    assert funder.status_code == 200
    assert b"data-code=" not in funder.content
    assert (
        f"The contract's first whole quarter, {upcoming.label}, starts on "
        f"{upcoming.start:%d/%m/%Y}, so there are no figures yet"
    ) in words(funder.content)
