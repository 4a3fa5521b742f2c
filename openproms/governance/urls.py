"""Pages for subject access, erasure, restriction and retention."""

from __future__ import annotations

from django.urls import URLPattern, path

from openproms.governance import subject_access_views

app_name = "governance"

ORG = "o/<slug:org_slug>/"
PERSON = f"{ORG}people/<int:person_pk>/"

urlpatterns: list[URLPattern] = [
    path(
        f"{PERSON}subject-access/",
        subject_access_views.subject_access_download,
        name="subject_access_download",
    ),
]
