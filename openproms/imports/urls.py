"""Import of historic data: upload, match columns, dry run, import."""

from django.urls import URLPattern, path

from openproms.imports import views

app_name = "imports"

IMPORTS = "o/<slug:org_slug>/imports/"

urlpatterns: list[URLPattern] = [
    path(IMPORTS, views.import_list, name="import_list"),
    path(f"{IMPORTS}<int:import_pk>/", views.import_detail, name="import_detail"),
    path(
        f"{IMPORTS}<int:import_pk>/columns/",
        views.import_columns,
        name="import_columns",
    ),
    path(
        f"{IMPORTS}<int:import_pk>/import/", views.import_commit, name="import_commit"
    ),
]
