from django.apps import AppConfig


class RemindersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "openproms.reminders"
    label = "reminders"
    verbose_name = "Reminders and keeping collection going"

    def ready(self) -> None:
        from openproms.core import encryption, home_panels
        from openproms.people import person_panels
        from openproms.reminders import panels

        home_panels.register(panels.capture_alerts_panel, order=15)
        person_panels.register(panels.person_reminders_panel, order=40)
        encryption.register("reminders.ReminderSettings", "notify_api_key_encrypted")
