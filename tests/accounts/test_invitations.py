"""Inviting people to an organisation by an emailed, expiring, single-use link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Invitation, Membership, User
from openproms.audit.models import AuditEvent
from tests.conftest import PASSWORD, Tenant, make_user, verified_client


def _invite(
    tenant: Tenant, email: str = "new.person@example.org", role: str = "worker"
) -> str:
    admin = verified_client(tenant.members["org_admin"].user)
    # The email goes only once the invitation is committed.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin.post(
            reverse(
                "accounts:member_invite", kwargs={"org_slug": tenant.organisation.slug}
            ),
            {"email": email, "role": role},
        )
    assert response.status_code == 302
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line
    )
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.mark.django_db
def test_an_admin_invites_someone_new_who_joins_with_the_role_given(
    tenant_a: Tenant,
) -> None:
    path = _invite(tenant_a, role="data_officer")
    assert mail.outbox[-1].to == ["new.person@example.org"]
    newcomer = Client()
    page = newcomer.get(path)
    assert page.status_code == 200 and b"Join Alpha Charity" in page.content
    response = newcomer.post(
        path,
        {
            "full_name": "New Person",
            "password1": "river-stone-lantern",
            "password2": "river-stone-lantern",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/o/alpha/"
    membership = Membership.objects.get(user__email="new.person@example.org")
    assert membership.role == "data_officer"
    assert newcomer.get("/o/alpha/").status_code == 200
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"member.invite", "member.join", "user.create"} <= actions


@pytest.mark.django_db
def test_an_invitation_link_works_once(tenant_a: Tenant) -> None:
    path = _invite(tenant_a)
    data = {
        "full_name": "A",
        "password1": "river-stone-lantern",
        "password2": "river-stone-lantern",
    }
    assert Client().post(path, data).status_code == 302
    again = Client().get(path)
    assert (
        again.status_code == 404 and b"This invitation does not work" in again.content
    )


@pytest.mark.django_db
def test_an_expired_invitation_does_not_work_and_creates_nobody(
    tenant_a: Tenant,
) -> None:
    path = _invite(tenant_a)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    data = {
        "full_name": "A",
        "password1": "river-stone-lantern",
        "password2": "river-stone-lantern",
    }
    response = Client().post(path, data)
    assert response.status_code == 404
    assert not User.objects.filter(email="new.person@example.org").exists()


@pytest.mark.django_db
def test_a_made_up_invitation_link_reveals_nothing(db: None) -> None:
    response = Client().get("/invitations/not-a-real-token/")
    assert (
        response.status_code == 404
        and b"This invitation does not work" in response.content
    )


@pytest.mark.django_db
def test_mismatched_or_weak_passwords_are_refused_and_nothing_is_stored(
    tenant_a: Tenant,
) -> None:
    path = _invite(tenant_a)
    response = Client().post(
        path,
        {
            "full_name": "A",
            "password1": "river-stone-lantern",
            "password2": "different-words-here",
        },
    )
    assert response.status_code == 400 and b"do not match" in response.content
    weak = Client().post(
        path, {"full_name": "A", "password1": "12345678", "password2": "12345678"}
    )
    assert weak.status_code == 400
    assert not User.objects.filter(email="new.person@example.org").exists()
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.django_db
def test_someone_with_an_account_signs_in_then_joins(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    path = _invite(tenant_a, email="worker@beta.test")
    visitor = Client()
    assert visitor.get(path)["Location"].startswith("/sign-in/")
    visitor.post("/sign-in/", {"username": "worker@beta.test", "password": PASSWORD})
    assert visitor.post(path).status_code == 302
    assert Membership.objects.filter(
        user__email="worker@beta.test", organisation__slug="alpha"
    ).exists()


@pytest.mark.django_db
def test_an_invitation_for_someone_else_is_refused(tenant_a: Tenant) -> None:
    path = _invite(tenant_a)
    other = verified_client(make_user("someone.else@example.org"))
    response = other.post(path)
    assert response.status_code == 403
    assert not Membership.objects.filter(
        user__email="someone.else@example.org"
    ).exists()


@pytest.mark.django_db
def test_inviting_an_existing_member_or_a_bad_address_says_which_field(
    tenant_a: Tenant,
) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    url = reverse("accounts:member_invite", kwargs={"org_slug": "alpha"})
    existing = admin.post(url, {"email": "worker@alpha.test", "role": "worker"})
    assert existing.status_code == 400 and b"already a member" in existing.content
    bad = admin.post(url, {"email": "not-an-email", "role": "worker"})
    assert bad.status_code == 400 and b"correct format" in bad.content
    tampered = admin.post(url, {"email": "x@example.org", "role": "superuser"})
    assert tampered.status_code == 400
    assert Invitation.objects.count() == 0 and mail.outbox == []


@pytest.mark.django_db
def test_withdrawing_an_invitation_stops_its_link(tenant_a: Tenant) -> None:
    path = _invite(tenant_a)
    invitation = Invitation.objects.get()
    admin = verified_client(tenant_a.members["org_admin"].user)
    admin.post(
        reverse(
            "accounts:invitation_revoke",
            kwargs={"org_slug": "alpha", "invitation_pk": invitation.pk},
        )
    )
    assert Client().get(path).status_code == 404
    assert AuditEvent.objects.filter(action="member.invite_revoke").count() == 1


@pytest.mark.django_db
def test_a_second_invitation_to_a_waiting_address_is_refused_and_joining_closes_others(
    tenant_a: Tenant,
) -> None:
    """Inviting an address with an invitation already waiting says so and sends
    nothing; once the person joins, no other invitation to them stays pending."""
    from openproms.accounts.services import invitation_create

    path = _invite(tenant_a, email="sam@example.org")
    admin = verified_client(tenant_a.members["org_admin"].user)
    url = reverse("accounts:member_invite", kwargs={"org_slug": "alpha"})
    sent = len(mail.outbox)
    again = admin.post(url, {"email": "Sam@example.org", "role": "worker"})
    assert again.status_code == 400
    assert (
        "An invitation to sam@example.org is already waiting" in again.content.decode()
    )
    assert Invitation.objects.count() == 1 and len(mail.outbox) == sent
    # An older invitation to the same address (sent before this rule).
    older, _ = invitation_create(
        organisation=tenant_a.organisation,
        email="sam@example.org",
        role="viewer",
        actor=tenant_a.members["org_admin"].user,
    )
    data = {
        "full_name": "Sam",
        "password1": "river-stone-lantern",
        "password2": "river-stone-lantern",
    }
    assert Client().post(path, data).status_code == 302
    older.refresh_from_db()
    assert not older.is_pending and older.accepted_at is None
    members = admin.get(reverse("accounts:member_list", kwargs={"org_slug": "alpha"}))
    assert "sam@example.org" not in members.content.decode().split("Pending")[-1]


def test_emailed_links_name_the_address_openproms_start_serves() -> None:
    from openproms.cli import served_url

    assert served_url("127.0.0.1", 8391) == "http://127.0.0.1:8391"
    assert served_url("0.0.0.0", 8080) == "http://127.0.0.1:8080"  # noqa: S104
    assert served_url("proms.example.org", 80) == "http://proms.example.org:80"
