"""Two-factor authentication: required for admins and managers, optional for others,
single-use codes, recovery codes (reliability-security.md AU1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openproms.audit.models import AuditEvent
from tests.conftest import PASSWORD, Tenant


def _sign_in(email: str) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice, offset_steps: int = 0) -> str:
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=offset_steps,
    )
    return f"{value:06d}"


@pytest.mark.django_db
def test_an_admin_without_an_authenticator_must_set_one_up_before_anything_else(
    tenant_a: Tenant,
) -> None:
    client = _sign_in("org_admin@alpha.test")
    response = client.get("/o/alpha/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


@pytest.mark.django_db
def test_a_worker_may_sign_in_without_two_factor(tenant_a: Tenant) -> None:
    client = _sign_in("worker@alpha.test")
    assert client.get("/o/alpha/").status_code == 200


@pytest.mark.django_db
def test_setting_up_an_authenticator_gives_ten_recovery_codes(tenant_a: Tenant) -> None:
    client = _sign_in("manager@alpha.test")
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__email="manager@alpha.test", confirmed=False)
    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000"})
    if _code(device) == "000000":  # pragma: no cover - one chance in a million
        return
    assert wrong.status_code == 400
    # Straight after a wrong code the authenticator is paused, and the page says so.
    paused = client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})
    assert paused.status_code == 400 and b"Too many wrong codes" in paused.content
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})
    assert done.status_code == 302 and done["Location"] == reverse(
        "accounts:recovery_codes"
    )
    codes_page = client.get(reverse("accounts:recovery_codes"))
    codes = [line.strip() for line in codes_page.content.decode().split("<li>")[1:]]
    assert len(codes) == 10
    assert client.get("/o/alpha/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.two_factor_enable").count() == 1


@pytest.mark.django_db
def test_a_totp_code_works_once_only(tenant_a: Tenant) -> None:
    user = tenant_a.members["org_admin"].user
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = _code(device)
    first = _sign_in("org_admin@alpha.test")
    assert (
        first.post(reverse("accounts:two_factor_verify"), {"token": code}).status_code
        == 302
    )
    assert first.get("/o/alpha/").status_code == 200
    second = _sign_in("org_admin@alpha.test")
    replay = second.post(reverse("accounts:two_factor_verify"), {"token": code})
    assert replay.status_code == 400
    assert b"used already" in replay.content
    assert second.get("/o/alpha/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").count() == 1


@pytest.mark.django_db
def test_a_recovery_code_stands_in_for_the_authenticator_once(tenant_a: Tenant) -> None:
    from openproms.accounts.services import recovery_codes_generate

    user = tenant_a.members["org_admin"].user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    codes = recovery_codes_generate(user=user)
    client = _sign_in("org_admin@alpha.test")
    assert (
        client.post(
            reverse("accounts:two_factor_verify"), {"token": codes[0]}
        ).status_code
        == 302
    )
    assert client.get("/o/alpha/").status_code == 200
    again = _sign_in("org_admin@alpha.test")
    assert (
        again.post(
            reverse("accounts:two_factor_verify"), {"token": codes[0]}
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_a_worker_with_an_authenticator_must_use_it(tenant_a: Tenant) -> None:
    user = tenant_a.members["worker"].user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _sign_in("worker@alpha.test")
    response = client.get("/o/alpha/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))


@pytest.mark.django_db
def test_a_code_with_odd_characters_is_refused_clearly(tenant_a: Tenant) -> None:
    user = tenant_a.members["org_admin"].user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _sign_in("org_admin@alpha.test")
    response = client.post(reverse("accounts:two_factor_verify"), {"token": "12<34>"})
    assert response.status_code == 400
    assert b"can only contain letters and numbers" in response.content
