"""Response headers every page of the application carries (decision 0015).

Content-Security-Policy and Permissions-Policy come from maintained libraries
(django-csp, django-permissions-policy, configured in settings); this module adds
the one header they do not: no page the application makes may be stored by the
browser or any cache on the way, since almost every page holds someone's answers or
scores, and the pages that do not (sign in, errors) cost nothing to fetch again.
Static files are served by WhiteNoise above this middleware and keep their long
cache lifetimes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's other never-cache headers) on every
    response a view or middleware below this one makes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
