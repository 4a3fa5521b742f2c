"""Pages of the catalogue app: the organisation's measures."""

from django.urls import path

from openproms.catalogue import views

app_name = "catalogue"

MEASURE = "o/<slug:org_slug>/measures/<str:measure_id>/<str:measure_version>/"

urlpatterns = [
    path("o/<slug:org_slug>/measures/", views.measure_list, name="measure_list"),
    path(MEASURE, views.measure_detail, name="measure_detail"),
    path(f"{MEASURE}use/", views.measure_use, name="measure_use"),
    path(f"{MEASURE}wording/", views.wording_supply, name="wording_supply"),
]
