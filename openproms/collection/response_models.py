"""What follows from an answer beyond its scores: risk alerts for the key worker,
self-completion links, how acceptable people found a measure, and paper forms
typed in (split from :mod:`openproms.collection.models`, which re-exports them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from openproms.collection.models import Administration, TimePoint


class RiskAlert(models.Model):
    """An answer on a risk item (e.g. PHQ-9 item 9 above 0) for the key worker."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="risk_alerts"
    )
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="alerts"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="risk_alerts"
    )
    item_id = models.CharField(max_length=60)
    code = models.IntegerField()
    message = models.CharField(max_length=500)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_alerts",
    )
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organisation", "assigned_to", "acknowledged_at"],
                name="alert_open",
            )
        ]

    def __str__(self) -> str:
        return f"Risk alert on {self.item_id}"


class SelfCompletionLink(models.Model):
    """A signed, expiring, single-use link (and short code) to one person's due measures."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="links"
    )
    time_points = models.ManyToManyField(TimePoint, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    short_code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return (
            f"Self-completion link until {self.expires_at.day} {self.expires_at:%b %Y}"
        )

    @property
    def is_usable(self) -> bool:
        return (
            self.used_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AcceptabilityResponse(models.Model):
    """ "How did you find answering these questions?" (1-5), for implementation monitoring."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "accounts.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    administration = models.ForeignKey(
        Administration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acceptability",
    )
    mode = models.CharField(max_length=12, choices=Administration.Mode.choices)
    rating = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5),
                name="acceptability_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Acceptability {self.rating}"


class PaperEntry(models.Model):
    """A paper form typed in; with double entry, typed twice by different people."""

    class Status(models.TextChoices):
        AWAITING_SECOND = "awaiting_second", "Waiting for a second person to type it"
        CONFLICT = "conflict", "The two entries differ"
        SAVED = "saved", "Saved"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="+"
    )
    time_point = models.ForeignKey(
        TimePoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    completed_on = models.DateField()
    first_answers = models.JSONField()
    first_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    first_at = models.DateTimeField(default=timezone.now)
    second_answers = models.JSONField(null=True, blank=True)
    second_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    second_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    administration = models.OneToOneField(
        Administration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paper_entry",
    )
    submission_id = models.CharField(max_length=64)

    class Meta:
        ordering = ["-first_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "submission_id"],
                name="one_paper_entry_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"Paper entry {self.measure_id} for {self.service_user_id}"
