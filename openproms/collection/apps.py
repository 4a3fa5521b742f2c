from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "openproms.collection"
    label = "collection"
    verbose_name = "Schedules and collection"

    def ready(self) -> None:
        from openproms.collection import home_panels as panels
        from openproms.core import home_panels

        home_panels.register(panels.work_panel, order=20)
