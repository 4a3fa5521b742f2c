"""Routes for the organisation and service dashboard."""

from django.urls import path

from openproms.reports import dashboard_views

urlpatterns = [
    path("o/<slug:org_slug>/dashboard/", dashboard_views.dashboard, name="dashboard"),
]
