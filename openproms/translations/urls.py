"""Pages of the translations app."""

from django.urls import path

from openproms.translations import views

app_name = "translations"

urlpatterns = [
    path(
        "o/<slug:org_slug>/measures/<str:measure_id>/<str:measure_version>/"
        "languages/<str:language>/",
        views.translation_supply,
        name="translation_supply",
    ),
]
