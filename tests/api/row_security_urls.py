"""The site's URLs plus one API probe, for tests/api/test_api_row_security.py:
an endpoint behind the token gate that counts, with raw SQL and no organisation
filter, the rows of every walled table its request can see."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from openproms.api.docs_views import _json_error
from openproms.api.tokens import token_view
from openproms.urls import urlpatterns as site
from tests.core.row_security_urls import visible_counts


def probe(request: HttpRequest) -> JsonResponse:
    return JsonResponse(visible_counts())


urlpatterns = [
    path(
        "o/<slug:org_slug>/api/v1/row-security-probe",
        token_view(_json_error)(probe),
        name="api_row_security_probe",
    ),
    *site,
]
