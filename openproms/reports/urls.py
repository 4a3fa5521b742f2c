"""Pages of the reports app: progress, clinician summary, dashboards, contracts,
commissioner reports."""

from django.urls import URLPattern

from openproms.reports import dashboard_urls, feedback_urls, report_urls

app_name = "reports"

urlpatterns: list[URLPattern] = [
    *report_urls.urlpatterns,
    *feedback_urls.urlpatterns,
    *dashboard_urls.urlpatterns,
]
