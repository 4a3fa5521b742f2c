from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openproms.accounts"
    label = "accounts"
    verbose_name = "Organisations and accounts"
