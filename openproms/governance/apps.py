from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "openproms.governance"
    label = "governance"
    verbose_name = "Information governance"
