from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "openproms.sharing"
    label = "sharing"
    verbose_name = "Sharing with GPs and researchers"
