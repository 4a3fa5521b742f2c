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


class MessageTemplate(models.Model):
    """The words of a reminder, one per organisation and channel, with placeholders
    such as ``{name}`` (reminders.wording)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel"], name="one_template_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reminder"


class Reminder(models.Model):
    """One reminder message about one time point, and what became of it."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        RETRYING = "retrying", "Failed, will try again"
        FAILED = "failed", "Could not be sent"
        STOPPED = "stopped", "Not sent"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="reminders"
    )
    time_point = models.ForeignKey(
        "collection.TimePoint", on_delete=models.CASCADE, related_name="reminders"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(max_length=254)
    provider = models.CharField(max_length=10)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    provider_reference = models.CharField(max_length=100, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    stop_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    """When it was stopped ("Not sent") or given up on ("Could not be sent")."""

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "status", "next_attempt_at"],
                name="reminder_next",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} reminder: {self.get_status_display()}"


class ImplementationLead(models.Model):
    """The named person who keeps collection going in a service, and when they
    are alerted."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service = models.OneToOneField(
        "accounts.Service", on_delete=models.CASCADE, related_name="implementation_lead"
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    capture_target = models.PositiveSmallIntegerField(
        default=70, help_text="Per cent of measures due in a week that are answered."
    )
    weeks_below = models.PositiveSmallIntegerField(default=3)
    quiet_weeks = models.PositiveSmallIntegerField(default=3)

    def __str__(self) -> str:
        return f"Implementation lead of {self.service}"


class CaptureAlert(models.Model):
    """Capture stayed below target, or a worker stopped collecting."""

    class Kind(models.TextChoices):
        BELOW_TARGET = "below_target", "Capture below target"
        WORKER_STOPPED = "worker_stopped", "A worker stopped collecting"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.CASCADE, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    week_of = models.DateField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "worker", "kind", "week_of"],
                name="one_capture_alert_per_week",
            )
        ]

    def __str__(self) -> str:
        return self.message
