from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "openproms.catalogue"
    label = "catalogue"
    verbose_name = "Measures"
