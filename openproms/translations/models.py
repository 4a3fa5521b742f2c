"""A measure's wording in another language, supplied by an organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from openproms.scoring.translations import TRANSLATION_LANGUAGES


class MeasureTranslation(models.Model):
    """One measure version's wording in one language, supplied by an organisation
    (under its own licence, or of its own making).

    Visible only inside that organisation. ``wording`` has the shape
    :func:`openproms.scoring.translations.definition_translated` takes. A translation
    openproms ships (openproms/library/translations) needs no row.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="measure_translations",
    )
    measure_id = models.CharField(max_length=60)
    measure_version = models.CharField(max_length=20)
    language = models.CharField(
        max_length=8, choices=sorted(TRANSLATION_LANGUAGES.items())
    )
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
                fields=["organisation", "measure_id", "measure_version", "language"],
                name="one_translation_per_org_measure_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.language} wording for {self.measure_id} v{self.measure_version}"

    def audit_text(self) -> str:
        return f"{self.get_language_display()} wording for {self.measure_id}"
