"""Imports of historic data: the uploaded file and what became of it, the column
mapping an organisation saved, and scores imported without their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportMapping(models.Model):
    """The columns an organisation matched last time, offered again next time:
    a column heading (as written, trimmed and lower-cased) to what it holds."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"Import columns of {self.organisation}"


class ImportJob(models.Model):
    """One uploaded file: its columns, its dry run and, once committed, its import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Columns to match"
        CHECKING = "checking", "Being checked"
        PROBLEMS = "problems", "Problems found: nothing imported"
        CHECKED = "checked", "Checked: ready to import"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        EXPIRED = "expired", "File deleted unused: upload it again to import it"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    file_hash = models.CharField(max_length=64)
    content = models.BinaryField()
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(
        default=dict, help_text="Column position (as text) to what it holds."
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.UPLOADED
    )
    stage = models.CharField(max_length=100, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    outcome = models.JSONField(default=dict, blank=True)
    in_background = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import of {self.file_name}"

    def audit_text(self) -> str:
        # A file's name may name a person: the audit keeps the import's number.
        return f"Import {self.pk}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)


class ImportedScore(models.Model):
    """A scale score imported without the answers it came from (decision 0024).

    Kept as it was given and never rescored: nothing here is computed, and the
    scoring engine never reads it. Every page that shows one says "imported".
    ``source_key`` makes importing the same score again change nothing.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="imported_scores"
    )
    episode = models.ForeignKey(
        "people.Episode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    scale_id = models.CharField(max_length=60)
    value = models.FloatField()
    completed_on = models.DateField()
    source_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "measure_id", "scale_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source_key"], name="one_imported_score"
            )
        ]
        indexes = [
            models.Index(
                fields=["service_user", "completed_on"], name="imported_score_person"
            )
        ]

    def __str__(self) -> str:
        return f"Imported {self.measure_id} {self.scale_id} = {self.value}"
