"""Feedback pages: the person's progress (self-completion, hand-over), the printable
progress sheet and the clinician summary."""

from django.urls import URLPattern, path

from openproms.reports import clinician_views, progress_views

PEOPLE = "o/<slug:org_slug>/people/<int:person_pk>/"

urlpatterns: list[URLPattern] = [
    # Before the token route: "done" is never a token (tokens are 43 characters).
    path("s/done/progress/", progress_views.self_progress, name="self_progress"),
    path(
        "s/done/progress/sheet.pdf",
        progress_views.self_progress_sheet,
        name="self_progress_sheet",
    ),
    path(
        "s/done/progress/sheet-large-print.pdf",
        progress_views.self_progress_sheet,
        {"large_print": True},
        name="self_progress_sheet_large",
    ),
    path(
        "s/<str:token>/progress/",
        progress_views.self_progress_token,
        name="self_progress_token",
    ),
    path(
        "s/<str:token>/progress/sheet.pdf",
        progress_views.self_progress_sheet_token,
        name="self_progress_sheet_token",
    ),
    path(
        "s/<str:token>/progress/sheet-large-print.pdf",
        progress_views.self_progress_sheet_token,
        {"large_print": True},
        name="self_progress_sheet_large_token",
    ),
    path(
        "o/<slug:org_slug>/answer/hand-over/progress/",
        progress_views.kiosk_progress,
        name="kiosk_progress",
    ),
    path(
        f"{PEOPLE}progress-sheet.pdf",
        progress_views.progress_sheet,
        name="progress_sheet",
    ),
    path(
        f"{PEOPLE}progress-sheet-large-print.pdf",
        progress_views.progress_sheet,
        {"large_print": True},
        name="progress_sheet_large_print",
    ),
    path(
        f"{PEOPLE}clinician-summary/",
        clinician_views.clinician_summary,
        name="clinician_summary",
    ),
]
