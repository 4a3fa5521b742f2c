from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "openproms.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connects the signals that empty the organisation named on a connection
        # when a request starts and ends (PostgreSQL row-level security).
        from openproms.core import row_security  # noqa: F401
