"""Absolute session lifetime: a session ends 12 hours after sign-in however active it
is (the idle timeout is Django's SESSION_COOKIE_AGE, renewed on each request)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get("openproms_login_at")
            now = timezone.now().timestamp()
            if (
                started is None
                or now - float(started) > settings.SESSION_ABSOLUTE_SECONDS
            ):
                logout(request)
                messages.info(request, "Your session ended. Please sign in again.")
        return self.get_response(request)
