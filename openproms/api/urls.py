from django.urls import URLPattern, include, path

from openproms.api import docs_views, fhir_views, rest, views
from openproms.api.docs_views import _json_error
from openproms.api.tokens import token_view

app_name = "api"


FHIR = "o/<slug:org_slug>/fhir/R4/"
REST = "o/<slug:org_slug>/api/v1/"


def _rest_patterns() -> list[URLPattern]:
    """django-ninja's routes under the organisation's address, each behind the
    token gate (its index page left out: the documentation page is ours)."""
    patterns, _, _ = rest.api.urls
    return [
        path(
            REST + str(p.pattern),
            token_view(_json_error)(p.callback),
            name=p.name,
        )
        for p in patterns
        if isinstance(p, URLPattern) and p.name != "api-root"
    ]


urlpatterns = [
    path("o/<slug:org_slug>/api-tokens/", views.token_list, name="token_list"),
    path(
        "o/<slug:org_slug>/api-tokens/<int:api_token_pk>/",
        views.token_detail,
        name="token_detail",
    ),
    path(
        "o/<slug:org_slug>/api-tokens/<int:api_token_pk>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("o/<slug:org_slug>/api-docs/", docs_views.api_docs, name="docs"),
    path(
        "o/<slug:org_slug>/api-docs/openapi.json",
        docs_views.openapi_download,
        name="openapi_download",
    ),
    path(f"{REST}openapi.json", docs_views.openapi_json, name="openapi"),
    path("", include((_rest_patterns(), "v1"))),
    path(f"{FHIR}metadata", fhir_views.metadata, name="fhir_metadata"),
    path(
        f"{FHIR}Questionnaire",
        fhir_views.questionnaire_search,
        name="fhir_questionnaire_search",
    ),
    path(
        f"{FHIR}Questionnaire/<str:questionnaire_id>",
        fhir_views.questionnaire_read,
        name="fhir_questionnaire_read",
    ),
    path(
        f"{FHIR}QuestionnaireResponse",
        fhir_views.questionnaire_response_type,
        name="fhir_questionnaire_response",
    ),
    path(
        f"{FHIR}QuestionnaireResponse/<str:response_id>",
        fhir_views.questionnaire_response_read,
        name="fhir_questionnaire_response_read",
    ),
    path(
        f"{FHIR}Observation",
        fhir_views.observation_search,
        name="fhir_observation_search",
    ),
    path(
        f"{FHIR}Patient/<str:patient_id>/$everything",
        fhir_views.patient_everything,
        name="fhir_patient_everything",
    ),
]
