"""Signing in and out, password rules, lockout and session limits (AU2-AU5)."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from tests.conftest import PASSWORD, Tenant, verified_client

SIGN_IN = "/sign-in/"


def _post(
    client: Client, email: str, password: str, address: str = "10.0.0.1"
) -> object:
    return client.post(
        SIGN_IN, {"username": email, "password": password}, REMOTE_ADDR=address
    )


@pytest.mark.django_db
def test_a_worker_signs_in_with_a_password_and_lands_on_their_organisation(
    tenant_a: Tenant,
) -> None:
    client = Client()
    response = _post(client, "worker@alpha.test", PASSWORD)
    assert response.status_code == 302
    follow = client.get(reverse("core:home"))
    assert follow.status_code == 302 and follow["Location"] == "/o/alpha/"
    assert (
        AuditEvent.objects.filter(
            action="auth.login", actor_label="worker@alpha.test"
        ).count()
        == 1
    )


@pytest.mark.django_db
def test_a_wrong_password_says_so_changes_nothing_and_is_audited(
    tenant_a: Tenant,
) -> None:
    client = Client()
    response = _post(client, "worker@alpha.test", "not-the-password")
    assert response.status_code == 400
    assert b"The email address or password is not right" in response.content
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


@pytest.mark.django_db
def test_sign_in_ignores_an_offsite_next_address(tenant_a: Tenant) -> None:
    client = Client()
    response = client.post(
        SIGN_IN + "?next=https://evil.example/",
        {
            "username": "worker@alpha.test",
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_five_wrong_passwords_lock_that_username_from_that_address_only(
    tenant_a: Tenant,
) -> None:
    attacker = Client()
    for _ in range(5):
        _post(attacker, "worker@alpha.test", "guess", address="203.0.113.9")
    locked = _post(attacker, "worker@alpha.test", PASSWORD, address="203.0.113.9")
    assert locked.status_code == 429
    assert b"Too many attempts" in locked.content
    # The real user, elsewhere, is not locked out.
    real_user = Client()
    assert (
        _post(
            real_user, "worker@alpha.test", PASSWORD, address="198.51.100.7"
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_a_lockout_ends_after_the_cool_off(tenant_a: Tenant) -> None:
    client = Client()
    for _ in range(5):
        _post(client, "worker@alpha.test", "guess", address="203.0.113.9")
    assert (
        _post(client, "worker@alpha.test", PASSWORD, address="203.0.113.9").status_code
        == 429
    )
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert (
        _post(client, "worker@alpha.test", PASSWORD, address="203.0.113.9").status_code
        == 302
    )


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(tenant_a: Tenant) -> None:
    user = tenant_a.members["worker"].user
    assert user.password.startswith("argon2")


def test_password_rules_refuse_short_and_common_and_allow_long() -> None:
    with pytest.raises(ValidationError):
        validate_password("short")
    with pytest.raises(ValidationError):
        validate_password("password123")
    validate_password("a-long-passphrase-" * 4)  # 72 characters
    with pytest.raises(ValidationError):
        validate_password("x" * 257)


@pytest.mark.django_db
def test_signing_out_ends_the_session_and_is_audited(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get("/o/alpha/").status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get("/o/alpha/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


@pytest.mark.django_db
def test_signing_out_needs_a_post(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/o/alpha/").status_code == 200


@pytest.mark.django_db
def test_a_session_ends_twelve_hours_after_sign_in_however_active(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["worker"].user)
    session = client.session
    session["openproms_login_at"] = timezone.now().timestamp() - 12 * 3600 - 1
    session.save()
    response = client.get("/o/alpha/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_password_reset_emails_a_link_that_sets_a_new_password(
    tenant_a: Tenant,
) -> None:
    from django.core import mail

    client = Client()
    response = client.post(
        reverse("accounts:password_reset"), {"email": "worker@alpha.test"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    new = "a-brand-new-passphrase"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302
    assert _post(Client(), "worker@alpha.test", new).status_code == 302


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_reveals_nothing(db: None) -> None:
    from django.core import mail

    response = Client().post(
        reverse("accounts:password_reset"), {"email": "nobody@x.test"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
