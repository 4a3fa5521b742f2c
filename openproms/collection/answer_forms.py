"""Forms for answering a measure, built from its definition, and the small forms
around answering (acceptability, kiosk exit, links, paper entry, settings).

The measure form accepts any value for an item and asks the scoring engine
(``validate_answers``) whether it is allowed, so the engine is the one judge of
what an answer may be; each problem is reported against its question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from openproms.scoring import MeasureDefinition, validate_answers
from openproms.scoring.errors import NOT_A_NUMBER

BLANK_KEYS = {"-", " "}


def field_name(item_id: str) -> str:
    return f"i_{item_id}"


@dataclass
class OptionView:
    code: int
    label: str
    input_id: str
    checked: bool


@dataclass
class ItemView:
    """One question as a template draws it."""

    id: str
    number: int
    name: str
    text: str
    preamble: str
    options: list[OptionView]
    value: str
    errors: list[str] = field(default_factory=list)
    min: int = 0
    max: int = 0
    multi_digit: bool = False
    as_number: bool = False


def _labels(definition: MeasureDefinition, index: int) -> list[tuple[int, str]]:
    rs = definition.items[index].response_set
    if rs.is_range:
        out = []
        for code in range(rs.min, rs.max + 1):
            label = str(code)
            if code == rs.min and rs.min_label:
                label = rs.min_label
            elif code == rs.max and rs.max_label:
                label = rs.max_label
            out.append((code, label))
        return out
    return [(o.code, o.label or str(o.code)) for o in rs.options]


def _question_error(number: int, error: Any, definition: MeasureDefinition) -> str:
    """``Question 3: 7 is not one of the answers: choose a whole number from 0 to
    3.`` A whole sentence in the page's language, made from which of the engine's
    two refusals it is (not a number; a number that is not an answer) and the
    item's answers, never the engine's English reason."""
    values = {"number": number, "value": error.value}
    if error.reason == NOT_A_NUMBER:
        return _("Question %(number)s: %(value)s is not a number.") % values
    item = next((i for i in definition.items if i.id == error.item_id), None)
    if item is None:
        return _("Question %(number)s: %(value)s is not one of the answers.") % values
    answers = item.response_set
    if answers.contiguous:
        return _(
            "Question %(number)s: %(value)s is not one of the answers: choose a "
            "whole number from %(min)s to %(max)s."
        ) % {**values, "min": answers.min, "max": answers.max}
    return _(
        "Question %(number)s: %(value)s is not one of the answers: choose one of "
        "%(codes)s."
    ) % {**values, "codes": ", ".join(str(c) for c in sorted(answers.codes))}


class AnyChoiceField(forms.ChoiceField):
    """A choice field whose values the scoring engine, not the form, judges."""

    def valid_value(self, value: Any) -> bool:
        return True


class MeasureAnswerForm(forms.Form):
    """Every item of a measure, a submission id, and confirmation of blanks.

    ``blank_confirmation``: with it, leaving questions blank needs the tick box;
    without it (paper entry), every item must be typed, ``-`` meaning left blank.
    """

    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    # When the answering screen was first shown, signed (answer_started.py);
    # never a reason to refuse the answers: a bad one only stores no start.
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm_blanks = forms.BooleanField(
        required=False,
        label=gettext_lazy("Save with the blank questions left unanswered"),
    )

    def __init__(
        self,
        *args: Any,
        definition: MeasureDefinition,
        blank_confirmation: bool = True,
        initial_answers: dict[str, int | None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.blank_confirmation = blank_confirmation
        self.codes: dict[str, int | None] = {}
        self.blank_items: list[int] = []
        for index, item in enumerate(definition.items):
            name = field_name(item.id)
            self.fields[name] = AnyChoiceField(
                required=False,
                label=_("Question %(number)s") % {"number": index + 1},
                choices=[(str(c), label) for c, label in _labels(definition, index)],
                widget=forms.RadioSelect,
            )
            if initial_answers is not None:
                code = initial_answers.get(item.id)
                self.initial[name] = "" if code is None else str(code)
        if not blank_confirmation:
            del self.fields["confirm_blanks"]

    def answers(self) -> dict[str, Any]:
        """The raw answers by item id ("" and "-" mean not answered)."""
        raw = {}
        for item in self.definition.items:
            value = (self.data.get(self.add_prefix(field_name(item.id))) or "").strip()
            raw[item.id] = None if value in BLANK_KEYS or value == "" else value
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = self.answers()
        codes, errors = validate_answers(self.definition, raw)
        position = {item.id: n for n, item in enumerate(self.definition.items, 1)}
        for error in errors:
            if error.item_id in position:
                self.add_error(
                    field_name(error.item_id),
                    _question_error(position[error.item_id], error, self.definition),
                )
        self.codes = codes
        # Questions the measure asks to be answered and were left blank: an
        # optional question (PHQ-9's "how difficult") left blank needs no
        # confirming.
        required = {item.id for item in self.definition.items if item.required}
        self.blank_items = [
            position[item_id]
            for item_id, code in codes.items()
            if code is None
            and item_id in required
            and not any(e.item_id == item_id for e in errors)
        ]
        typed = [
            (self.data.get(self.add_prefix(field_name(item.id))) or "").strip()
            for item in self.definition.items
        ]
        if not errors and all(code is None for code in codes.values()):
            if not self.blank_confirmation and all(typed):
                # Typed in from paper: every question marked "-" (left blank).
                self.add_error(
                    None,
                    "Every question is marked as left blank: nothing is saved. If "
                    "the form came back empty, record the measure as missed on "
                    "the person's page instead.",
                )
                return cleaned
            if self.blank_confirmation:
                # Nothing answered is not a set of answers: saving it would
                # use up the time point with no score (no tick box offers to).
                self.blank_items = []
                self.add_error(
                    None,
                    _(
                        "None of the questions is answered, so there is nothing "
                        "to save. Answer at least one question."
                    ),
                )
                return cleaned
        if not self.blank_confirmation:
            untyped = [
                position[item.id]
                for item in self.definition.items
                if not (self.data.get(self.add_prefix(field_name(item.id))) or "")
                and item.id not in {e.item_id for e in errors}
            ]
            for number in untyped:
                item_id = self.definition.items[number - 1].id
                self.add_error(
                    field_name(item_id),
                    f"Question {number}: type the number beside the ticked box, "
                    "or - if it was left blank",
                )
        elif self.blank_items and not cleaned.get("confirm_blanks") and not errors:
            listed = ", ".join(str(n) for n in self.blank_items)
            self.add_error(
                None,
                ngettext(
                    "Question %(listed)s is not answered. Answer it, or tick "
                    "“Save with the blank questions left unanswered”.",
                    "Questions %(listed)s are not answered. Answer them, or tick "
                    "“Save with the blank questions left unanswered”.",
                    len(self.blank_items),
                )
                % {"listed": listed},
            )
        return cleaned

    def add_engine_errors(self, errors: Any) -> None:
        """Errors raised by ``administration_submit`` (ResponseInvalid.errors)."""
        position = {item.id: n for n, item in enumerate(self.definition.items, 1)}
        for error in errors:
            name = field_name(error.item_id)
            if name in self.fields:
                self.add_error(
                    name,
                    _question_error(position[error.item_id], error, self.definition),
                )
            else:
                self.add_error(None, error.message())

    def item_views(self) -> list[ItemView]:
        views = []
        for index, item in enumerate(self.definition.items):
            name = field_name(item.id)
            bound = self[name]
            value = bound.value()
            value = "" if value is None else str(value)
            if self.is_bound:
                value = (self.data.get(self.add_prefix(name)) or "").strip()
            rs = item.response_set
            views.append(
                ItemView(
                    id=item.id,
                    number=index + 1,
                    name=self.add_prefix(name),
                    text=item.text
                    or (
                        item.short_label
                        or _("Question %(number)s") % {"number": index + 1}
                    ).capitalize(),
                    preamble=item.preamble or "",
                    options=[
                        OptionView(
                            code=code,
                            label=label,
                            input_id=f"id_{name}-{position}",
                            checked=value == str(code),
                        )
                        for position, (code, label) in enumerate(
                            _labels(self.definition, index)
                        )
                    ],
                    value=value,
                    errors=list(bound.errors),
                    min=rs.min,
                    max=rs.max,
                    multi_digit=rs.max > 9 or rs.min < 0,
                    as_number=rs.max - rs.min > 20,
                )
            )
        return views


class AcceptabilityForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("How did you find answering these questions?"),
        coerce=int,
        choices=[
            (1, gettext_lazy("Very difficult")),
            (2, gettext_lazy("Difficult")),
            (3, gettext_lazy("Neither easy nor difficult")),
            (4, gettext_lazy("Easy")),
            (5, gettext_lazy("Very easy")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose how you found answering, or skip")
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to add? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class KioskExitForm(forms.Form):
    password = forms.CharField(
        label="Worker's password",
        help_text="Only the worker who started this screen can unlock it.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to unlock the screen"},
    )


class KioskStartForm(forms.Form):
    time_points = forms.MultipleChoiceField(
        label="Measures that are due",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measures = forms.MultipleChoiceField(
        label="Other measures",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        due: list[tuple[str, str]],
        others: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_points"].choices = due
        self.fields["measures"].choices = others
        if not due:
            del self.fields["time_points"]
        if not others:
            del self.fields["measures"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("time_points") and not cleaned.get("measures"):
            target = "time_points" if "time_points" in self.fields else None
            if target is None and "measures" in self.fields:
                target = "measures"
            self.add_error(target, "Choose at least one measure to answer")
        return cleaned


class LinkCreateForm(forms.Form):
    time_points = forms.MultipleChoiceField(
        label="Measures to include",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one measure to include"},
    )
    send_email = forms.BooleanField(required=False, label="Send the link by email")

    def __init__(
        self, *args: Any, due: list[tuple[str, str]], email: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_points"].choices = due
        if email:
            self.fields["send_email"].label = f"Send the link by email to {email}"
        else:
            del self.fields["send_email"]


class ShortCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Your code"),
        help_text=gettext_lazy("8 letters and numbers, for example K7QM-4TXP"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": gettext_lazy("Enter the code you were given")},
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label="Find the person",
        help_text="Their reference, name or NHS number",
        max_length=100,
        required=False,
    )


class CompletedOnForm(forms.Form):
    completed_on = forms.DateField(
        label="Date the form was filled in",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date the form was filled in",
            "invalid": "Enter the date the form was filled in as a real date",
        },
    )

    def clean_completed_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["completed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "The date the form was filled in cannot be in the future"
            )
        return day


class EditReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why are you changing these answers?",
        max_length=300,
        error_messages={"required": "Give a reason for changing completed answers"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CollectionSettingsForm(forms.Form):
    show_results = forms.BooleanField(
        required=False,
        label="Show people their score and what it means after answering",
        help_text="Untick to show a thank-you message only.",
    )
    double_entry = forms.BooleanField(
        required=False,
        label="Paper forms must be typed in twice, by two different people",
        help_text="Differences between the two entries are shown to resolve.",
    )


class ResolveForm(forms.Form):
    """One choice per differing item: the first or the second typed value."""

    def __init__(
        self, *args: Any, rows: list[tuple[str, str, str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for key, label, first, second in rows:
            self.fields[f"pick_{key}"] = forms.ChoiceField(
                label=label,
                choices=[("first", first), ("second", second)],
                widget=forms.RadioSelect,
                error_messages={"required": f"{label}: choose the right value"},
            )
