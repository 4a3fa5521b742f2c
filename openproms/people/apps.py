from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openproms.people"
    label = "people"
    verbose_name = "Service users and episodes"
