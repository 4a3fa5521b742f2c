"""Reminders, weekly capture and implementation leads, and training mode."""

from django.urls import URLPattern, path

from openproms.reminders import capture_views, practice_views, views

app_name = "reminders"

ORG = "o/<slug:org_slug>/"

urlpatterns: list[URLPattern] = [
    path(f"{ORG}reminders/", views.reminder_list, name="reminder_list"),
    path(f"{ORG}reminders/settings/", views.settings_edit, name="settings_edit"),
    path(
        f"{ORG}reminders/messages/email/",
        views.template_edit,
        {"channel": "email"},
        name="template_email",
    ),
    path(
        f"{ORG}reminders/messages/text/",
        views.template_edit,
        {"channel": "sms"},
        name="template_sms",
    ),
    path(
        f"{ORG}people/<int:person_pk>/reminders/",
        views.agreement_create,
        name="agreement_create",
    ),
    path(f"{ORG}collection/weekly/", capture_views.capture, name="capture"),
    path(
        f"{ORG}collection/weekly/lead/<int:service_pk>/",
        capture_views.lead_edit,
        name="lead_edit",
    ),
    path(f"{ORG}practice/", practice_views.practice_open, name="practice_open"),
    path(
        f"{ORG}practice/refresh/",
        practice_views.practice_refresh,
        name="practice_refresh",
    ),
]
