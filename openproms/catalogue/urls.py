"""Pages of the catalogue app: the organisation's measures."""

from django.urls import path

from openproms.catalogue import design_views, views

app_name = "catalogue"

MEASURE = "o/<slug:org_slug>/measures/<str:measure_id>/<str:measure_version>/"

OWN = "o/<slug:org_slug>/measures/own/"

urlpatterns = [
    path("o/<slug:org_slug>/measures/", views.measure_list, name="measure_list"),
    path(OWN, design_views.own_list, name="own_list"),
    path(f"{OWN}new/", design_views.design_new, name="design_new"),
    path(MEASURE, views.measure_detail, name="measure_detail"),
    path(f"{MEASURE}use/", views.measure_use, name="measure_use"),
    path(f"{MEASURE}wording/", views.wording_supply, name="wording_supply"),
    path(f"{MEASURE}design/", design_views.design_edit, name="design_edit"),
    path(f"{MEASURE}publish/", design_views.design_publish, name="design_publish"),
    path(
        f"{MEASURE}new-version/",
        design_views.design_new_version,
        name="design_new_version",
    ),
    path(
        f"{MEASURE}printed-preview/",
        design_views.printed_preview_pdf,
        name="printed_preview_pdf",
    ),
    path(
        f"{MEASURE}printed-preview.png",
        design_views.printed_preview_png,
        name="printed_preview_png",
    ),
    path(f"{MEASURE}copy/", design_views.design_copy, name="design_copy"),
]
