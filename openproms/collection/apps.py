from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "openproms.collection"
    label = "collection"
    verbose_name = "Schedules and collection"
