"""Moving between organisations, and what a worker may not reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openproms.accounts.models import Membership
from openproms.accounts.policy import Role
from tests.browser.helpers import check_page, sign_in

pytestmark = pytest.mark.browser

MAX_TABS = 30


def _tab_to(page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement?.matches(s) ?? false", selector
        ):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_member_of_two_organisations_switches_by_keyboard(page, tenant_a, tenant_b):
    worker = tenant_a.members["worker"].user
    Membership.objects.create(
        user=worker, organisation=tenant_b.organisation, role=Role.VIEWER
    )

    sign_in(page, worker)
    # Two organisations: home asks which one.
    expect(page.get_by_role("link", name="Alpha Charity", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Beta Practice", exact=True)).to_be_visible()
    check_page(page, narrow=True)

    page.goto("/o/alpha/")
    switcher = page.get_by_label("Organisation")
    expect(switcher).to_have_value("alpha")

    options = switcher.locator("option").evaluate_all("(os) => os.map(o => o.value)")
    steps = options.index("beta") - options.index("alpha")
    _tab_to(page, "#org-switcher")
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(switcher).to_have_value("beta")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Switch")).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url("**/o/beta/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta Practice")
    expect(page.get_by_text("You are signed in as viewer")).to_be_visible()
    expect(switcher).to_have_value("beta")
    check_page(page, narrow=True)


def test_worker_gets_not_found_for_another_organisation_and_forbidden_for_members(
    page, tenant_a, tenant_b
):
    worker = tenant_a.members["worker"].user
    sign_in(page, worker)
    page.wait_for_url("**/o/alpha/")

    response = page.goto(f"/o/{tenant_b.organisation.slug}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Beta Practice")).to_have_count(0)
    check_page(page, narrow=True)

    # No link to Members for a worker, and the address itself is refused.
    page.goto("/o/alpha/")
    expect(page.get_by_role("link", name="Members", exact=True)).to_have_count(0)
    response = page.goto("/o/alpha/members/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    check_page(page, narrow=True)
