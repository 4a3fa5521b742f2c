"""Pages for answering: with a worker, hand-over, self-completion, paper entry."""

from django.urls import URLPattern, path

from openproms.collection import answer_assisted_views as assisted
from openproms.collection import answer_kiosk_views as hand_over
from openproms.collection import answer_paper_views as paper
from openproms.collection import answer_preview_views as preview
from openproms.collection import answer_result_views as result
from openproms.collection import answer_self_views as self_completion
from openproms.collection import answer_settings_views as service_settings

ORG = "o/<slug:org_slug>/answer/"

urlpatterns: list[URLPattern] = [
    path(f"{ORG}people/<int:person_pk>/", assisted.answer_person, name="answer_person"),
    path(
        f"{ORG}time-points/<int:time_point_pk>/",
        assisted.answer_time_point,
        name="answer_time_point",
    ),
    path(
        f"{ORG}people/<int:person_pk>/<str:measure_id>/",
        assisted.answer_measure,
        name="answer_measure",
    ),
    path(
        f"{ORG}results/<int:administration_pk>/",
        result.answer_result,
        name="answer_result",
    ),
    path(
        f"{ORG}results/<int:administration_pk>/correct/",
        assisted.answer_edit,
        name="answer_edit",
    ),
    path(
        f"{ORG}hand-over/people/<int:person_pk>/",
        hand_over.kiosk_start,
        name="kiosk_start",
    ),
    path(f"{ORG}hand-over/", hand_over.kiosk_answer, name="kiosk_answer"),
    path(f"{ORG}hand-over/unlock/", hand_over.kiosk_exit, name="kiosk_exit"),
    path(
        f"{ORG}links/people/<int:person_pk>/",
        self_completion.link_create,
        name="link_create",
    ),
    path(
        f"{ORG}links/<int:link_pk>/revoke/",
        self_completion.link_revoke,
        name="link_revoke",
    ),
    path(
        f"{ORG}preview/<str:measure_id>/<str:measure_version>/",
        preview.answer_preview,
        name="answer_preview",
    ),
    path(f"{ORG}paper/", paper.paper_start, name="paper_start"),
    path(
        f"{ORG}paper/time-points/<int:time_point_pk>/",
        paper.paper_entry_time_point,
        name="paper_entry_time_point",
    ),
    path(
        f"{ORG}paper/people/<int:person_pk>/<str:measure_id>/",
        paper.paper_entry_measure,
        name="paper_entry_measure",
    ),
    path(
        f"{ORG}paper/entries/<int:paper_entry_pk>/resolve/",
        paper.paper_entry_resolve,
        name="paper_entry_resolve",
    ),
    path(
        f"{ORG}settings/services/<int:service_pk>/",
        service_settings.collection_settings,
        name="collection_settings",
    ),
    path("s/", self_completion.self_start, name="self_start"),
    path("s/answer/", self_completion.self_answer, name="self_answer"),
    path("s/done/", self_completion.self_done, name="self_done"),
    path("s/<str:token>/", self_completion.self_token, name="self_token"),
]
