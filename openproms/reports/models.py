"""Contracts between commissioners and organisations, and what each requires.

A contract links a commissioner body to some of an organisation's services for a
period. One administration counts for every contract it satisfies; a score derivable
from another measure (SWEMWBS from WEMWBS, PHQ-2 from PHQ-9) satisfies a requirement
for it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Contract(models.Model):
    class DisclosureRule(models.TextChoices):
        NHS = "nhs", "NHS rule: 1-7 hidden, others rounded to 5 (default)"
        ONS = "ons", "ONS rule: under 10 hidden, others rounded to 5 (stricter)"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="contracts"
    )
    commissioner = models.ForeignKey(
        "accounts.CommissionerBody", on_delete=models.PROTECT, related_name="contracts"
    )
    name = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    services = models.ManyToManyField("accounts.Service", related_name="contracts")
    start_date = models.DateField()
    end_date = models.DateField()
    disclosure_rule = models.CharField(
        max_length=10, choices=DisclosureRule.choices, default=DisclosureRule.NHS
    )
    include_pilot = models.BooleanField(
        default=False,
        help_text="Pilot data is left out of funder reports unless this is on.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commissioner})"


class ContractRequirement(models.Model):
    """One measure a contract requires, at which time points, with which figures."""

    class TimePoints(models.TextChoices):
        START_AND_LATEST = "start_latest", "At the start and the latest follow-up"
        START_AND_EXIT = "start_exit", "At the start and at the end"
        START_ONLY = "start", "At the start only"

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="requirements"
    )
    measure_id = models.CharField(max_length=60)
    time_points = models.CharField(
        max_length=20, choices=TimePoints.choices, default=TimePoints.START_AND_LATEST
    )
    figures = models.JSONField(
        default=list,
        help_text="Figure codes the funder wants (reach, completion, follow_up, "
        "mean_change, effect_size, reliable_change, recovery, distribution).",
    )

    class Meta:
        ordering = ["contract", "measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "measure_id"], name="one_requirement_per_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} for {self.contract}"
