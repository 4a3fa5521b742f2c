"""Forms for erasure, restriction and retention: every check on what an admin
typed, with messages naming the field."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from openproms.people.models import ServiceUser


def _naming(person: ServiceUser) -> list[str]:
    """What would name the person in a reason kept after they are gone."""
    found = [person.reference, person.given_name, person.family_name, person.email]
    found.append(person.nhs_number)
    if person.date_of_birth is not None:
        found += [
            person.date_of_birth.isoformat(),
            person.date_of_birth.strftime("%d/%m/%Y"),
        ]
    return [text for text in found if len(text.strip()) >= 2]


def names_person(text: str, person: ServiceUser) -> bool:
    """True when ``text`` holds the person's name, reference, NHS number, email
    or date of birth (letters compared without case, numbers without spaces)."""
    folded = text.casefold()
    digits = re.sub(r"\s+", "", folded)
    for value in _naming(person):
        needle = value.casefold()
        if needle.isdigit():
            if needle in digits:
                return True
        elif re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded):
            return True
    return False


class EraseForm(forms.Form):
    reason = forms.CharField(
        label="Why are you erasing this person?",
        help_text="For example, they asked us to erase their data on 3 March. "
        "This is kept after they are erased, so do not write their name, "
        "reference, NHS number or date of birth.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you are erasing this person"},
    )
    confirm_reference = forms.CharField(
        label="Type their reference to confirm",
        max_length=40,
        error_messages={"required": "Type their reference to confirm"},
    )

    def __init__(self, *args: Any, person: ServiceUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields[
            "confirm_reference"
        ].help_text = (
            f"Their reference is {person.reference}. Erasing cannot be undone."
        )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are erasing this person")
        if names_person(reason, self.person):
            raise forms.ValidationError(
                "The reason must not name the person: leave out their name, "
                "reference, NHS number, email and date of birth"
            )
        return reason

    def clean_confirm_reference(self) -> str:
        typed: str = self.cleaned_data["confirm_reference"].strip()
        if typed.casefold() != self.person.reference.casefold():
            raise forms.ValidationError(
                "The reference you typed is not this person's reference"
            )
        return typed


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label="Why is their data restricted?",
        help_text="For example, they asked us to stop using their data while "
        "they check it is right.",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why their data is restricted"},
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why their data is restricted")
        return reason


class RetentionForm(forms.Form):
    months = forms.IntegerField(
        label="How many months are records kept after a person's last episode ends?",
        help_text="A whole number of months, from 1 to 1200. 96 months is 8 years.",
        min_value=1,
        max_value=1200,
        error_messages={
            "required": "Enter how many months records are kept",
            "invalid": "Enter the number of months as a whole number, like 96",
            "min_value": "Records must be kept for at least 1 month",
            "max_value": "Enter 1200 months (100 years) or fewer",
        },
    )
    # Sent back by the confirmation page: what the admin saw, signed
    # (erasure_views.retention_confirmation); empty on the first save.
    confirmation = forms.CharField(
        required=False, max_length=2000, widget=forms.HiddenInput
    )
