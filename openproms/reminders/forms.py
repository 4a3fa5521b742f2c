"""Forms for reminders, implementation leads and the weekly capture page."""

from __future__ import annotations

from typing import Any

from django import forms

from openproms.accounts.models import Membership, Organisation, Service
from openproms.accounts.policy import Role
from openproms.accounts.terms import terms_for
from openproms.core import encryption
from openproms.core.forms import DayMonthYearField
from openproms.reminders import wording
from openproms.reminders.models import (
    Channel,
    ContactAgreement,
    ImplementationLead,
    ReminderSettings,
    usual_provider,
    why_usual,
)


class AgreementForm(forms.Form):
    preference = forms.ChoiceField(
        label="How did they agree to be reminded?",
        choices=ContactAgreement.Preference.choices,
        widget=forms.RadioSelect,
    )
    address = forms.CharField(
        label="Email address or mobile number",
        required=False,
        max_length=254,
    )
    agreed_on = DayMonthYearField(label="Date they agreed", what="the date they agreed")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        preference = cleaned.get("preference")
        address = (cleaned.get("address") or "").strip()
        if preference == ContactAgreement.Preference.EMAIL:
            try:
                forms.EmailField().clean(address)
            except forms.ValidationError:
                self.add_error(
                    "address", "Enter their email address, like name@example.com."
                )
        elif preference == ContactAgreement.Preference.SMS:
            digits = address.replace(" ", "")
            if not (
                digits.startswith(("07", "+447"))
                and digits.lstrip("+").isdigit()
                and len(digits.lstrip("+")) in (11, 12)
            ):
                self.add_error(
                    "address", "Enter a UK mobile number, like 07700 900123."
                )
            address = digits
        cleaned["address"] = address
        return cleaned


class SettingsForm(forms.ModelForm):
    enabled = forms.TypedChoiceField(
        label="Send reminders?",
        choices=[("yes", "Yes, send reminders"), ("no", "No, reminders are off")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    notify_api_key = forms.CharField(
        label="GOV.UK Notify API key",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Stored encrypted and never shown again. Leave blank to keep the "
        "key already stored.",
    )
    notify_base_url = forms.URLField(
        label="GOV.UK Notify address (leave blank for the usual one)",
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = ReminderSettings
        fields = [
            "enabled",
            "provider",
            "provider_reason",
            "quiet_from",
            "quiet_until",
            "max_per_time_point",
            "days_between",
            "days_before_due",
            "max_attempts",
            "notify_api_key",
            "notify_base_url",
            "notify_email_template_id",
            "notify_sms_template_id",
        ]
        labels = {
            "provider": "How reminders are sent",
            "provider_reason": "Why this organisation sends them another way",
            "quiet_from": "No messages from (24-hour time, like 20:00)",
            "quiet_until": "No messages until (24-hour time, like 09:00)",
            "max_per_time_point": "Most reminders for one questionnaire",
            "days_between": "Days between reminders",
            "days_before_due": "Start reminding this many days before it is due",
            "max_attempts": "Tries before a failed message is given up",
            "notify_base_url": "GOV.UK Notify address (leave blank for the usual one)",
            "notify_email_template_id": "GOV.UK Notify email template ID",
            "notify_sms_template_id": "GOV.UK Notify text message template ID",
        }
        widgets = {"provider": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.instance.organisation.kind
        self.usual = usual_provider(kind)
        self.why_usual = why_usual(kind)
        field = self.fields["provider"]
        field.choices = [  # type: ignore[attr-defined]
            (value, f"{label} (the usual way)" if value == self.usual else label)
            for value, label in ReminderSettings.Provider.choices
        ]
        field.help_text = self.why_usual
        self.fields["provider_reason"].help_text = (
            "Needed only when you choose a way that is not the usual one; shown "
            "with the settings."
        )
        self.initial["enabled"] = "yes" if self.instance.enabled else "no"
        token = self.instance.notify_api_key_encrypted
        self.has_key = bool(token)
        self.key_ends = encryption.last_four(token) if token else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("max_per_time_point") is not None and not (
            1 <= cleaned["max_per_time_point"] <= 10
        ):
            self.add_error("max_per_time_point", "Enter a number from 1 to 10.")
        if cleaned.get("max_attempts") is not None and not (
            1 <= cleaned["max_attempts"] <= 10
        ):
            self.add_error("max_attempts", "Enter a number from 1 to 10.")
        provider = cleaned.get("provider")
        reason = (cleaned.get("provider_reason") or "").strip()
        if provider == self.usual:
            reason = ""  # nothing to explain
        elif provider and not reason:
            usual = ReminderSettings.Provider(self.usual).label
            self.add_error(
                "provider_reason",
                f"Say why reminders are not sent the usual way for this kind of "
                f"organisation ({usual}).",
            )
        cleaned["provider_reason"] = reason
        if provider == ReminderSettings.Provider.NOTIFY and cleaned.get("enabled"):
            key = cleaned.get("notify_api_key") or ""
            if not key and self.key_ends is None:
                self.add_error(
                    "notify_api_key",
                    "Enter the GOV.UK Notify API key."
                    if not self.has_key
                    else "The stored GOV.UK Notify API key cannot be read with this "
                    "installation's encryption keys: enter it again.",
                )
            if not (
                cleaned.get("notify_email_template_id")
                or cleaned.get("notify_sms_template_id")
            ):
                self.add_error(
                    "notify_email_template_id",
                    "Enter the ID of a GOV.UK Notify email or text message template.",
                )
        key = cleaned.get("notify_api_key") or ""
        if key and len(key) < 74:
            self.add_error(
                "notify_api_key",
                "This is not a GOV.UK Notify API key: copy the whole key "
                "from Notify's API integration page.",
            )
        return cleaned


class TemplateForm(forms.Form):
    subject = forms.CharField(label="Subject", required=False, max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        if channel == Channel.SMS:
            del self.fields["subject"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for problem in wording.template_problems(
            channel=self.channel,
            subject=cleaned.get("subject", ""),
            body=cleaned.get("body", ""),
        ):
            field = "subject" if problem.startswith("Subject") else "body"
            if field in self.fields:
                self.add_error(field, problem)
        return cleaned


class LeadForm(forms.ModelForm):
    class Meta:
        model = ImplementationLead
        fields = ["lead", "capture_target", "weeks_below", "quiet_weeks"]
        labels = {
            "lead": "Implementation lead",
            "capture_target": "Completion target (per cent)",
            "weeks_below": "Alert after this many weeks below target",
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(
            organisation=organisation,
            role__in=[Role.ORG_ADMIN, Role.MANAGER, Role.WORKER],
        ).select_related("user")
        field = self.fields["lead"]
        field.queryset = field.queryset.filter(  # type: ignore[attr-defined]
            pk__in=[m.user_id for m in members]
        )
        field.label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]
        worker = terms_for(organisation)["worker"]
        self.fields[
            "quiet_weeks"
        ].label = f"Alert when a {worker} has collected nothing for this many weeks"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        target = cleaned.get("capture_target")
        if target is not None and not 1 <= target <= 100:
            self.add_error("capture_target", "Enter a per cent from 1 to 100.")
        for name in ("weeks_below", "quiet_weeks"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 12:
                self.add_error(name, "Enter a number of weeks from 1 to 12.")
        return cleaned


class CaptureFilterForm(forms.Form):
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="All services",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
