"""Forms of the choosing app: the chooser's question, a trial, a decision.

Every message names the field; the services assume valid input.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from openproms.accounts.models import Organisation, Service
from openproms.catalogue import selectors as catalogue_selectors
from openproms.choosing import chooser_data
from openproms.choosing.models import MeasureTrial
from openproms.collection.models import PlanRule
from openproms.core.forms import DayMonthYearField
from openproms.scoring import MeasureDefinition, display_title

TRIAL_KINDS = [
    (PlanRule.Kind.START, "Once, at the start of support"),
    (PlanRule.Kind.EVERY_N_WEEKS, "Every few weeks from the start"),
]


class ChooserForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label="What do you want to measure?",
        choices=chooser_data.PURPOSES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    populations = forms.MultipleChoiceField(
        label="Who does the service support?",
        choices=chooser_data.POPULATIONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    service = forms.ModelChoiceField(
        label="Service whose plan sets how often people answer",
        queryset=Service.objects.none(),
        required=False,
        empty_label="No service: show the questions only",
        error_messages={"invalid_choice": "Choose one of your services"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("purposes") and not data.get("populations"):
            raise forms.ValidationError(
                "Choose at least one thing to measure or one group of people"
            )
        return data


class TrialForm(forms.Form):
    measure = forms.ChoiceField(
        label="Measure to try",
        error_messages={
            "required": "Choose the measure to try",
            "invalid_choice": "Choose one of the measures listed",
        },
    )
    service = forms.ModelChoiceField(
        label="Service to try it in",
        queryset=Service.objects.none(),
        error_messages={
            "required": "Choose the service to try it in",
            "invalid_choice": "Choose one of your services",
        },
    )
    kind = forms.ChoiceField(
        label="When people answer it",
        choices=TRIAL_KINDS,
        widget=forms.RadioSelect,
        initial=PlanRule.Kind.START,
        error_messages={"required": "Choose when people answer it"},
    )
    weeks = forms.IntegerField(
        label="Weeks between answers",
        required=False,
        min_value=1,
        max_value=52,
        help_text="Only when people answer every few weeks.",
        error_messages={
            "invalid": "Enter the weeks between answers as a whole number",
            "min_value": "Weeks between answers must be 1 or more",
            "max_value": "Weeks between answers must be 52 or fewer",
        },
    )
    ends_on = DayMonthYearField(
        label="End of the trial", what="the end date of the trial", example="31/03/2027"
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["measure"].choices = [("", "Choose a measure")] + [
            (row["definition"].key, display_title(row["definition"]))  # type: ignore[attr-defined]
            for row in catalogue_selectors.measure_catalogue(organisation)
        ]

    def clean_ends_on(self) -> dt.date:
        ends: dt.date = self.cleaned_data["ends_on"]
        if ends <= timezone.localdate():
            raise forms.ValidationError("The end date of the trial must be after today")
        return ends

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == PlanRule.Kind.EVERY_N_WEEKS and not data.get("weeks"):
            self.add_error("weeks", "Enter the weeks between answers")
        return data

    def clean_measure(self) -> str:
        key: str = self.cleaned_data["measure"]
        measure_id, version = key.split("@", 1)
        definition = catalogue_selectors.measure_definition(
            organisation=self.organisation, measure_id=measure_id, version=version
        )
        if not definition.licence.wording_shipped and not definition.wording_supplied:
            raise forms.ValidationError(
                f"The wording of {definition.short_name} is licensed and your "
                "organisation has not supplied it yet: an organisation admin "
                "supplies it on the measure's page before people can answer it"
            )
        return key

    def definition(self) -> MeasureDefinition:
        measure_id, version = self.cleaned_data["measure"].split("@", 1)
        return catalogue_selectors.measure_definition(
            organisation=self.organisation, measure_id=measure_id, version=version
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What have you decided?",
        choices=[
            (MeasureTrial.Decision.KEEP, "Keep it: its answers count from now on"),
            (
                MeasureTrial.Decision.CHANGE,
                "Change it: carry on as a pilot while it is changed",
            ),
            (MeasureTrial.Decision.DROP, "Drop it: stop asking for it"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose keep, change or drop",
            "invalid_choice": "Choose keep, change or drop",
        },
    )
    note = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the reason to 1000 characters or fewer"},
    )
