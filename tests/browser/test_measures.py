"""The organisation's measures in a real browser: choosing a measure, and supplying
the wording of a licensed measure by uploading a file, checked with axe and at
320 px."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from openproms.catalogue.models import MeasureWording, OrganisationMeasure
from openproms.scoring import get_measure
from tests.browser.helpers import check_page, sign_in_verified

pytestmark = pytest.mark.browser


def test_a_manager_chooses_a_measure(page, tenant_a, live_server):
    sign_in_verified(page, tenant_a.members["manager"].user, live_server.url)
    page.goto("/o/alpha/measures/")
    check_page(page, narrow=True)

    page.get_by_role("link", name="GAD-7", exact=True).click()
    page.wait_for_url("**/measures/gad7/1/")
    check_page(page, narrow=True)
    page.get_by_role("button", name="Use GAD-7").click()
    page.wait_for_url("**/measures/gad7/1/")
    expect(page.get_by_text("Your organisation now uses GAD-7.")).to_be_visible()
    assert OrganisationMeasure.objects.get().measure_id == "gad7"
    page.goto("/o/alpha/measures/")
    in_use = page.get_by_role("region", name="Measures your organisation uses")
    expect(in_use.get_by_role("link", name="GAD-7")).to_be_visible()


def test_an_admin_uploads_the_wording_of_a_licensed_measure(
    page, tenant_a, live_server, tmp_path
):
    definition = get_measure("who5", "1")
    wording = {
        "items": {item.id: f"Licensed wording {item.id}" for item in definition.items},
        "options": {
            rid: {str(o.code): f"Answer {o.code}" for o in rs.options}
            for rid, rs in definition.response_sets.items()
        },
    }
    good = tmp_path / "who5.json"
    good.write_text(json.dumps(wording))
    bad = tmp_path / "who5.csv"
    bad.write_text("item_id,text\nwho5_1,\n")

    sign_in_verified(page, tenant_a.members["org_admin"].user, live_server.url)
    page.goto("/o/alpha/measures/who5/1/")
    expect(page.get_by_text("The wording is licensed")).to_be_visible()
    check_page(page, narrow=True)
    page.get_by_role("link", name="Supply the wording for WHO-5").click()
    page.wait_for_url("**/wording/")
    check_page(page, narrow=True)

    page.get_by_label("Licence reference").fill("WHO-2025-17")
    page.get_by_label("Upload the wording as a file (optional)").set_input_files(
        str(bad)
    )
    page.get_by_role("button", name="Save the wording").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Row 2: give both item_id and text"
    )
    check_page(page)
    assert not MeasureWording.objects.exists()

    page.get_by_label("Licence reference").fill("WHO-2025-17")
    page.get_by_label("Upload the wording as a file (optional)").set_input_files(
        str(good)
    )
    page.get_by_role("button", name="Save the wording").click()
    page.wait_for_url("**/measures/who5/1/")
    expect(page.get_by_text("Licensed wording who5_1")).to_be_visible()
    expect(page.get_by_text("under licence WHO-2025-17")).to_be_visible()
    check_page(page, narrow=True)
    assert MeasureWording.objects.get().licence_reference == "WHO-2025-17"
