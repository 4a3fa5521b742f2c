"""Scanned paper: printing forms, uploading scans, checking what the reader was unsure of."""

from django.urls import URLPattern, path

from openproms.scans import print_views, views

app_name = "scans"

ORG = "o/<slug:org_slug>/"
SCANS = f"{ORG}scans/"

urlpatterns: list[URLPattern] = [
    path(f"{ORG}forms/print/", print_views.print_due, name="print_due"),
    path(f"{ORG}forms/print/blank/", print_views.print_blank, name="print_blank"),
    path(SCANS, views.batch_list, name="batch_list"),
    path(f"{SCANS}batches/<int:batch_pk>/", views.batch_detail, name="batch_detail"),
    path(f"{SCANS}check/", views.queue, name="queue"),
    path(f"{SCANS}items/<int:scan_item_pk>/", views.item_check, name="item_check"),
    path(
        f"{SCANS}items/<int:scan_item_pk>/crop.png", views.item_crop, name="item_crop"
    ),
    path(f"{SCANS}pages/<int:scan_page_pk>/", views.page_detail, name="page_detail"),
    path(
        f"{SCANS}pages/<int:scan_page_pk>/image.png",
        views.page_image,
        name="page_image",
    ),
    path(
        f"{SCANS}pages/<int:scan_page_pk>/assign/",
        views.page_assign,
        name="page_assign",
    ),
    path(
        f"{SCANS}pages/<int:scan_page_pk>/set-aside/",
        views.page_set_aside,
        name="page_set_aside",
    ),
    path(
        f"{SCANS}pages/<int:scan_page_pk>/empty/",
        views.page_empty,
        name="page_empty",
    ),
]
