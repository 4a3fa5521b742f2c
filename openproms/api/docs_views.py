"""The API's OpenAPI 3 schema (for programs) and its documentation page (for
people): both from the one django-ninja API, so they never disagree."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.api.rest import api
from openproms.api.tokens import require, token_view
from openproms.core.access import org_view

METHODS = ("get", "post", "put", "patch", "delete")

_PLACEHOLDER = re.compile(r"\{\w+\}")

# What each endpoint does, in words (the page shows no parameter or field names:
# those are in the schema a developer downloads, and docs/api.md).
SAYS = {
    "people_list": "Lists people, a page at a time",
    "person_detail": "One person",
    "episode_list": "Lists episodes, a page at a time",
    "episode_detail": "One episode",
    "time_point_list": "Lists time points (when each measure is due), a page at a time",
    "time_point_detail": "One time point",
    "administration_list": "Lists completed measures with their answers and "
    "scores, a page at a time",
    "administration_post": "Saves a completed measure, scored like any other answers",
    "administration_detail": "One completed measure with its answers and scores",
    "measure_list": "The measures your organisation uses, with their questions and "
    "scales",
    "collection_figures": "The dashboard's collection figures for a period",
}


def schema_for(org_slug: str) -> dict[str, Any]:
    """The OpenAPI document, its server the organisation's own API address."""
    schema = dict(api.get_openapi_schema(path_prefix=""))
    schema["servers"] = [{"url": f"/o/{org_slug}/api/v1"}]
    return schema


def _json_error(status: int, message: str, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": message}), status=status, content_type="application/json"
    )
    for name, value in headers.items():
        response[name] = value
    return response


@token_view(_json_error)
@require_http_methods(["GET"])
def openapi_json(request: HttpRequest) -> HttpResponse:
    """The schema, for a program holding a token."""
    require(request, Action.ORG_VIEW)
    slug = request.organisation.slug  # type: ignore[attr-defined]
    return HttpResponse(
        json.dumps(schema_for(slug), default=str), content_type="application/json"
    )


@org_view(Action.ORG_VIEW)
@require_http_methods(["GET"])
def openapi_download(request: HttpRequest) -> HttpResponse:
    """The same schema, for a member signed in (to hand to a developer)."""
    slug = request.organisation.slug  # type: ignore[attr-defined]
    response = HttpResponse(
        json.dumps(schema_for(slug), default=str, indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = 'attachment; filename="openproms-openapi.json"'
    return response


@org_view(Action.ORG_VIEW)
@require_http_methods(["GET"])
def api_docs(request: HttpRequest) -> HttpResponse:
    """Every endpoint in words, from the schema."""
    slug = request.organisation.slug  # type: ignore[attr-defined]
    schema = schema_for(slug)
    endpoints = []
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            name = operation["operationId"].removeprefix("openproms_api_rest_")
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": f"/o/{slug}/api/v1" + _PLACEHOLDER.sub("{number}", path),
                    "says": SAYS.get(name, operation.get("summary", "")),
                }
            )
    return render(
        request,
        "api/docs.html",
        {"endpoints": endpoints, "fhir_base": f"/o/{slug}/fhir/R4/"},
    )
