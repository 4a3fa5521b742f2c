from django.apps import AppConfig


class TranslationsConfig(AppConfig):
    name = "openproms.translations"
    label = "translations"
    verbose_name = "Translations"
