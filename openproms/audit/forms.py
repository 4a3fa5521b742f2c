"""Filters for the audit log page."""

from __future__ import annotations

from typing import Any

from django import forms

from openproms.audit.labels import action_choices
from openproms.core.forms import DayMonthYearField


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="What was done", required=False, choices=())
    actor = forms.CharField(
        label="Who did it (email contains)", required=False, max_length=254
    )
    person = forms.CharField(
        label="About the person (their reference)",
        required=False,
        max_length=40,
        help_text="Every event about them: who looked at their record, and changes.",
    )
    date_from = DayMonthYearField(
        label="From date", what="the from date", required=False
    )
    date_to = DayMonthYearField(
        label="To date", what="the to date", example="31/03/2027", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Anything"), *action_choices()]
        self.fields["action"].error_messages["invalid_choice"] = (
            "Choose what was done from the list"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to", "The to date must be the same as or after the from date"
            )
        return cleaned
