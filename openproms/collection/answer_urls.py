"""Pages for answering: with a worker, hand-over, self-completion, paper entry."""

from django.urls import URLPattern, path

from openproms.collection import answer_views as views

ORG = "o/<slug:org_slug>/answer/"

urlpatterns: list[URLPattern] = [
    path(f"{ORG}people/<int:person_pk>/", views.answer_person, name="answer_person"),
    path(
        f"{ORG}time-points/<int:time_point_pk>/",
        views.answer_time_point,
        name="answer_time_point",
    ),
    path(
        f"{ORG}people/<int:person_pk>/<str:measure_id>/",
        views.answer_measure,
        name="answer_measure",
    ),
    path(
        f"{ORG}results/<int:administration_pk>/",
        views.answer_result,
        name="answer_result",
    ),
    path(
        f"{ORG}results/<int:administration_pk>/correct/",
        views.answer_edit,
        name="answer_edit",
    ),
    path(
        f"{ORG}hand-over/people/<int:person_pk>/",
        views.kiosk_start,
        name="kiosk_start",
    ),
    path(f"{ORG}hand-over/", views.kiosk_answer, name="kiosk_answer"),
    path(f"{ORG}hand-over/unlock/", views.kiosk_exit, name="kiosk_exit"),
    path(f"{ORG}links/people/<int:person_pk>/", views.link_create, name="link_create"),
    path(f"{ORG}links/<int:link_pk>/revoke/", views.link_revoke, name="link_revoke"),
    path(f"{ORG}paper/", views.paper_start, name="paper_start"),
    path(
        f"{ORG}paper/time-points/<int:time_point_pk>/",
        views.paper_entry_time_point,
        name="paper_entry_time_point",
    ),
    path(
        f"{ORG}paper/people/<int:person_pk>/<str:measure_id>/",
        views.paper_entry_measure,
        name="paper_entry_measure",
    ),
    path(
        f"{ORG}paper/entries/<int:paper_entry_pk>/resolve/",
        views.paper_entry_resolve,
        name="paper_entry_resolve",
    ),
    path(
        f"{ORG}settings/services/<int:service_pk>/",
        views.collection_settings,
        name="collection_settings",
    ),
    path("s/", views.self_start, name="self_start"),
    path("s/answer/", views.self_answer, name="self_answer"),
    path("s/done/", views.self_done, name="self_done"),
    path("s/<str:token>/", views.self_token, name="self_token"),
]
