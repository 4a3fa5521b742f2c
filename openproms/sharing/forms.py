"""Forms of the sharing pages: whom to send a summary to, a practice's decision
on a share, a research project, and a research consent decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.core.forms import DayMonthYearField
from openproms.people.models import ServiceUser
from openproms.sharing.extract import CHOOSABLE
from openproms.sharing.models import ResearchProject

ELSEWHERE = "elsewhere"


class GpShareForm(forms.Form):
    practice = forms.ChoiceField(
        label="Which GP practice?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person's GP practice"},
    )
    practice_name = forms.CharField(
        label="Name of the practice, if it does not use openproms",
        max_length=200,
        required=False,
        help_text="You will download the summary (a PDF and a FHIR Bundle) to "
        "send to the practice yourself.",
    )

    def __init__(
        self, *args: Any, practices: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.practices = {str(p.pk): p for p in practices}
        self.fields["practice"].choices = [
            *((pk, p.name) for pk, p in self.practices.items()),
            (ELSEWHERE, "A practice that does not use openproms"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        choice = cleaned.get("practice")
        cleaned["recipient"] = self.practices.get(str(choice))
        if choice == ELSEWHERE:
            name = (cleaned.get("practice_name") or "").strip()
            if not name:
                self.add_error(
                    "practice_name", "Enter the name of the person's GP practice"
                )
            cleaned["practice_name"] = name
        return cleaned


class InboxDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What do you want to do with this summary?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept or decline the summary"},
    )

    def __init__(
        self, *args: Any, candidates: QuerySet[ServiceUser], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(p.pk): p for p in candidates}
        self.fields["decision"].choices = [
            *(
                (
                    pk,
                    f"Accept and add it to the record of {p.display_name}",
                )
                for pk, p in self.candidates.items()
            ),
            ("decline", "Decline it: it is not for one of our patients"),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["person"] = self.candidates.get(str(cleaned.get("decision")))
        return cleaned


class PersonChoiceForm(forms.Form):
    """When no record matches the NHS number: the practice's own reference."""

    reference = forms.CharField(
        label="Your reference for this patient",
        max_length=40,
        error_messages={"required": "Enter your reference for this patient"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_reference(self) -> ServiceUser:
        reference = self.cleaned_data["reference"].strip()
        person = ServiceUser.objects.filter(
            organisation=self.organisation, reference=reference
        ).first()
        if person is None:
            raise forms.ValidationError(
                f"No patient has the reference {reference}: check it and try again"
            )
        return person


class ResearchProjectForm(forms.Form):
    name = forms.CharField(
        label="Project name",
        max_length=200,
        error_messages={"required": "Enter the project's name"},
    )
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the research is for and who is doing it.",
        error_messages={"required": "Enter the project's purpose"},
    )
    approver = forms.ModelChoiceField(
        label="Approver",
        queryset=User.objects.none(),
        empty_label="Choose the approver",
        help_text="The organisation admin who approves the project and is the "
        "only person who can download its extract.",
        error_messages={
            "required": "Choose the project's approver",
            "invalid_choice": "Choose an approver from the list",
        },
    )
    approval_date = DayMonthYearField(what="the date the project was approved")
    expiry_date = DayMonthYearField(what="the date the project expires")
    fields = forms.MultipleChoiceField(
        label="Fields in the extract",
        choices=CHOOSABLE,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every extract has the person's pseudonym, the measure, the "
        "scale and the score. Choose what else it may have.",
        required=False,
        error_messages={"invalid_choice": "Choose the fields from the list"},
    )
    shift_dates = forms.BooleanField(
        label="Shift dates (each person's dates moved by up to 30 days)",
        required=False,
    )

    def __init__(
        self, *args: Any, organisation: Organisation, approvers: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["approver"].queryset = approvers
        self.fields["approver"].label_from_instance = lambda u: u.display_name

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ResearchProject.objects.filter(
            organisation=self.organisation, name=name
        ).exists():
            raise forms.ValidationError(f"A project called {name} already exists")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        approved: dt.date | None = cleaned.get("approval_date")
        expires: dt.date | None = cleaned.get("expiry_date")
        if approved and expires and expires <= approved:
            self.add_error(
                "expiry_date", "The expiry date must be after the approval date"
            )
        if expires and expires < timezone.localdate():
            self.add_error("expiry_date", "The expiry date must not be in the past")
        return cleaned


class ResearchConsentForm(forms.Form):
    given = forms.TypedChoiceField(
        label="Did they agree to their answers being used for research?",
        choices=[("yes", "They agreed"), ("no", "They did not agree")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what they decided"},
    )
    decided_on = DayMonthYearField(what="the date of the decision")
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_decided_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "The date of the decision must not be in the future"
            )
        return day
