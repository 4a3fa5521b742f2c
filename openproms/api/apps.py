from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openproms.api"
    label = "api"
    verbose_name = "API tokens, the REST API and FHIR endpoints"
