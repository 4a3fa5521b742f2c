"""Pages of the choosing app: the chooser, psychometrics on own data, trials."""

from django.urls import path

from openproms.choosing import chooser_views, psychometrics_views, trial_views

app_name = "choosing"

BASE = "o/<slug:org_slug>/choosing/"
MEASURE = f"{BASE}measures/<str:measure_id>/<str:measure_version>/"

urlpatterns = [
    path(BASE, chooser_views.home, name="home"),
    path(f"{BASE}compare/", chooser_views.compare, name="compare"),
    path(
        f"{MEASURE}psychometrics/",
        psychometrics_views.measure_psychometrics,
        name="measure_psychometrics",
    ),
    path(
        f"{MEASURE}tested/",
        psychometrics_views.reliability_record,
        name="reliability_record",
    ),
    path(f"{BASE}trials/new/", trial_views.trial_start, name="trial_start"),
    path(
        f"{BASE}trials/<int:trial_pk>/", trial_views.trial_review, name="trial_review"
    ),
    path(
        f"{BASE}trials/<int:trial_pk>/decide/",
        trial_views.trial_decide,
        name="trial_decide",
    ),
]
