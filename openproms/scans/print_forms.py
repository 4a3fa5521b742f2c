"""Forms for printing paper forms: the forms due for people, and blank copies.

Forms do all validation of what a person chose (each message names the field and
the problem); the printing services in :mod:`openproms.scans.services` assume
valid input.
"""

from __future__ import annotations

from typing import Any

from django import forms

from openproms.accounts.models import Membership
from openproms.collection.due_lists import DueFilters
from openproms.collection.plan_forms import DueFilterForm
from openproms.scans.selectors import measure_choices, measure_or_none, wording_problem

# One request renders every form in it: more than this at once is slow to make and
# unwieldy to hand out, so people narrow the filters instead.
MAX_FORMS = 200
MAX_COPIES = 200


def nothing_due(key_worker: str) -> str:
    """``key_worker``: the organisation's word (``terms_for``)."""
    return f"Nothing is due for these filters: change the {key_worker}, service or day"


NOTHING_NEW = (
    "Nothing is due for these filters that has not been printed already: untick "
    "“Leave out forms already printed” to print those forms again"
)


def too_many(count: int, key_worker: str) -> str:
    return (
        f"{count} forms are due for these filters: print at most {MAX_FORMS} at a "
        f"time by choosing a {key_worker}, service or day"
    )


class PrintDueForm(DueFilterForm):
    """The due list's filters, whether to leave out forms printed before, and how
    to print. The same fields come by GET (to see the list) and POST (to print)."""

    # Present whenever this page's own filter form was sent, so an unticked box
    # means "no"; a link from the due list has no marker and gets the defaults.
    filtered = forms.CharField(widget=forms.HiddenInput, required=False)
    leave_out_printed = forms.BooleanField(
        label="Leave out forms already printed",
        required=False,
        help_text="So nobody is given the same form twice. Untick it to print a "
        "form again, for example when one was lost.",
    )
    large_print = forms.BooleanField(
        label="Large print",
        required=False,
        help_text="Bigger words and answer boxes, for people who find small print "
        "hard to read.",
    )
    duplex = forms.BooleanField(
        label="Print on both sides (each form starts on a new sheet)",
        required=False,
        help_text="Choose this only if your printer prints on both sides.",
    )

    FILTER_FIELDS = ("worker", "service", "day", "leave_out_printed")

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("filtered"):
            data = data.copy()
            data["leave_out_printed"] = "on"
        super().__init__(data, *args, **kwargs)
        self.fields["service"].error_messages["invalid_choice"] = (
            "Choose a service from the list"
        )

    def filters(self) -> DueFilters:
        return DueFilters(
            worker=self.cleaned_data["worker"],
            service=self.cleaned_data["service"],
            day=self.cleaned_data["day"],
        )

    def hidden_filters(self) -> list[tuple[str, str]]:
        """The filters as sent, for the print form to send again unchanged."""
        values = [("filtered", "1")]
        for name in ("worker", "service", "day"):
            value = self.data.get(name)
            if value:
                values.append((name, str(value)))
        if self.data.get("leave_out_printed"):
            values.append(("leave_out_printed", "on"))
        return values


class BlankPrintForm(forms.Form):
    measure = forms.ChoiceField(
        label="Measure",
        error_messages={
            "required": "Choose a measure",
            "invalid_choice": "Choose one of the measures your organisation uses",
        },
    )
    copies = forms.IntegerField(
        label="Number of copies",
        initial=10,
        min_value=1,
        max_value=MAX_COPIES,
        help_text=f"From 1 to {MAX_COPIES}. Each copy has its own code, so the "
        "scan of every copy is kept apart.",
        error_messages={
            "required": "Enter the number of copies, from 1 to 200",
            "invalid": "Enter the number of copies as a whole number, like 10",
            "min_value": "Enter a number of copies of 1 or more",
            "max_value": f"Enter a number of copies of {MAX_COPIES} or fewer: print "
            "more in another go",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    large_print = forms.BooleanField(
        label="Large print",
        required=False,
        help_text="Bigger words and answer boxes, for people who find small print "
        "hard to read.",
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = membership.organisation
        self.fields["measure"].choices = [
            ("", "Choose a measure"),
            *measure_choices(self.organisation),
        ]

    def clean_measure(self) -> str:
        key: str = self.cleaned_data["measure"]
        measure_id, _, version = key.partition("@")
        definition = measure_or_none(self.organisation, measure_id, version)
        if definition is None:  # pragma: no cover - the choices hold only known ones
            raise forms.ValidationError(
                "Choose one of the measures your organisation uses"
            )
        problem = wording_problem(definition)
        if problem:
            raise forms.ValidationError(problem)
        return key

    @property
    def measure_id(self) -> str:
        return self.cleaned_data["measure"].partition("@")[0]

    @property
    def measure_version(self) -> str:
        return self.cleaned_data["measure"].partition("@")[2]
