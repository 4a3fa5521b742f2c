"""Reads for organisations, services, members and commissioners, scoped to the asker.

A record outside the asker's organisation is a 404 (``Http404``), never a 403, and
never appears in a list or a count.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django_otp import devices_for_user

from openproms.accounts.models import (
    CommissionerBody,
    CommissionerMembership,
    Invitation,
    Membership,
    Organisation,
    Service,
    User,
)
from openproms.accounts.policy import TWO_FACTOR_REQUIRED_ROLES


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")


def membership_for_org_slug(*, user: User, org_slug: str) -> Membership:
    """The user's membership of the organisation with that slug, or 404."""
    try:
        return Membership.objects.select_related("organisation").get(
            user=user, organisation__slug=org_slug
        )
    except Membership.DoesNotExist:
        raise Http404("No such organisation.") from None


# Shown when an organisation has not written its own support text: urgent routes
# anyone in the UK can use (NHS 111; Samaritans, free, day or night; 999).
DEFAULT_SUPPORT_TEXT = (
    "If things feel harder at the moment, you do not have to wait for your next "
    "appointment: get in touch with the person who supports you here.\n\n"
    "If you need help now and are not sure where to go, call NHS 111 or go to "
    "111.nhs.uk. You can talk to Samaritans, free, day or night, on 116 123.\n\n"
    "If your life or someone else's is at risk right now, call 999."
)


def support_text_for(organisation: Organisation) -> str:
    """What a person reads when their answers look worse or they give a risk answer:
    the organisation's own text, or the default naming NHS 111 and Samaritans."""
    return organisation.support_text.strip() or DEFAULT_SUPPORT_TEXT


def services_for_organisation(organisation: Organisation) -> QuerySet[Service]:
    return Service.objects.filter(organisation=organisation)


def service_get(*, organisation: Organisation, pk: int) -> Service:
    try:
        return services_for_organisation(organisation).get(pk=pk)
    except Service.DoesNotExist:
        raise Http404("No such service.") from None


def members_for_organisation(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def membership_get(*, organisation: Organisation, pk: int) -> Membership:
    try:
        return members_for_organisation(organisation).get(pk=pk)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None


def invitations_pending(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    try:
        return Invitation.objects.get(organisation=organisation, pk=pk)
    except Invitation.DoesNotExist:
        raise Http404("No such invitation.") from None


def commissioner_memberships_for_user(user: User) -> QuerySet[CommissionerMembership]:
    return CommissionerMembership.objects.filter(user=user).select_related("body")


def commissioner_body_for_slug(*, user: User, body_slug: str) -> CommissionerBody:
    try:
        return (
            CommissionerMembership.objects.select_related("body")
            .get(user=user, body__slug=body_slug)
            .body
        )
    except CommissionerMembership.DoesNotExist:
        raise Http404("No such commissioner.") from None


def user_requires_two_factor(user: User) -> bool:
    """Org admins and managers (anywhere) must use two-factor authentication."""
    return Membership.objects.filter(
        user=user, role__in=[str(role) for role in TWO_FACTOR_REQUIRED_ROLES]
    ).exists()


def user_has_two_factor(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def user_has_totp(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
