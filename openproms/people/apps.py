from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "openproms.people"
    label = "people"
    verbose_name = "Service users and episodes"

    def ready(self) -> None:
        from openproms.core import home_panels
        from openproms.people import home_panels as panels

        home_panels.register(panels.alerts_panel, order=10)
        home_panels.register(panels.caseload_panel, order=30)

        from openproms.audit.people import register_person_lookup
        from openproms.people.selectors import service_user_key_for_reference

        register_person_lookup(service_user_key_for_reference)
