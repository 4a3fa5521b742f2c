"""Forms for service users, consent, episodes, contacts and alerts (a group
session's register is in group_forms.py).

Forms do all validation of what a person typed, with messages naming the field;
services assume valid input. Choices of services and workers are limited to the
organisation, so an id from another organisation is an invalid choice.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.accounts.terms import terms_for
from openproms.people.categories import (
    ETHNICITY_GROUPS,
    GenderSameAsSex,
    Sex,
    nhs_number_is_valid,
)
from openproms.people.consent import kind_labels
from openproms.people.models import (
    PREFERRED_LANGUAGES,
    Consent,
    Episode,
    ServiceUser,
)

# UK postcode (BS 7666 shapes, plus GIR 0AA), spaces optional.
POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$", re.IGNORECASE
)
PERSON_FIELDS = (
    "reference",
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "postcode",
    "sex",
    "gender_same_as_sex",
    "ethnicity",
    "email",
    "phone",
    "contact_preference",
    "preferred_language",
)


class DateParts:
    """Helpers for the NHS.UK date input: day, month and year boxes."""

    @staticmethod
    def attach(form: forms.Form, prefix: str) -> None:
        """Add the three boxes to ``form`` and list them in ``form.dates[prefix]``
        for the date input template."""
        form.fields.update(DateParts.fields(prefix))
        dates = getattr(form, "dates", {})
        dates[prefix] = {
            "prefix": prefix,
            "day": form[f"{prefix}_day"],
            "month": form[f"{prefix}_month"],
            "year": form[f"{prefix}_year"],
        }
        form.dates = dates  # type: ignore[attr-defined]

    @staticmethod
    def fields(prefix: str) -> dict[str, forms.Field]:
        box = {"inputmode": "numeric"}
        return {
            f"{prefix}_day": forms.CharField(
                label="Day", required=False, max_length=2, widget=forms.TextInput(box)
            ),
            f"{prefix}_month": forms.CharField(
                label="Month",
                required=False,
                max_length=2,
                widget=forms.TextInput(box),
            ),
            f"{prefix}_year": forms.CharField(
                label="Year", required=False, max_length=4, widget=forms.TextInput(box)
            ),
        }

    @staticmethod
    def clean(
        form: forms.Form,
        cleaned: dict[str, Any],
        prefix: str,
        label: str,
        *,
        required: bool,
        not_future: bool = True,
    ) -> dt.date | None:
        parts = [
            (cleaned.get(f"{prefix}_{part}") or "").strip()
            for part in ("day", "month", "year")
        ]
        target = f"{prefix}_day"
        if not any(parts):
            if required:
                form.add_error(target, f"Enter the {label.lower()}")
            return None
        missing = [
            name
            for name, value in zip(("day", "month", "year"), parts, strict=True)
            if not value
        ]
        if missing:
            form.add_error(target, f"{label} must include a {' and a '.join(missing)}")
            return None
        if not all(value.isdigit() for value in parts) or len(parts[2]) != 4:
            form.add_error(target, f"{label} must be a real date, like 27 3 2007")
            return None
        try:
            date = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            form.add_error(target, f"{label} must be a real date, like 27 3 2007")
            return None
        if not_future and date > timezone.localdate():
            form.add_error(target, f"{label} must be today or in the past")
            return None
        if date.year < 1900:
            form.add_error(target, f"{label} must be after 1900")
            return None
        return date

    @staticmethod
    def initial(prefix: str, date: dt.date | None) -> dict[str, str]:
        if date is None:
            return {}
        return {
            f"{prefix}_day": str(date.day),
            f"{prefix}_month": str(date.month),
            f"{prefix}_year": str(date.year),
        }


class PersonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reference = forms.CharField(
        label="Reference",
        max_length=40,
        help_text="Your organisation's own reference for this person, such as a "
        "client number. It must be unique in your organisation.",
        error_messages={"required": "Enter a reference for this person"},
    )
    given_name = forms.CharField(
        label="First name (optional)", max_length=100, required=False
    )
    family_name = forms.CharField(
        label="Last name (optional)", max_length=100, required=False
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=14,
        required=False,
        help_text="10 digits, for example 485 777 3456.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    sex = forms.ChoiceField(
        label="What is their sex? (optional)",
        choices=Sex.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options for sex"},
    )
    gender_same_as_sex = forms.ChoiceField(
        label="Is the gender they identify with the same as their sex registered at "
        "birth? (optional)",
        choices=GenderSameAsSex.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options for gender"},
    )
    ethnicity = forms.ChoiceField(
        label="Ethnic group (optional)",
        help_text="The England and Wales Census 2021 categories.",
        choices=[("", "Not recorded")]
        + [(group, options) for group, options in ETHNICITY_GROUPS]
        + [("not_stated", "Prefer not to say")],
        required=False,
        error_messages={"invalid_choice": "Choose an ethnic group from the list"},
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like "
            "name@example.org"
        },
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    contact_preference = forms.ChoiceField(
        label="How do they prefer to be contacted?",
        choices=ServiceUser.ContactPreference.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how they prefer to be contacted",
            "invalid_choice": "Choose how they prefer to be contacted",
        },
    )

    preferred_language = forms.ChoiceField(
        label="Which language do they want their questions in?",
        help_text=(
            "Their questions, the pages they answer on, their printed forms and "
            "their progress are shown in this language where a translation exists."
        ),
        choices=PREFERRED_LANGUAGES,
        widget=forms.RadioSelect,
        # Left out (an older form, an import): English, as before the field existed.
        required=False,
        error_messages={
            "invalid_choice": "Choose the language they want their questions in",
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        instance: ServiceUser | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            initial = {name: getattr(instance, name) for name in PERSON_FIELDS}
            initial.update(DateParts.initial("dob", instance.date_of_birth))
            initial["version"] = instance.version
            kwargs["initial"] = initial
        elif "initial" not in kwargs:
            kwargs["initial"] = {
                "contact_preference": ServiceUser.ContactPreference.IN_PERSON,
                "preferred_language": "en",
            }
        super().__init__(*args, **kwargs)
        DateParts.attach(self, "dob")
        self.organisation = organisation
        self.instance = instance

    def _others(self) -> Any:
        others = ServiceUser.objects.filter(organisation=self.organisation)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        return others

    def clean_preferred_language(self) -> str:
        return str(self.cleaned_data.get("preferred_language") or "en")

    def clean_reference(self) -> str:
        reference: str = self.cleaned_data["reference"].strip()
        if self._others().filter(reference__iexact=reference).exists():
            raise forms.ValidationError(
                "Another person in your organisation already has this reference"
            )
        return reference

    def clean_nhs_number(self) -> str:
        value: str = self.cleaned_data["nhs_number"].strip()
        if not value:
            return ""
        digits = value.replace(" ", "").replace("-", "")
        if not digits.isdigit() or len(digits) != 10:
            raise forms.ValidationError("NHS number must be 10 digits")
        if not nhs_number_is_valid(digits):
            raise forms.ValidationError(
                "This is not a valid NHS number: check the digits"
            )
        if self._others().filter(nhs_number=digits).exists():
            raise forms.ValidationError(
                "Another person in your organisation already has this NHS number"
            )
        return digits

    def clean_postcode(self) -> str:
        value: str = self.cleaned_data["postcode"].strip().upper()
        if not value:
            return ""
        if not POSTCODE.match(value):
            raise forms.ValidationError("Enter a real postcode, like SW1A 1AA")
        compact = value.replace(" ", "")
        return f"{compact[:-3]} {compact[-3:]}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["date_of_birth"] = DateParts.clean(
            self, cleaned, "dob", "Date of birth", required=False
        )
        return cleaned

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is the decision about?",
        choices=Consent.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the decision is about"},
    )
    given = forms.TypedChoiceField(
        label="What did they decide?",
        choices=[("yes", "They agreed"), ("no", "They did not agree")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what they decided"},
    )
    note = forms.CharField(
        label="Note (optional)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        DateParts.attach(self, "decided")
        self.fields["kind"].choices = list(kind_labels(organisation).items())  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["decided_on"] = DateParts.clean(
            self, cleaned, "decided", "Date of the decision", required=True
        )
        return cleaned


class KeyWorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name}"


def service_choice() -> forms.ModelChoiceField:
    """The choice of one of the organisation's services (its queryset is set by
    the form, so another organisation's service is an invalid choice)."""
    return forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        empty_label="Choose a service",
        error_messages={
            "required": "Choose a service",
            "invalid_choice": "Choose one of your organisation's services",
        },
    )


class EpisodeOpenForm(forms.Form):
    service = service_choice()
    key_worker = KeyWorkerChoice(
        label="Key worker",
        queryset=User.objects.none(),
        empty_label="Choose a key worker",
        error_messages={
            "required": "Choose a key worker",
            "invalid_choice": "Choose a worker or manager of your organisation",
        },
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        default_worker: User | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(DateParts.initial("start", timezone.localdate()))
        if default_worker is not None:
            kwargs["initial"].setdefault("key_worker", default_worker.pk)
        super().__init__(*args, **kwargs)
        DateParts.attach(self, "start")
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation, is_active=True
        )
        from openproms.people.selectors import key_workers_for

        self.fields["key_worker"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=key_workers_for(organisation).values("user")
        ).order_by("full_name", "email")
        word = terms_for(organisation)
        field = self.fields["key_worker"]
        field.label = word["Key_worker"]
        field.empty_label = f"Choose a {word['key_worker']}"  # type: ignore[attr-defined]
        field.error_messages["required"] = f"Choose a {word['key_worker']}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["start_date"] = DateParts.clean(
            self, cleaned, "start", "Start date", required=True
        )
        return cleaned


class VersionedEpisodeForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": "This page is out of date: go back to the person and try again",
            "invalid": "This page is out of date: go back to the person and try again",
        },
    )

    def __init__(self, *args: Any, episode: Episode, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"]["version"] = episode.version
        kwargs["initial"].update(
            DateParts.initial(self.date_prefix, timezone.localdate())
        )
        super().__init__(*args, **kwargs)
        DateParts.attach(self, self.date_prefix)
        self.episode = episode

    date_prefix = "on"
    date_label = "Date"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date = DateParts.clean(
            self, cleaned, self.date_prefix, self.date_label, required=True
        )
        cleaned["date"] = date
        if date is not None and date < self.episode.start_date:
            self.add_error(
                f"{self.date_prefix}_day",
                f"{self.date_label} cannot be before the episode started "
                f"({self.episode.start_date:%-d %B %Y})",
            )
        return cleaned


class EpisodePauseForm(VersionedEpisodeForm):
    date_label = "Pause start date"
    reason = forms.CharField(
        label="Why is the support paused?",
        max_length=200,
        error_messages={"required": "Enter why the support is paused"},
    )


class EpisodeResumeForm(VersionedEpisodeForm):
    date_label = "Date support started again"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        pause = self.episode.pauses.filter(end_date__isnull=True).last()
        date = cleaned.get("date")
        if pause is not None and date is not None and date < pause.start_date:
            self.add_error(
                "on_day",
                f"{self.date_label} cannot be before the pause started "
                f"({pause.start_date:%-d %B %Y})",
            )
        return cleaned


class EpisodeCloseForm(VersionedEpisodeForm):
    date_label = "End date"
    close_reason = forms.ChoiceField(
        label="Why did the support end?",
        choices=Episode.CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the support ended",
            "invalid_choice": "Choose why the support ended",
        },
    )


class ContactForm(forms.Form):
    attended = forms.TypedChoiceField(
        label="Did they attend?",
        choices=[("yes", "Attended"), ("no", "Did not attend")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether they attended"},
    )
    seen_by = KeyWorkerChoice(
        label="Seen by",
        queryset=User.objects.none(),
        empty_label="Choose who saw them",
        error_messages={
            "required": "Choose who saw them",
            "invalid_choice": "Choose a member of your organisation",
        },
    )

    def __init__(
        self, *args: Any, episode: Episode, default_worker: User, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(DateParts.initial("on", timezone.localdate()))
        kwargs["initial"].setdefault("seen_by", default_worker.pk)
        super().__init__(*args, **kwargs)
        DateParts.attach(self, "on")
        self.episode = episode
        self.fields["seen_by"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__organisation=episode.organisation
        ).order_by("full_name", "email")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date = DateParts.clean(
            self, cleaned, "on", "Date of the contact", required=True
        )
        cleaned["date"] = date
        if date is not None and date < self.episode.start_date:
            self.add_error(
                "on_day", "Date of the contact cannot be before the episode started"
            )
        return cleaned


class AlertAcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What have you done about it?",
        max_length=500,
        help_text="For example: called them, agreed a safety plan, passed to the "
        "duty worker.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what you have done about this alert"},
    )
