"""Pages of the people app: service users, episodes, contacts, groups, caseload."""

from django.urls import path

from openproms.people import caseload_views, group_views, views

app_name = "people"

ORG = "o/<slug:org_slug>/"
PERSON = f"{ORG}people/<int:person_pk>/"
EPISODE = f"{ORG}episodes/<int:episode_pk>/"

urlpatterns = [
    path(f"{ORG}people/", views.person_list, name="person_list"),
    path(f"{ORG}people/new/", views.person_create, name="person_create"),
    path(PERSON, views.person_detail, name="person_detail"),
    path(f"{PERSON}edit/", views.person_edit, name="person_edit"),
    path(f"{PERSON}consent/", views.consent_create, name="consent_create"),
    path(f"{PERSON}episodes/new/", views.episode_open, name="episode_open"),
    path(f"{EPISODE}pause/", views.episode_pause, name="episode_pause"),
    path(f"{EPISODE}resume/", views.episode_resume, name="episode_resume"),
    path(f"{EPISODE}close/", views.episode_close, name="episode_close"),
    path(f"{EPISODE}contacts/new/", views.contact_create, name="contact_create"),
    path(f"{ORG}groups/", group_views.group_session_list, name="group_session_list"),
    path(
        f"{ORG}groups/new/",
        group_views.group_session_create,
        name="group_session_create",
    ),
    path(
        f"{ORG}groups/<int:group_session_pk>/",
        group_views.group_session_edit,
        name="group_session_edit",
    ),
    path(f"{ORG}caseload/", caseload_views.caseload, name="caseload"),
    path(f"{ORG}alerts/", caseload_views.alert_list, name="alert_list"),
    path(
        f"{ORG}alerts/<int:alert_pk>/",
        caseload_views.alert_acknowledge,
        name="alert_acknowledge",
    ),
]
