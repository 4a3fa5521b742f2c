"""What leaves an organisation about a person: a summary shared with their GP
practice (:class:`GpShare`), and research projects whose approver may download a
pseudonymised extract (:class:`ResearchProject`), with the research consent
decisions they read (:class:`ResearchConsent`; docs/decisions/0025)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class GpShare(models.Model):
    """One summary of a person sent to their GP practice.

    The row belongs to the sending organisation (``organisation``) and is
    addressed to ``recipient`` when the practice uses this installation (None:
    a practice elsewhere, to which the worker downloads the Bundle and PDF). It
    holds a copy of what was sent, so the practice reads the share and nothing
    else of the sender: the only thing crossing the wall between the two
    (row-level security lets the recipient read and settle only rows addressed
    to it; migration 0002).
    """

    class Status(models.TextChoices):
        SENT = "sent", "Waiting for the practice"
        ACCEPTED = "accepted", "Accepted by the practice"
        DECLINED = "declined", "Declined by the practice"
        DOWNLOADED = "downloaded", "Downloaded to send to the practice"

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="gp_shares_received",
    )
    practice_name = models.CharField(max_length=200)
    # Erasing the person erases what was shared about them (and takes it out of
    # the practice's inbox): the practice keeps what it filed in its own record.
    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="gp_shares"
    )
    # What the practice needs to find its own record of the person (shared
    # under the person's "share with GP" consent), and the summary itself.
    nhs_number = models.CharField(max_length=10, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    record_text = models.TextField()
    pdf = models.BinaryField()
    bundle = models.JSONField()
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices)
    # The practice's own record of the person, once it accepts the share.
    matched_person = models.ForeignKey(
        "people.ServiceUser",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gp_shares_linked",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "status"], name="gpshare_inbox"),
        ]

    def __str__(self) -> str:
        return f"Summary shared with {self.practice_name}"

    def audit_text(self) -> str:
        return f"Summary shared with {self.practice_name}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "Not given"


class ResearchConsent(models.Model):
    """A person's decision on their answers being used for research. openproms'
    own consent kinds (people.Consent) have none for research, so the decision is
    kept here; only a recorded "yes" in force lets a person into an extract."""

    service_user = models.ForeignKey(
        "people.ServiceUser", on_delete=models.CASCADE, related_name="research_consents"
    )
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
        return "Research consent " + ("agreed" if self.given else "did not agree")

    def audit_text(self) -> str:
        return str(self)


def new_secret() -> str:
    return secrets.token_hex(32)


class ResearchProject(models.Model):
    """A named research project: what it may have, who approves it, until when."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="research_projects",
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField()
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approval_date = models.DateField()
    expiry_date = models.DateField()
    fields = models.JSONField(default=list)
    shift_dates = models.BooleanField(default=False)
    # The key of the project's pseudonyms and date shifts: never shown, never
    # in an extract (a keyed hash is only as safe as its key).
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="research_project_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def has_expired(self, today: object = None) -> bool:
        day = today or timezone.localdate()
        return bool(self.expiry_date < day)  # type: ignore[operator]
