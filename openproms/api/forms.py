"""The form that makes an API token (all validation of its input)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from openproms.accounts.models import Organisation, Service
from openproms.api.models import ApiToken
from openproms.core.forms import DayMonthYearField

LONGEST = dt.timedelta(days=366)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you know it again (for example, "
        "“Nightly copy to the data warehouse”).",
        error_messages={"required": "Enter a name for the token"},
    )
    access = forms.ChoiceField(
        label="What it may do",
        choices=ApiToken.Access.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the token may only read"},
    )
    services = forms.ModelMultipleChoiceField(
        label="Services",
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Choose none for every service. With some chosen, the token sees "
        "only the people with an episode in them.",
    )
    expires_on = DayMonthYearField(
        what="the expiry date",
        example="31/12/2026",
        label="Expires on",
        help_text="Day/month/year, for example 31/12/2026; at most a year from "
        "today. The token stops working at the end of that day.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["services"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("name")
        self.fields["services"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name for the token")
        return name

    def clean_expires_on(self) -> dt.date:
        expires: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if expires <= today:
            raise forms.ValidationError("The expiry date must be in the future")
        if expires > today + LONGEST:
            raise forms.ValidationError(
                "The expiry date must be at most a year from today"
            )
        return expires
