from django.apps import AppConfig


class ScansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "openproms.scans"
    label = "scans"
    verbose_name = "Scanned paper"

    def ready(self) -> None:
        from openproms.scans import signals  # noqa: F401
