"""Forms for signing in, two-factor, invitations, services and members.

Forms do all validation of what a person typed; services assume valid input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.utils import timezone

from openproms.accounts.models import (
    Invitation,
    Membership,
    Organisation,
    Service,
    User,
)
from openproms.accounts.policy import Role
from openproms.accounts.terms import role_choices


class SignInForm(forms.Form):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(
            attrs={"autocomplete": "username", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the security code"},
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isalnum():
            raise forms.ValidationError(
                "The security code can only contain letters and numbers"
            )
        return token


class SetupTokenForm(TokenForm):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=6,
        min_length=6,
        help_text="Enter the 6-digit code your app shows now.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "min_length": "The code must be 6 digits",
            "max_length": "The code must be 6 digits",
        },
    )

    def clean_token(self) -> str:
        token = super().clean_token()
        if not token.isdigit():
            raise forms.ValidationError("The code must be 6 digits")
        return token


class ServiceForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Service
        fields = ["name", "description", "is_active"]
        labels = {"name": "Service name", "is_active": "This service is running"}
        help_texts = {
            "description": "What the service does and who it supports, in a sentence or two."
        }
        error_messages = {"name": {"required": "Enter a name for the service"}}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = Service.objects.filter(
            organisation=self.organisation, name__iexact=name
        )
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                "Your organisation already has a service with this name"
            )
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address of the person to invite",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = role_choices(organisation)  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].lower()
        if Membership.objects.filter(
            organisation=self.organisation, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(
                "This person is already a member of your organisation"
            )
        waiting = (
            Invitation.objects.filter(
                organisation=self.organisation,
                email=email,
                accepted_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        if waiting is not None:
            sent = timezone.localtime(waiting.created_at)
            raise forms.ValidationError(
                f"An invitation to {email} is already waiting: it was sent on "
                f"{sent.day} {sent:%B %Y}. To send a new one, withdraw it under "
                "Pending invitations first"
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a role",
            "invalid_choice": "Choose one of the roles listed",
        },
    )

    def __init__(
        self, *args: Any, organisation: Organisation | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(organisation)  # type: ignore[attr-defined]


class AcceptInvitationForm(forms.Form):
    """For someone new to openproms: their name and a password."""

    full_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters. A few random words make a good password.",
        error_messages={"required": "Choose a password"},
    )
    password2 = forms.CharField(
        label="Type the password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again"},
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords do not match")
        elif first:
            try:
                password_validation.validate_password(
                    first,
                    User(
                        email=self.email,
                        username=self.email,
                        full_name=cleaned.get("full_name", ""),
                    ),
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
    )


class SupportTextForm(forms.Form):
    """The text people read when their answers look worse or they give a risk answer."""

    MAX = 2000

    support_text = forms.CharField(
        label="Your own text",
        required=False,
        max_length=MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Shown to someone answering at home or on a handed-over screen when their "
            "answers look worse than last time or they give an answer that raises a "
            "risk alert. Say how to reach your organisation and where to get urgent "
            "help. Leave it empty to use the default text below."
        ),
        error_messages={
            "max_length": f"The support text must be {MAX:,} characters or fewer"
        },
    )
