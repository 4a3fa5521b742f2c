"""A commissioner's journey on the demo: sign in, open their contracts, read a
contract's report and download it as PDF, Excel and CSV.

What they see is checked against what is stored: every figure on the page is the
report built from the database, each file carries the same figures, and the people
who said no to sharing their answers with funders are counted in none of them (the
same report with their decisions undone differs). The method note says how
consent is used, and the commissioner is not told how many were left out.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.people.models import Consent
from openproms.reports.models import Contract
from openproms.reports.report_builder import Report, build_report
from openproms.stats.release import whole_quarters

pytestmark = pytest.mark.browser

COMMISSIONER = "commissioner@northshire-icb.example"
CONTRACT = "Mental wellbeing in the community"


def _page_figures(page: Page) -> list[tuple[str, str, str]]:
    """Every figure cell on the report page, in page order: (code, kind, text)."""
    return [
        (
            cell.get_attribute("data-code") or "",
            cell.get_attribute("data-kind") or "",
            cell.inner_text().strip(),
        )
        for cell in page.locator("td[data-code]").all()
    ]


def _same(rows: list[tuple[str, str, str]]) -> list[tuple[str, str, Any]]:
    """Rows with numbers as numbers (a workbook keeps 100.0 as 100)."""

    def value(text: str) -> Any:
        try:
            return float(text)
        except ValueError:
            return text

    return [(code, kind, value(text)) for code, kind, text in rows]


def _stored(report: Report) -> list[tuple[str, str, str]]:
    return [(f.name, f.kind, str(f.value)) for f in report.all_figures()]


def _counted_anyway(contract: Contract, start: Any, end: Any) -> Report:
    """The same report as if nobody had said no to sharing with funders (built in
    a transaction that is rolled back: nothing stored changes)."""

    class Undo(Exception):
        pass

    built: list[Report] = []
    try:
        with transaction.atomic():
            Consent.objects.filter(kind=Consent.Kind.SHARE_WITH_FUNDERS).delete()
            built.append(build_report(contract, start=start, end=end))
            raise Undo
    except Undo:
        pass
    return built[0]


def _download(page: Page, link: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    return info.value.path().read_bytes()


def _xlsx_rows(content: bytes) -> tuple[list[tuple[str, str, str]], str]:
    """The figure rows of every figures sheet (code, kind, value), and all the
    workbook's text."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    rows: list[tuple[str, str, str]] = []
    text: list[str] = []
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            text.extend(str(cell) for cell in row if cell is not None)
            if sheet.title not in ("Summary", "Methods") and row[1] != "Code":
                rows.append((str(row[1]), str(row[2]), str(row[3])))
    return rows, "\n".join(text)


def _pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    return " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in pdf
    )


def test_a_commissioner_reads_a_report_and_its_downloads_leave_out_who_said_no(
    page: Page, demo: Any, sign_in_as: Any, shot: Any
) -> None:
    contract = Contract.objects.get(name=CONTRACT)
    decliners = Consent.objects.filter(
        kind=Consent.Kind.SHARE_WITH_FUNDERS,
        given=False,
        service_user__episodes__service__in=contract.services.all(),
    ).distinct()
    assert decliners.count() == 3  # the demo's people who said no, in this contract

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_as(page, COMMISSIONER)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Northshire Integrated Care Board"
    )
    shot(page, "commissioner home")
    page.get_by_role("link", name="All contracts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contracts funded by Northshire Integrated Care Board"
    )
    expect(page.get_by_role("table")).to_contain_text(
        f"{contract.start_date:%d/%m/%Y} to {contract.end_date:%d/%m/%Y}"
    )
    shot(page, "their contracts")
    page.get_by_role("link", name=re.compile(CONTRACT)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{CONTRACT}: outcomes report"
    )
    # A funder reads one whole quarter at a time (decision 0015): at first the
    # latest one ended; they choose one where the people who said no had scores.
    quarters = whole_quarters(contract.start_date, contract.end_date)
    today = timezone.localdate()
    latest = [q for q in quarters if q.end < today][-1]
    expect(page.locator("dd", has_text=f"{latest.start:%d/%m/%Y} to ")).to_be_visible()
    expect(page.get_by_label("Start of the period")).to_have_count(0)
    shot(page, "the report")

    def differs(q: Any) -> bool:
        shown = _stored(build_report(contract, start=q.start, end=q.end))
        counted = _stored(_counted_anyway(contract, q.start, q.end))
        return all(
            [f for f in shown if f[0] == code] != [f for f in counted if f[0] == code]
            for code in ("people_engaged", "n")
        )

    quarter = next(q for q in quarters if q.start <= today and differs(q))
    page.get_by_label("Period", exact=True).select_option(quarter.key)
    page.get_by_role("button", name="Show the report").click()
    expect(
        page.locator(
            "dd", has_text=f"{quarter.start:%d/%m/%Y} to {quarter.end:%d/%m/%Y}"
        )
    ).to_be_visible()
    shot(page, "the report for a quarter")

    # Seen = stored: every figure on the page is the report the database gives.
    report = build_report(contract, start=quarter.start, end=quarter.end)
    seen = _page_figures(page)
    assert seen == _stored(report)
    # ... and the people who said no are not in it: counted, the figures differ.
    counted = _counted_anyway(contract, quarter.start, quarter.end)
    assert _stored(counted) != _stored(report)
    assert Consent.objects.filter(pk__in=decliners).count() == 3  # nothing undone
    for code in ("people_engaged", "n"):
        shown = [text for name, _, text in seen if name == code]
        if_counted = [str(f.value) for f in counted.all_figures() if f.name == code]
        assert shown != if_counted, code

    # The method note says how consent is used; the count is not shown here.
    methods = page.locator("#methods ~ h3", has_text="Consent")
    expect(methods).to_be_visible()
    methods.scroll_into_view_if_needed()
    expect(
        page.get_by_text("are left out of every figure in this report")
    ).to_be_visible()
    expect(page.get_by_text("consent as it stands today")).to_be_visible()
    expect(page.locator("#funders-left-out")).to_have_count(0)
    shot(page, "the method note on consent")

    # The downloads carry the same figures.
    csv_rows = list(
        csv.DictReader(
            io.StringIO(
                _download(page, "Download all figures as CSV").decode("utf-8-sig")
            )
        )
    )
    assert [(r["Code"], r["Kind"], r["Value"]) for r in csv_rows] == seen
    assert {r["From"] for r in csv_rows} == {f"{quarter.start:%d/%m/%Y}"}
    xlsx_rows, xlsx_text = _xlsx_rows(_download(page, "Download as Excel workbook"))
    assert _same(xlsx_rows) == _same(seen)
    assert "said no to their answers being included" in xlsx_text
    pdf = _pdf_text(_download(page, "Download as PDF"))
    assert "said no to their answers being included" in pdf
    position = 0
    for figure in report.all_figures():
        # Each figure's value follows its label, row by row in the report's order.
        label = figure.label.split(" (")[0]
        label_at = pdf.find(label, position)
        assert label_at >= 0, figure.label
        value_at = pdf.find(f" {figure.value}", label_at + len(label))
        assert 0 <= value_at - label_at < 120, (figure.label, figure.value)
        position = label_at + len(label)
