"""The measures an organisation uses, and the licensed wording it supplies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class OrganisationMeasure(models.Model):
    """A library (or bespoke) measure an organisation has chosen to use."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="measures"
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["measure_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure_id", "measure_version"],
                name="one_org_measure_per_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} v{self.measure_version}"

    def audit_text(self) -> str:
        """What the audit log keeps: an own measure by its short name (a library
        measure's id is named when the log is read)."""
        own = (
            BespokeMeasure.objects.filter(
                organisation_id=self.organisation_id, measure_id=self.measure_id
            )
            .values_list("definition", flat=True)
            .first()
        )
        name = own.get("short_name") if isinstance(own, dict) else None
        return f"{name or self.measure_id} v{self.measure_version}"


class MeasureWording(models.Model):
    """Item wording an organisation supplies under its own licence.

    Visible only inside that organisation; never exported to another.
    ``wording`` has the shape ``definition_with_wording`` takes:
    ``{"items": {id: text}, "options": {response_set_id: {code: label}}, ...}``.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="measure_wordings",
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    wording = models.JSONField()
    licence_reference = models.CharField(max_length=200)
    supplied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    supplied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure_id", "measure_version"],
                name="one_wording_per_org_measure",
            )
        ]

    def __str__(self) -> str:
        return f"Wording for {self.measure_id} v{self.measure_version}"


class BespokeMeasure(models.Model):
    """An organisation's own measure (e.g. a ladder), in the library's schema.

    One row per version (decision 0026). A draft may be edited; publishing
    freezes it for good (nothing writes ``definition`` after ``published_at``);
    changing a published measure makes the next version as a new draft. Only
    published versions are answered, printed or scored. ``definition`` is always
    a document the engine accepts: the designer never stores a half-made one.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="bespoke_measures",
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    definition = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    copied_from = models.CharField(
        max_length=90,
        blank=True,
        help_text="The library measure (id@version) this one was adapted from.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "measure_id", "measure_version"],
                name="one_bespoke_per_org_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} v{self.measure_version} (bespoke)"

    def audit_text(self) -> str:
        """What the audit log keeps: the measure's short name, not its id."""
        name = (self.definition or {}).get("short_name") or self.measure_id
        return f"{name} v{self.measure_version} (own measure)"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
