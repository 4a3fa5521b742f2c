"""Service users (the people answering), their episodes of support, and contacts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from openproms.people.categories import ETHNICITY_CHOICES, GenderSameAsSex, Sex

#: The languages a person may read their questions and pages in: the codes Django's
#: translation machinery activates (settings.LANGUAGES) with their names in English
#: (decision 0028).
PREFERRED_LANGUAGES = (("en", "English"), ("cy", "Welsh (Cymraeg)"))


class ServiceUser(models.Model):
    class ContactPreference(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone or text"
        POST = "post", "Post"
        IN_PERSON = "in_person", "Only in person"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="service_users"
    )
    reference = models.CharField(
        max_length=40, help_text="Your organisation's own reference for this person."
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    gender_same_as_sex = models.CharField(
        max_length=12, choices=GenderSameAsSex.choices, blank=True
    )
    ethnicity = models.CharField(max_length=40, choices=ETHNICITY_CHOICES, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    contact_preference = models.CharField(
        max_length=12,
        choices=ContactPreference.choices,
        default=ContactPreference.IN_PERSON,
    )
    # The language their questions, pages and printed forms are in (decision 0028).
    preferred_language = models.CharField(
        max_length=8, choices=PREFERRED_LANGUAGES, default="en"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Restriction of processing (UK GDPR Art 18): the record stays, but nothing is
    # planned, sent or counted for them (people.consent.restricted; decision 0021).
    restricted_at = models.DateTimeField(null=True, blank=True)
    restriction_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"],
                name="service_user_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="service_user_nhs_number_unique",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "family_name", "given_name"], name="su_name"
            ),
            # The API's `updated_since` (decision 0032).
            models.Index(
                fields=["organisation", "updated_at"], name="su_updated_since"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def audit_text(self) -> str:
        """Nothing: an audit event names a person by type and key only."""
        return ""

    @property
    def display_name(self) -> str:
        name = f"{self.given_name} {self.family_name}".strip()
        return f"{name} ({self.reference})" if name else self.reference

    @property
    def initials(self) -> str:
        return "".join(
            part[:1].upper() for part in (self.given_name, self.family_name) if part
        )


class Consent(models.Model):
    """A consent decision; the latest of each kind is the one in force."""

    class Kind(models.TextChoices):
        TAKE_PART = "take_part", "To take part in measuring outcomes"
        SHARE_WITH_FUNDERS = (
            "share_with_funders",
            "To include their answers in anonymous totals for funders",
        )
        SHARE_WITH_GP = "share_with_gp", "To share their results with their GP"

    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    given = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {'yes' if self.given else 'no'}"


class Episode(models.Model):
    """A period of support in one service."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class CloseReason(models.TextChoices):
        COMPLETED = "completed", "Completed the support"
        DISENGAGED = "disengaged", "Stopped attending"
        REFERRED_ON = "referred_on", "Referred to another service"
        MOVED = "moved", "Moved away"
        DIED = "died", "Died"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="episodes"
    )
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.CASCADE, related_name="episodes"
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.PROTECT, related_name="episodes"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    close_reason = models.CharField(
        max_length=20, choices=CloseReason.choices, blank=True
    )
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_worker_episodes",
    )
    # Set by an import of historic data to the day the episode was imported: its
    # measures are due from that day on, and occasions whose window had closed
    # before it are history, never scheduled and never missed (decision 0046).
    scheduled_from = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "key_worker", "status"], name="episode_caseload"
            ),
            models.Index(
                fields=["organisation", "service", "status"], name="episode_service"
            ),
            # The API's `updated_since`: opened, or ended, since (decision 0032).
            models.Index(
                fields=["organisation", "created_at"], name="episode_opened_since"
            ),
            models.Index(
                fields=["organisation", "end_date"], name="episode_ended_since"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} from {self.start_date.day} {self.start_date:%b %Y}"


class EpisodePause(models.Model):
    """A pause in an episode; while paused, interval schedules stop the clock."""

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="pauses"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"Pause from {self.start_date}"


class GroupSession(models.Model):
    """A group session: one register of contacts for many people at once."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="group_sessions"
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.CASCADE, related_name="group_sessions"
    )
    date = models.DateField()
    title = models.CharField(max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return f"{self.title} on {self.date.day} {self.date:%b %Y}"


class Contact(models.Model):
    """A session with a person: whether they attended, who saw them."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="contacts"
    )
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="contacts"
    )
    date = models.DateField()
    attended = models.BooleanField(default=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    group_session = models.ForeignKey(
        GroupSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "group_session"],
                condition=models.Q(group_session__isnull=False),
                name="one_contact_per_group_session",
            )
        ]
        indexes = [
            models.Index(fields=["episode", "date"], name="contact_episode_date")
        ]

    def __str__(self) -> str:
        return f"{'Attended' if self.attended else 'Did not attend'} on {self.date}"
