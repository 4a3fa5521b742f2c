"""Validation of everything people send about scanned paper."""

from __future__ import annotations

from typing import Any

from django import forms

from openproms.scans.check_services import EmptyChoice
from openproms.scans.services import MAX_FILES

ACCEPT = ".pdf,.tif,.tiff,.jpg,.jpeg,.png,application/pdf,image/*"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Scans or photos of filled forms",
        help_text=(
            "PDF from a scanner (any number of pages), or TIFF, JPEG or PNG photos. "
            f"Up to {MAX_FILES} files at a time."
        ),
        error_messages={"required": "Choose the scanned files to upload"},
    )

    def clean_files(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError("Choose the scanned files to upload")
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time")
        return files


NO_ANSWER = "none"


class ItemDecisionForm(forms.Form):
    """The person's answer for one item: a code, or no answer."""

    answer = forms.ChoiceField(
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the answer the person marked, or No answer",
            "invalid_choice": "Choose one of the answers shown",
        },
    )

    def __init__(
        self, *args: Any, choices: list[tuple[str, str]], label: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["answer"]
        field.choices = [
            *choices,
            (NO_ANSWER, "No answer (left blank, or cannot tell)"),
        ]  # type: ignore[attr-defined]
        field.label = label

    def code(self) -> int | None:
        value = self.cleaned_data["answer"]
        return None if value == NO_ANSWER else int(value)


class WriteInDecisionForm(forms.Form):
    """The person's reading of a number written in boxes."""

    value = forms.IntegerField(
        required=False,
        error_messages={"invalid": "Enter the number written on the form, in digits"},
    )

    def __init__(
        self, *args: Any, label: str, low: int, high: int, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["value"]
        field.label = label
        field.help_text = (
            f"A whole number from {low} to {high}; leave empty for no answer"
        )
        self.low, self.high = low, high

    def clean_value(self) -> int | None:
        value: int | None = self.cleaned_data["value"]
        if value is not None and not self.low <= value <= self.high:
            raise forms.ValidationError(
                f"Enter a number from {self.low} to {self.high}, or leave it empty"
            )
        return value

    def code(self) -> int | None:
        return self.cleaned_data["value"]  # type: ignore[no-any-return]


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Find the person",
        help_text="Their reference, name or NHS number",
        required=False,
        max_length=100,
    )


class AssignForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    time_point = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SetAsideForm(forms.Form):
    reason = forms.CharField(
        label="Why is this page set aside?",
        help_text="For example: not one of our forms, a practice copy, spoilt",
        max_length=300,
        error_messages={"required": "Say why the page is set aside"},
    )


class EmptyPageForm(forms.Form):
    """What happened to a form on which no answer was marked."""

    choice = forms.ChoiceField(
        label="What happened to this form?",
        widget=forms.RadioSelect,
        choices=[
            (
                EmptyChoice.DECLINED.value,
                "Handed back empty: the person did not want to answer",
            ),
            (EmptyChoice.NOT_THEIRS.value, "Not this person's form"),
            (
                EmptyChoice.RESCAN.value,
                "Scan it again: there are marks the scan did not show",
            ),
        ],
        error_messages={
            "required": "Choose what happened to the form",
            "invalid_choice": "Choose what happened to the form",
        },
    )
    reason = forms.CharField(
        label="Why?",
        help_text=(
            "Needed when it was handed back empty: it is kept as the note on the "
            "declined time point. No clinical detail: this is for collection records."
        ),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Keep the reason to 300 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("choice") == EmptyChoice.DECLINED
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Say why it was handed back empty")
        return cleaned

    def chosen(self) -> EmptyChoice:
        return EmptyChoice(self.cleaned_data["choice"])


class ReadAsForm(forms.Form):
    measure = forms.ChoiceField(
        label="Which form is this?",
        error_messages={
            "required": "Choose the measure printed on the page",
            "invalid_choice": "Choose one of the measures listed",
        },
    )
    large_print = forms.BooleanField(label="It is the large-print form", required=False)

    def __init__(
        self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", "Choose a measure"), *measures]  # type: ignore[attr-defined]

    def measure_key(self) -> tuple[str, str]:
        measure_id, _, version = self.cleaned_data["measure"].partition("@")
        return measure_id, version
