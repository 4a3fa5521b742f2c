from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "openproms.reports"
    label = "reports"
    verbose_name = "Feedback and reporting"
