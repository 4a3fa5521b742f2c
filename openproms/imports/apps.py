from django.apps import AppConfig


class ImportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "openproms.imports"
    label = "imports"
    verbose_name = "Import of historic data"

    def ready(self) -> None:
        from openproms.imports.person_panel import imported_scores_panel
        from openproms.people.person_panels import register

        register(imported_scores_panel, order=50)
