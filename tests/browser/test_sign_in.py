"""Signing in: password and authenticator code, a wrong password, first-time
two-factor set-up, and a recovery code in place of the authenticator."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    check_page,
    enter_security_code,
    fill_password_form,
    known_totp_device,
    totp_code,
    totp_code_for_secret,
)

pytestmark = pytest.mark.browser


def test_admin_signs_in_with_password_and_authenticator(page, tenant_a):
    admin = tenant_a.members["org_admin"].user
    device = known_totp_device(admin)

    page.goto("/sign-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to openproms")
    check_page(page, narrow=True)

    fill_password_form(page, admin.email, "not-the-password")
    expect(page).to_have_url(re.compile(r"/sign-in/$"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The email address or password is not right")
    check_page(page)

    fill_password_form(page, admin.email)
    page.wait_for_url("**/account/two-factor/verify/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter your security code"
    )
    check_page(page, narrow=True)

    enter_security_code(page, totp_code(device))
    page.wait_for_url("**/o/alpha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Charity")
    expect(page.get_by_text("You are signed in as organisation admin")).to_be_visible()
    check_page(page, narrow=True)


def test_admin_without_authenticator_sets_one_up_then_uses_a_recovery_code(
    page, tenant_a
):
    admin = tenant_a.members["org_admin"].user

    fill_password_form(page, admin.email)
    page.wait_for_url("**/account/two-factor/set-up/**")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up two-factor authentication"
    )
    # Anything else sends them back here until they have set it up.
    page.goto("/o/alpha/")
    page.wait_for_url("**/account/two-factor/set-up/**")
    check_page(page, narrow=True)

    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})*", secret.strip()), secret
    page.get_by_label("Code from your authenticator app").fill(
        totp_code_for_secret(secret)
    )
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    page.wait_for_url("**/account/recovery-codes/")
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) >= 5
    assert all(code.strip() for code in codes)
    check_page(page, narrow=True, reload=False)  # shown once: reloading loses them

    page.get_by_role("link", name="I have saved my codes").click()
    page.wait_for_url("**/o/alpha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Charity")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    fill_password_form(page, admin.email)
    page.wait_for_url("**/account/two-factor/verify/**")
    enter_security_code(page, codes[0].strip())
    page.wait_for_url("**/o/alpha/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Charity")
