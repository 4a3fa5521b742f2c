from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openproms.accounts"
    label = "accounts"
    verbose_name = "Organisations and accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        user_locked_out.connect(_locked_out, dispatch_uid="openproms.locked_out")


def _locked_out(
    sender: Any, *, request: Any = None, username: str = "", **_: Any
) -> None:
    """django-axes locked a sign-in name out: the audit log says so."""
    from openproms.accounts.services import account_locked_out

    account_locked_out(request=request, username=username or "")
