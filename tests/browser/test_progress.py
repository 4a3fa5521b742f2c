"""Feedback in a real browser: a person's progress after answering through a
self-completion link at 320 px, the printable progress sheet, the clinician
summary's Copy button by keyboard, and the caseload's sorting and filters."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import Page, expect

from openproms.collection import links
from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    check_page,
    sign_in_verified,
)
from tests.people.factories import on_caseload
from tests.reports import phq9_answers, scored
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.browser

PHQ9_KEYS = "1111111101"  # nine items and the difficulty question


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_person_sees_their_progress_after_answering_by_link_at_320px(
    page, tenant_a, live_server
):
    person, _, points = due_person(tenant_a)
    scored(tenant_a, person, "phq9", phq9_answers(18), 40)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=tenant_a.members["worker"].user,
    )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"/s/{made.token}/")
    page.wait_for_url("**/s/answer/")
    tab_to(page, "input[type=radio]")
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/s/done/")
    tab_to(page, "button[name=skip]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.get_by_role("link", name="See my progress").click()
    page.wait_for_url("**/s/done/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    expect(
        page.get_by_text(
            "Since you started, your PHQ-9 total score went down from 18 to 8."
        )
    ).to_be_visible()
    page.wait_for_selector(".app-chart__canvas svg")
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False)
    # The used link's token still opens the same page while it has not expired.
    page.goto(f"/s/{made.token}/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    check_page(page, narrow=True)
    page.goto("/s/this-is-not-a-token/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")


def test_a_person_sees_their_progress_on_a_handed_over_screen(
    page, tenant_a, live_server
):
    person, _, _ = due_person(tenant_a)
    scored(tenant_a, person, "phq9", phq9_answers(18), 40)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/hand-over/people/{person.pk}/")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/answer/hand-over/")
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    tab_to(page, "button[name=skip]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    page.get_by_role("link", name="See my progress").click()
    page.wait_for_url("**/hand-over/progress/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    expect(
        page.get_by_text("your PHQ-9 total score went down from 18 to 8")
    ).to_be_visible()
    expect(page.locator(".nhsuk-header__navigation")).to_have_count(0)
    check_page(page, narrow=True)
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def _worker_with_person(page, tenant_a, live_server):  # type: ignore[no-untyped-def]
    who = on_caseload(tenant_a, "R1", given_name="Rae", family_name="Brook")
    scored(tenant_a, who, "phq9", phq9_answers(8), 60)
    scored(tenant_a, who, "phq9", phq9_answers(16), 3)
    scored(tenant_a, who, "swemwbs", {f"swemwbs_{n}": 3 for n in range(1, 8)}, 50)
    scored(tenant_a, who, "swemwbs", {f"swemwbs_{n}": 2 for n in range(1, 8)}, 3)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    return who


def test_a_worker_prints_the_progress_sheet_and_copies_the_clinician_summary(
    page, tenant_a, live_server
):
    who = _worker_with_person(page, tenant_a, live_server)
    page.goto(f"/o/alpha/people/{who.pk}/")
    sheet = page.get_by_role("link", name="Progress sheet (PDF)")
    response = page.request.get(sheet.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(response.body())
    image = document[0].render(scale=1).to_pil()
    assert image.size[0] > 500
    text = document[0].get_textpage().get_text_range()
    assert "Your progress" in text and "Rae Brook" in text

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("link", name="Clinician summary").click()
    page.wait_for_url("**/clinician-summary/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clinician summary")
    expect(page.get_by_text("Reliable deterioration (+8)").first).to_be_visible()
    page.wait_for_selector(".app-chart__canvas svg")
    check_page(page, narrow=True)
    tab_to(page, "#copy-record")
    page.keyboard.press("Enter")
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "PHQ-9 total [SNOMED CT 720433000]" in copied


def test_a_worker_sorts_and_filters_the_caseload(page, tenant_a, live_server):
    _worker_with_person(page, tenant_a, live_server)
    steady = on_caseload(tenant_a, "A1", given_name="Al", family_name="Able")
    scored(tenant_a, steady, "phq9", phq9_answers(10), 30)
    scored(tenant_a, steady, "phq9", phq9_answers(9), 2)
    page.goto("/o/alpha/caseload/")
    expect(page.get_by_text("+8: reliable deterioration")).to_be_visible()
    expect(page.get_by_text("-1: no reliable change")).to_be_visible()
    check_page(page, narrow=True)
    page.get_by_label("Sort by").select_option("change")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/caseload/?*sort=change*")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Rae Brook")
    page.get_by_label("Reliably deteriorated").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**deteriorated=1*")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_text("Al Able")).to_have_count(0)
    check_page(page)


def test_a_caseload_wider_than_a_phone_says_it_scrolls(page, tenant_a, live_server):
    """At 320 px the caseload is wider than the screen: a line above it says to
    scroll it sideways and its right edge is shaded; scrolled to the end, the
    left edge is; at desktop width neither shows."""
    _worker_with_person(page, tenant_a, live_server)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto("/o/alpha/caseload/")
    wrap = page.locator(".app-table-wrap")
    hint = page.locator(".app-table-scroll-hint")
    expect(hint).to_have_text(
        "The table is wider than the screen: scroll it sideways to see every column."
    )
    assert page.evaluate(
        "() => document.querySelector('.app-table-scroll-hint').nextElementSibling"
        ".classList.contains('app-table-wrap')"
    )
    expect(wrap).to_have_class(re.compile(r"app-table-wrap--more-right"))
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    expect(wrap).to_have_class(re.compile(r"app-table-wrap--more-left"))
    expect(wrap).not_to_have_class(re.compile(r"app-table-wrap--more-right"))
    check_page(page, narrow=True, reload=False)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(hint).to_have_count(0)
    expect(wrap).not_to_have_class(re.compile(r"more-(left|right)"))
