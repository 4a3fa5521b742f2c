"""Organisations, their services, the people who log in, and what role each has where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from openproms.accounts.policy import Role


class User(AbstractUser):
    """A person who logs in: staff of an organisation, or a commissioner's user.

    The username is the email address; both are kept so Django's auth tooling works.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


class Organisation(models.Model):
    class Kind(models.TextChoices):
        CHARITY = "charity", "Charity or community organisation"
        GP_PRACTICE = "gp_practice", "GP practice"
        NHS = "nhs", "NHS trust or other NHS body"
        LOCAL_AUTHORITY = "local_authority", "Local authority (council)"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CHARITY)
    is_demo = models.BooleanField(default=False)
    is_training = models.BooleanField(
        default=False,
        help_text=(
            "A practice organisation: made-up people for learning. Left out of "
            "every commissioner report and every figure across organisations, and "
            "no reminder is ever sent from it (decision 0030)."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)
    support_text = models.TextField(
        blank=True,
        help_text=(
            "What a person answering at home or on a handed-over screen reads when "
            "their answers look worse or they give a risk answer. Blank: the "
            "default text (accounts.selectors.DEFAULT_SUPPORT_TEXT)."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A programme an organisation runs (a well-being course, a social prescribing service)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="service_name_unique_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="one_membership_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.organisation}"


class Invitation(models.Model):
    """An emailed, expiring, single-use link that makes someone a member."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class CommissionerBody(models.Model):
    """A funder: an integrated care board, a council, a grant funder."""

    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board"
        COUNCIL = "council", "Local authority"
        GRANT_FUNDER = "grant_funder", "Grant funder"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CommissionerMembership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="commissioner_memberships"
    )
    body = models.ForeignKey(
        CommissionerBody, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "body"], name="one_commissioner_membership_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.body}"
