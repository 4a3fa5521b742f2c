"""API tokens: an organisation's keys for other systems (decision 0023).

A token's secret is shown once, when it is made; only its SHA-256 is kept, with a
short visible prefix to find it by. A token belongs to one organisation, may read
or read and write, may be limited to some services, expires on a date and can be
revoked. Its minute window (start and count) is its rate limit, counted in the
database so every worker process shares it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read_write", "Read and write"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    access = models.CharField(max_length=12, choices=Access.choices)
    services = models.ManyToManyField("accounts.Service", blank=True)
    expires_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"API token {self.name} ({self.prefix})"

    def is_expired(self, today: dt.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.expires_on

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.is_expired():
            return "Expired"
        return "Active"

    @property
    def may_write(self) -> bool:
        return self.access == self.Access.READ_WRITE
