from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openproms.core"
    label = "core"
    verbose_name = "Core"
