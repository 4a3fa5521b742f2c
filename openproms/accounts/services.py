"""Writes for organisations, services, members, invitations, sign-in and two-factor.

Services are keyword-only, run in a transaction, assume valid input (forms have
checked it) and write an audit event for everything they change.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from openproms.accounts.models import (
    CommissionerBody,
    CommissionerMembership,
    Invitation,
    Membership,
    Organisation,
    Service,
    User,
)
from openproms.accounts.policy import Role
from openproms.audit.services import log_action

RECOVERY_CODE_COUNT = 10


class TwoFactorThrottled(Exception):
    """Too many wrong codes in a row: the person must wait before the next try."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            f"Too many wrong codes. Wait {seconds} second{'s' if seconds != 1 else ''} "
            "and try again with a new code."
        )
        self.seconds = seconds


def _check_throttle(device: object) -> None:
    allowed, info = device.verify_is_allowed()  # type: ignore[attr-defined]
    if not allowed:
        until = (info or {}).get("locked_until")
        seconds = (
            max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1
        )
        raise TwoFactorThrottled(seconds)


class ConcurrentEditError(Exception):
    """The record changed since the person loaded it (a lost update was prevented)."""


# Organisations and services


@transaction.atomic
def organisation_create(
    *, name: str, slug: str, kind: str, actor: User | None = None, is_demo: bool = False
) -> Organisation:
    organisation = Organisation.objects.create(
        name=name, slug=slug, kind=kind, is_demo=is_demo
    )
    log_action(
        action="organisation.create",
        actor=actor,
        organisation=organisation,
        obj=organisation,
    )
    return organisation


@transaction.atomic
def service_create(
    *,
    organisation: Organisation,
    name: str,
    description: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Service:
    service = Service.objects.create(
        organisation=organisation, name=name, description=description
    )
    log_action(
        action="service.create",
        actor=actor,
        organisation=organisation,
        obj=service,
        request=request,
        detail={"name": name},
    )
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    name: str,
    description: str,
    is_active: bool,
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> Service:
    """Save edits, refusing them if someone else saved the service meanwhile."""
    updated = Service.objects.filter(pk=service.pk, version=expected_version).update(
        name=name,
        description=description,
        is_active=is_active,
        version=expected_version + 1,
        updated_at=timezone.now(),
    )
    if updated == 0:
        raise ConcurrentEditError(
            "Someone else changed this service while you were editing it. "
            "Your changes were not saved: check the current details and try again."
        )
    before = {
        "name": service.name,
        "description": service.description,
        "is_active": service.is_active,
    }
    service.refresh_from_db()
    after = {
        "name": service.name,
        "description": service.description,
        "is_active": service.is_active,
    }
    log_action(
        action="service.update",
        actor=actor,
        organisation=service.organisation,
        obj=service,
        request=request,
        detail={
            k: {"from": before[k], "to": after[k]}
            for k in before
            if before[k] != after[k]
        },
    )
    return service


@transaction.atomic
def organisation_support_text_update(
    *,
    organisation: Organisation,
    text: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Organisation:
    """Set the support text people read when their answers look worse or they give
    a risk answer (blank: the default text)."""
    before = organisation.support_text
    organisation.support_text = text.strip()
    organisation.save(update_fields=["support_text"])
    log_action(
        action="organisation.support_text.update",
        actor=actor,
        organisation=organisation,
        obj=organisation,
        request=request,
        detail={
            "from": before,
            "to": organisation.support_text,
            "default": not organisation.support_text,
        },
    )
    return organisation


# Members and invitations


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and email its link. Returns the invitation and the link."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email.lower(),
        role=role,
        token_hash=_hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    link = settings.SITE_URL + reverse(
        "accounts:invitation_accept", kwargs={"token": token}
    )
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"invitation": invitation, "link": link, "inviter": actor},
    )
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to join {organisation.name} on openproms",
            body,
            None,
            [invitation.email],
        )
    )
    log_action(
        action="member.invite",
        actor=actor,
        organisation=organisation,
        obj=invitation,
        request=request,
        detail={"email": invitation.email, "role": role},
    )
    return invitation, link


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation a link's token names, or None (wrong, used or expired)."""
    try:
        invitation = Invitation.objects.select_related("organisation").get(
            token_hash=_hash_token(token)
        )
    except Invitation.DoesNotExist:
        return None
    return invitation if invitation.is_pending else None


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None,
    full_name: str = "",
    password: str = "",
    request: HttpRequest | None = None,
) -> Membership:
    """Accept an invitation, as a signed-in user or by creating a new account."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError("This invitation has already been used or has expired.")
    if user is None:
        user = User.objects.create_user(
            username=invitation.email,
            email=invitation.email,
            password=password,
            full_name=full_name,
        )
        log_action(action="user.create", actor=user, obj=user, request=request)
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=invitation.organisation,
        defaults={"role": invitation.role},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    # Any other invitation to the same address here is done with: its link
    # no longer opens the join page, and it is no longer listed as pending.
    Invitation.objects.filter(
        organisation=invitation.organisation,
        email=invitation.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).exclude(pk=invitation.pk).update(revoked_at=invitation.accepted_at)
    log_action(
        action="member.join",
        actor=user,
        organisation=invitation.organisation,
        obj=membership,
        request=request,
        detail={"role": membership.role, "already_member": not created},
    )
    return membership


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User, request: HttpRequest | None = None
) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log_action(
        action="member.invite_revoke",
        actor=actor,
        organisation=invitation.organisation,
        obj=invitation,
        request=request,
        detail={"email": invitation.email},
    )


def _other_admins_exist(membership: Membership) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(organisation=membership.organisation, role=Role.ORG_ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(
    *,
    membership: Membership,
    role: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Membership:
    if (
        membership.role == Role.ORG_ADMIN
        and role != Role.ORG_ADMIN
        and not _other_admins_exist(membership)
    ):
        raise ValidationError(
            "This is the organisation's only admin. Make someone else an admin first."
        )
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    log_action(
        action="member.role_change",
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        request=request,
        detail={"user": membership.user.email, "from": old_role, "to": role},
    )
    return membership


@transaction.atomic
def membership_remove(
    *, membership: Membership, actor: User, request: HttpRequest | None = None
) -> None:
    if membership.role == Role.ORG_ADMIN and not _other_admins_exist(membership):
        raise ValidationError(
            "This is the organisation's only admin. Make someone else an admin first."
        )
    log_action(
        action="member.remove",
        actor=actor,
        organisation=membership.organisation,
        obj=membership,
        request=request,
        detail={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str, actor: User | None = None
) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    log_action(
        action="member.add",
        actor=actor,
        organisation=organisation,
        obj=membership,
        detail={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def commissioner_body_create(
    *, name: str, slug: str, kind: str, is_demo: bool = False
) -> CommissionerBody:
    body = CommissionerBody.objects.create(
        name=name, slug=slug, kind=kind, is_demo=is_demo
    )
    log_action(action="commissioner.create", obj=body)
    return body


@transaction.atomic
def commissioner_user_add(
    *, user: User, body: CommissionerBody
) -> CommissionerMembership:
    membership, _ = CommissionerMembership.objects.get_or_create(user=user, body=body)
    log_action(
        action="commissioner.member_add", obj=membership, detail={"user": user.email}
    )
    return membership


# Signing in


def login_succeeded(*, request: HttpRequest, user: User) -> None:
    """Start a fresh session for the user (Django rotates the session key)."""
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["openproms_login_at"] = timezone.now().timestamp()
    log_action(action="auth.login", actor=user, request=request)


def login_failed(*, request: HttpRequest, username: str) -> None:
    log_action(
        action="auth.login_failed",
        request=request,
        actor_label=username[:254],
        detail={"username": username[:254]},
    )


def account_locked_out(*, request: HttpRequest | None, username: str) -> None:
    """Record that django-axes locked a sign-in name out after repeated failures.

    The event goes to every organisation the account with that email belongs to,
    so their admins see it on the audit page; a name that is no one's account
    gets one event with no organisation (the installation's own record).
    """
    username = (username or "")[:254]
    organisations: list[Organisation | None] = list(
        Organisation.objects.filter(memberships__user__email__iexact=username)
        .distinct()
        .order_by("pk")
    )
    for organisation in organisations or [None]:
        log_action(
            action="auth.locked_out",
            request=request,
            actor_label=username,
            organisation=organisation,
            detail={"username": username},
        )


def logout_recorded(*, request: HttpRequest, user: User) -> None:
    log_action(action="auth.logout", actor=user, request=request)


# Two-factor authentication


def totp_device_unconfirmed(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first need."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    return device


def recovery_codes_generate(
    *, user: User, request: HttpRequest | None = None
) -> list[str]:
    """Replace the user's recovery codes with a fresh set; each works once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Recovery codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        device.token_set.create(token=code)
    log_action(action="auth.recovery_codes_generate", actor=user, request=request)
    return codes


@transaction.atomic
def two_factor_confirm(
    *, request: HttpRequest, user: User, device: TOTPDevice, token: str
) -> list[str] | None:
    """Confirm a new authenticator with its first code; returns recovery codes, or
    None when the code is wrong. Raises TwoFactorThrottled after repeated failures."""
    _check_throttle(device)
    if not device.verify_token(token):
        log_action(action="auth.two_factor_setup_failed", actor=user, request=request)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    from django_otp import login as otp_login

    otp_login(request, device)
    log_action(action="auth.two_factor_enable", actor=user, request=request)
    return recovery_codes_generate(user=user, request=request)


def two_factor_verify(*, request: HttpRequest, user: User, token: str) -> bool:
    """Check a TOTP code or a recovery code; on success mark the session verified.

    Raises TwoFactorThrottled when the authenticator is paused after wrong codes."""
    from django_otp import login as otp_login
    from django_otp import match_token

    for totp_device in TOTPDevice.objects.filter(user=user, confirmed=True):
        _check_throttle(totp_device)
    device = match_token(user, token.replace(" ", ""))
    if device is None:
        log_action(action="auth.two_factor_failed", actor=user, request=request)
        return False
    otp_login(request, device)
    kind = "recovery_code" if isinstance(device, StaticDevice) else "totp"
    log_action(
        action="auth.two_factor_ok",
        actor=user,
        request=request,
        detail={"method": kind},
    )
    return True
