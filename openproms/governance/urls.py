"""Pages for subject access, erasure, restriction and retention."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "governance"

urlpatterns: list[URLPattern] = []
