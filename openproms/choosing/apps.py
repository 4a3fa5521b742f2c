from django.apps import AppConfig


class ChoosingConfig(AppConfig):
    name = "openproms.choosing"
    label = "choosing"
    verbose_name = "Choosing and trying measures"
