from django.urls import path

from openproms.audit import views

app_name = "audit"

urlpatterns = [
    path("o/<slug:org_slug>/audit/", views.audit_log, name="log"),
]
