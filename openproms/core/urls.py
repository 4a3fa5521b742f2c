from django.urls import path

from openproms.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch, name="switch"),
    path("healthz/", views.healthz, name="healthz"),
    path("o/<slug:org_slug>/", views.org_home, name="org_home"),
]
