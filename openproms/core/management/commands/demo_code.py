"""Print the current two-factor code of a demo account (demo accounts only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openproms.accounts.models import Membership


class Command(BaseCommand):
    help = "Print the current 6-digit two-factor code of a demo account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        memberships = Membership.objects.filter(user__email__iexact=email)
        if (
            not memberships.exists()
            or memberships.filter(organisation__is_demo=False).exists()
        ):
            raise CommandError(
                f"{email} is not a demo account: codes are shown only for demo accounts."
            )
        device = TOTPDevice.objects.filter(
            user__email__iexact=email, name="Demo authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(
                f"{email} has no demo authenticator (its role needs no code)."
            )
        code = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits
        )
        self.stdout.write(f"{code:0{device.digits}d}")
