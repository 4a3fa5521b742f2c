"""Create (or bring up to date) the demo organisations, people and data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from openproms.core.demo import DEMO_PASSWORD, run_seeders


class Command(BaseCommand):
    help = "Create the demo organisations, users and data (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        context = run_seeders()
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in with any of these:"))
        width = max(len(login.email) for login in context.logins)
        for login in context.logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role}")
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        self.stdout.write(
            "Admins and managers also need a 6-digit code: print the current one with\n"
            "  openproms manage demo_code EMAIL\n"
            "or add the account to an authenticator app with its key:"
        )
        for login in context.logins:
            if login.totp_key:
                self.stdout.write(f"  {login.email.ljust(width)}  {login.totp_key}")
