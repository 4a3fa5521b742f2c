"""Inviting someone: the admin sends the invitation, the new person accepts it, and
a used or expired link is refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from openproms.accounts import services
from openproms.accounts.models import Invitation
from tests.browser.helpers import check_page, open_from_menu, sign_in_verified

pytestmark = pytest.mark.browser

NEW_EMAIL = "new.worker@example.org"
NEW_PASSWORD = "plum orbit lantern meadow"
LINK = re.compile(r"https?://\S+?(/invitations/[^/\s]+/)")


def test_admin_invites_a_worker_who_accepts_as_a_new_user(
    new_page, tenant_a, live_server
):
    admin = tenant_a.members["org_admin"].user
    page = new_page()
    sign_in_verified(page, admin, live_server.url)
    page.goto("/o/alpha/")

    open_from_menu(page, "Members")
    page.wait_for_url("**/o/alpha/members/")
    check_page(page, narrow=True)

    page.get_by_role("link", name="Invite someone").click()
    page.wait_for_url("**/members/invite/")
    check_page(page, narrow=True)

    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_role("radio", name="Worker", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_url("**/o/alpha/members/")
    expect(page.get_by_role("status")).to_contain_text(
        f"Invitation sent to {NEW_EMAIL}"
    )
    pending = page.get_by_role("heading", name="Pending invitations").locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(pending).to_contain_text(f"{NEW_EMAIL} as worker")

    # The live server runs in this process, so its email lands in Django's outbox.
    assert [message.to for message in mail.outbox] == [[NEW_EMAIL]]
    match = LINK.search(mail.outbox[0].body)
    assert match, mail.outbox[0].body
    link = match.group(1)

    newcomer = new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join Alpha Charity")
    check_page(newcomer, narrow=True)
    newcomer.get_by_label("Your full name").fill("Nadia Worker")
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Type the password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Accept the invitation").click()

    newcomer.wait_for_url("**/o/alpha/")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Alpha Charity")
    expect(newcomer.get_by_text("You are signed in as worker")).to_be_visible()
    expect(newcomer.get_by_role("status")).to_contain_text(
        "You are now a member of Alpha Charity"
    )
    check_page(newcomer)

    # The same link a second time, from anywhere, no longer works.
    stranger = new_page()
    response = stranger.goto(link)
    assert response is not None and response.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text(
        "This invitation does not work"
    )
    check_page(stranger)

    page.reload()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    expect(page.get_by_role("cell", name=NEW_EMAIL, exact=True)).to_be_visible()


def test_expired_invitation_does_not_work(page, tenant_a):
    admin = tenant_a.members["org_admin"].user
    invitation, link = services.invitation_create(
        organisation=tenant_a.organisation,
        email="late@example.org",
        role="worker",
        actor=admin,
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = page.goto(LINK.search(link).group(1))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This invitation does not work"
    )
    expect(page.get_by_label("Your full name")).to_have_count(0)
    check_page(page, narrow=True)
