"""Reminders (who agreed to be contacted, how, each organisation's settings and
message templates, each message and its delivery) and keeping collection going
(each service's implementation lead and the alerts raised for them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class ContactAgreement(models.Model):
    """A person's agreement to be reminded, with how: the one in force is their
    latest. ``channel`` empty means they said no (no reminders)."""

    class Preference(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        NONE = "none", "No reminders"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser",
        on_delete=models.CASCADE,
        related_name="contact_agreements",
    )
    preference = models.CharField(max_length=10, choices=Preference.choices)
    address = models.CharField(
        max_length=254, blank=True, help_text="Email address or mobile number."
    )
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-agreed_on", "-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_preference_display()} from {self.agreed_on}"


class ReminderSettings(models.Model):
    """How an organisation reminds: whether it does, the provider (the usual one
    follows the organisation's kind: :func:`usual_provider`; another needs a
    reason), quiet hours, the cap, retries. The Notify API key is stored
    encrypted (core/encryption.py) and never shown back."""

    class Provider(models.TextChoices):
        SMTP = "smtp", "Email through this system's mail server"
        NOTIFY = "notify", "GOV.UK Notify (email and text messages)"

    organisation = models.OneToOneField(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    enabled = models.BooleanField(default=False)
    provider = models.CharField(
        max_length=10, choices=Provider.choices, default=Provider.SMTP
    )
    provider_reason = models.CharField(max_length=300, blank=True)
    quiet_from = models.TimeField(default="20:00")
    quiet_until = models.TimeField(default="09:00")
    max_per_time_point = models.PositiveSmallIntegerField(default=2)
    days_between = models.PositiveSmallIntegerField(default=3)
    days_before_due = models.PositiveSmallIntegerField(default=2)
    max_attempts = models.PositiveSmallIntegerField(default=4)
    notify_api_key_encrypted = models.TextField(blank=True)
    notify_base_url = models.URLField(blank=True)
    notify_email_template_id = models.CharField(max_length=64, blank=True)
    notify_sms_template_id = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminder settings of {self.organisation}"

    @property
    def usual_provider(self) -> str:
        return usual_provider(self.organisation.kind)

    @property
    def is_usual_provider(self) -> bool:
        return self.provider == self.usual_provider


# GOV.UK Notify is the government's own messaging service for the public sector:
# NHS bodies, GP practices and local authorities use it; everyone else sends email
# through their own mail server (decision 0035).
NOTIFY_KINDS = frozenset({"nhs", "gp_practice", "local_authority"})


def usual_provider(kind: str) -> str:
    """The provider an organisation of this kind uses unless it gives a reason."""
    if kind in NOTIFY_KINDS:
        return ReminderSettings.Provider.NOTIFY
    return ReminderSettings.Provider.SMTP


def why_usual(kind: str) -> str:
    """Why the usual provider is the usual one for this kind of organisation."""
    if kind in NOTIFY_KINDS:
        return (
            "NHS bodies, GP practices and local authorities usually send reminders "
            "through GOV.UK Notify: the government's messaging service for the "
            "public sector, which sends email and text messages and reports whether "
            "each was delivered."
        )
    return (
        "Organisations of this kind usually send reminders by email through this "
        "system's mail server: GOV.UK Notify is the government's messaging service "
        "for NHS bodies, GP practices and local authorities, and gives accounts "
        "only to the public sector."
    )
