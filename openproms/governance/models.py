"""What information governance keeps: the record of each erasure (which names no
one) and each organisation's retention period."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

# The default is the Records Management Code of Practice for Health and Social
# Care 2021 (NHS England) retention for adult health records not covered by any
# other entry: 8 years after the conclusion of treatment. Each organisation must
# confirm the period that applies to its records (decision 0021).
DEFAULT_RETENTION_MONTHS = 96
RETENTION_SOURCE = (
    "Records Management Code of Practice for Health and Social Care 2021 (NHS "
    "England), retention schedule: adult health records, 8 years after treatment "
    "ends"
)

RELEASED_REPORTS_NOTE = (
    "Reports already given to funders or downloaded before this erasure are not "
    "rewritten: they may still count this person in their totals. Reports made "
    "from now on do not."
)


class Erasure(models.Model):
    """One person erased: on request or because their retention period passed.

    The person is named only by ``token``, a random reference made at erasure
    that matches nothing else: the record proves the erasure happened without
    keeping who it was about."""

    class Kind(models.TextChoices):
        REQUEST = "request", "On request"
        RETENTION = "retention", "Retention period passed"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="erasures"
    )
    token = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.CharField(max_length=500)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(default=timezone.now)
    rows_removed = models.JSONField(
        default=dict, help_text="Rows removed, by kind of record."
    )
    files_removed = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, default=RELEASED_REPORTS_NOTE)

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self) -> str:
        return f"Erasure {self.reference}"

    @property
    def reference(self) -> str:
        """The token as people read it aloud: groups of 4 characters."""
        upper = self.token.upper()
        return "-".join(upper[i : i + 4] for i in range(0, len(upper), 4))

    @property
    def rows_total(self) -> int:
        return sum(int(n) for n in self.rows_removed.values())


class RetentionSetting(models.Model):
    """How long an organisation keeps a person's records after their last episode
    ends. An organisation without one keeps them for the default."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="retention"
    )
    months = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1200)]
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Keep records {self.months} months after the last episode ends"
