"""A commissioner reads a contract's report and downloads it in every format; a
manager sets up a contract and reads the burden of a service's contracts."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from openproms.accounts.policy import Role
from openproms.catalogue.models import OrganisationMeasure
from tests.browser.helpers import check_page, sign_in, sign_in_verified
from tests.reports.test_commissioner_reports import make_contract, ten_people

pytestmark = pytest.mark.browser

FORMATS = {
    "Download as PDF": ("application/pdf", ".pdf"),
    "Download as Excel workbook": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "Download all figures as CSV": ("text/csv", ".csv"),
}


def _text_of(suffix: str, content: bytes) -> str:
    if suffix == ".csv":
        return content.decode("utf-8-sig")
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content))
        return "\n".join(
            str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row
        )
    import pypdfium2 as pdfium

    return "\n".join(
        p.get_textpage().get_text_range() for p in pdfium.PdfDocument(content)
    )


def test_a_commissioner_reads_the_report_and_downloads_every_format(
    page, tenant_a, commissioner, live_server
):
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    sign_in(page, commissioner.user)
    page.wait_for_url("**/commissioners/north-icb/")
    check_page(page, narrow=True)
    page.get_by_role("link", name="Talking therapies").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Talking therapies: outcomes report"
    )
    # A funder sees one whole quarter at a time: at first the latest one started.
    expect(page.locator("dd", has_text="01/01/2026 to 31/03/2026")).to_be_visible()
    period = page.get_by_label("Period", exact=True)
    assert period.locator("option").all_inner_texts() == [
        "April to June 2025 (2025-26 Q1)",
        "July to September 2025 (2025-26 Q2)",
        "October to December 2025 (2025-26 Q3)",
        "January to March 2026 (2025-26 Q4)",
    ]
    expect(page.get_by_label("Start of the period")).to_have_count(0)
    check_page(page, narrow=True)
    period.select_option("2025-Q2")
    page.get_by_role("button", name="Show the report").click()
    expect(page.locator("dd", has_text="01/07/2025 to 30/09/2025")).to_be_visible()
    expect(page.locator('[data-code="mean_change"]').first).to_have_text("-4.9")
    expect(page.get_by_role("heading", name="Methods")).to_be_visible()
    check_page(page, narrow=True, reload=False)
    for link, (content_type, suffix) in FORMATS.items():
        with page.expect_download() as info:
            page.get_by_role("link", name=link).click()
        download = info.value
        assert download.suggested_filename.endswith(f"-20250701-20250930{suffix}")
        content = download.path().read_bytes()
        text = _text_of(suffix, content)
        assert "-4.9" in text, link  # the disclosed mean change
        href = page.get_by_role("link", name=link).get_attribute("href")
        response = page.request.get(page.url.split("?")[0] + href)
        assert response.headers["content-type"].startswith(content_type)
    # Days typed into the address: a clear message and no report (decision 0015).
    page.goto(page.url.split("?")[0] + "?start=01/07/2025&end=01/07/2025")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Reports for funders cover one whole quarter at a time"
    )
    expect(page.get_by_role("heading", name="Reach")).to_have_count(0)
    check_page(page, narrow=True, reload=False)
    assert contract.pk


def test_a_manager_adds_a_contract_and_reads_the_burden(
    page, tenant_a, commissioner, live_server
):
    OrganisationMeasure.objects.create(
        organisation=tenant_a.organisation, measure_id="phq9", measure_version="1"
    )
    manager = tenant_a.members[Role.MANAGER.value].user
    sign_in_verified(page, manager, live_server.url)
    page.goto("/o/alpha/contracts/")
    check_page(page, narrow=True)
    page.get_by_role("link", name="Add a contract").click()
    check_page(page, narrow=True)
    page.get_by_role("button", name="Save contract").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a name for the contract"
    )
    page.get_by_label("Commissioner").select_option(label="North ICB")
    page.get_by_label("Contract name").fill("Depression outcomes")
    page.get_by_label("Alpha Charity service").check()
    page.get_by_label("Start date").fill("01/04/2025")
    page.get_by_label("End date").fill("31/03/2026")
    page.get_by_label("PHQ-9", exact=True).check()
    page.get_by_label("PHQ-2 (from PHQ-9 answers)").check()
    page.get_by_role("button", name="Save contract").click()
    expect(page.get_by_text("Contract “Depression outcomes” added.")).to_be_visible()
    page.get_by_role(
        "link", name="Alpha Charity service: what the contracts ask"
    ).click()
    expect(page.locator("#asked-start")).to_have_text("10")
    expect(page.locator("#saved-start")).to_have_text("2")
    check_page(page, narrow=True)
