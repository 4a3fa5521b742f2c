"""Pages for subject access, erasure, restriction and retention."""

from __future__ import annotations

from django.urls import URLPattern, path

from openproms.governance import erasure_views

app_name = "governance"

urlpatterns: list[URLPattern] = []

# Erasure, restriction and retention (erasure_views).
_ORG = "o/<slug:org_slug>/"
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
