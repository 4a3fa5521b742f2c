"""Accessibility (axe-core) and 320 px reflow checks on the everyday pages, with the
behaviour each page must get right for people using assistive technology."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openproms.accounts import services
from tests.browser.helpers import check_page, sign_in, sign_in_verified

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_page(page, tenant_a, live_server):
    """A page signed in as Alpha Charity's organisation admin."""
    sign_in_verified(page, tenant_a.members["org_admin"].user, live_server.url)
    return page


def test_services_list_and_add_service_form(admin_page, tenant_a):
    page = admin_page
    page.goto("/o/alpha/services/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services")
    expect(
        page.get_by_role("cell", name=tenant_a.service.name, exact=True)
    ).to_be_visible()
    check_page(page, narrow=True)

    page.get_by_role("link", name="Add a service").click()
    page.wait_for_url("**/services/new/")
    check_page(page, narrow=True)

    # Sent empty: the error summary takes focus and links to the field in error.
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Enter a name for the service")
    expect(link).to_have_attribute("href", "#id_name")
    name = page.get_by_label("Service name")
    expect(name).to_have_attribute("id", "id_name")
    expect(name).to_have_attribute("aria-describedby", re.compile(r"\bid_name-error\b"))
    check_page(page)
    link.click()
    expect(name).to_be_focused()

    name.fill("Walking group")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/o/alpha/services/")
    expect(page.get_by_role("cell", name="Walking group", exact=True)).to_be_visible()


def test_members_list_and_change_role(admin_page, tenant_a):
    page = admin_page
    worker = tenant_a.members["worker"].user
    page.goto("/o/alpha/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Members and roles")
    check_page(page, narrow=True)

    page.get_by_role("link", name=f"Change role of {worker.email}").click()
    page.wait_for_url("**/role/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change the role of")
    expect(page.get_by_role("radio", name="Worker", exact=True)).to_be_checked()
    check_page(page, narrow=True)

    page.get_by_role("radio", name="Viewer", exact=True).check()
    page.get_by_role("button", name="Save role").click()
    page.wait_for_url("**/o/alpha/members/")
    expect(page.get_by_role("status")).to_contain_text("is now viewer")


def test_audit_log_with_a_filter(admin_page, tenant_a):
    page = admin_page
    services.invitation_create(
        organisation=tenant_a.organisation,
        email="someone@example.org",
        role="viewer",
        actor=tenant_a.members["org_admin"].user,
    )
    page.goto("/o/alpha/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    check_page(page, narrow=True)

    page.get_by_label("What was done").select_option(label="Member invited")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"/o/alpha/audit/\?.*action=member\.invite"))
    expect(page.get_by_label("What was done")).to_have_value("member.invite")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Member invited")
    check_page(page, narrow=True)


def test_account_page(admin_page):
    page = admin_page
    page.goto("/account/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("link", name="Alpha Charity", exact=True)).to_be_visible()
    check_page(page, narrow=True)


def test_password_reset_page(page, tenant_a):
    page.goto("/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_url("**/password-reset/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    check_page(page, narrow=True)

    page.get_by_role("textbox", name="Email").fill(
        tenant_a.members["worker"].user.email
    )
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_url("**/password-reset/sent/")
    check_page(page, narrow=True)


def test_commissioner_home(page, commissioner):
    # Commissioner users need no second factor.
    sign_in(page, commissioner.user)
    page.wait_for_url(f"**/commissioners/{commissioner.body.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(commissioner.body.name)
    check_page(page, narrow=True)


def test_the_browser_refuses_inline_style_and_script_and_the_crawl_reports_it(
    admin_page, live_server
):
    """The Content-Security-Policy is enforced (decision 0015), and what it refuses
    is a finding of the crawl (tests/browser/crawler.py): a page broken by the
    policy fails the crawl."""
    from tests.browser.crawler import crawl

    page = admin_page
    seen: list[str] = []
    page.on("console", lambda message: seen.append(message.text))
    page.goto("/o/alpha/services/")
    # What a template with inline markup would do: refused, and said in the console.
    page.evaluate(
        """() => {
          const box = document.createElement("div");
          box.innerHTML = '<p style="color: red">x</p><img src="x" onerror="1">';
          document.body.append(box);
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.inlineRan") is None
    refused = [line for line in seen if "Content Security Policy" in line]
    assert any("inline style" in line for line in refused), seen
    assert any("inline script" in line or "script-src" in line for line in refused)

    # The crawl of a clean page finds nothing; the same page made to break the
    # policy when it loads is reported.
    clean = crawl(
        page,
        role="org_admin",
        base_url=live_server.url,
        starts=("/o/alpha/services/",),
        max_pages=1,
    )
    assert [f for f in clean.findings if "Content-Security-Policy" in f.kind] == []
    page.add_init_script(
        """document.addEventListener("DOMContentLoaded", () => {
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>');
        });"""
    )
    broken = crawl(
        page,
        role="org_admin",
        base_url=live_server.url,
        starts=("/o/alpha/services/",),
        max_pages=1,
    )
    kinds = [f.kind for f in broken.findings]
    assert "Content-Security-Policy violation" in kinds, broken.findings
