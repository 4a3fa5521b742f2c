"""Pages for subject access, erasure, restriction and retention."""

from __future__ import annotations

from django.urls import URLPattern, path

from openproms.governance import erasure_views, subject_access_views

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

# Erasure, restriction and retention (erasure_views).
_ORG = ORG
urlpatterns += [
    path(
        f"{_ORG}people/<int:person_pk>/erase/",
        erasure_views.person_erase_view,
        name="person_erase",
    ),
    path(
        f"{_ORG}people/<int:person_pk>/restrict/",
        erasure_views.person_restrict_view,
        name="person_restrict",
    ),
    path(f"{_ORG}erasures/", erasure_views.erasure_list, name="erasure_list"),
    path(f"{_ORG}retention/", erasure_views.retention_view, name="retention"),
]
