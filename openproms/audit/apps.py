from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "openproms.audit"
    label = "audit"
    verbose_name = "Audit"
