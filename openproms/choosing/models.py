"""Choosing and trying measures: a measure's reliability as tested on an
organisation's own answers, and trials of a measure in a service."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OwnDataReliability(models.Model):
    """A bespoke measure found reliable on the organisation's own answers.

    Written only when the figures meet the rule in ``choosing.own_data`` (read by
    other apps through ``choosing.selectors.reliability_status``). ``figures``
    holds each scale's n, alpha, its interval and omega, as shown on the page.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    tested_on = models.DateField()
    summary = models.CharField(max_length=500)
    figures = models.JSONField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure_id", "measure_version"],
                name="one_reliability_per_measure_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} v{self.measure_version} tested {self.tested_on}"


class MeasureTrial(models.Model):
    """A measure tried in a service until an end date, through a pilot plan.

    The plan's time points, answers and scores carry the pilot flag, so they stay
    out of commissioner reports until the manager decides to keep the measure.
    """

    class Decision(models.TextChoices):
        KEEP = "keep", "Keep"
        CHANGE = "change", "Change"
        DROP = "drop", "Drop"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.CASCADE, related_name="+"
    )
    plan = models.OneToOneField(
        "collection.MeasurementPlan", on_delete=models.CASCADE, related_name="trial"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_note = models.CharField(max_length=1000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Trial of {self.measure_id} until {self.ends_on}"
