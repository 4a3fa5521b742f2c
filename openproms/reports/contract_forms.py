"""Forms for contracts and for choosing a report's period (all input validation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms

from openproms.accounts.models import CommissionerBody, Organisation, Service
from openproms.catalogue.selectors import organisation_measures
from openproms.core.forms import DayMonthYearField
from openproms.reports.dashboard_forms import measure_label
from openproms.reports.models import Contract, ContractRequirement
from openproms.scoring import default_library
from openproms.stats.release import Quarter, Scope, conflicting_quarters, whole_quarters

FIGURE_CHOICES = [
    ("reach", "Reach: people engaged and new episodes"),
    ("completion", "Baseline completion"),
    ("follow_up", "Follow-up capture"),
    ("mean_change", "Mean scores and mean change with its 95% confidence interval"),
    ("effect_size", "Effect size with its 95% confidence interval"),
    ("reliable_change", "Reliable improvement, no change and deterioration"),
    ("recovery", "Recovery (measures with a cut-off)"),
    ("distribution", "Scores by band at the start and at follow-up"),
]
FIGURE_CODES = [code for code, _ in FIGURE_CHOICES]


def measure_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """The organisation's measures, and the measures derivable from them (a
    requirement for PHQ-2 is met by PHQ-9 answers)."""
    used = set(organisation_measures(organisation).values_list("measure_id", flat=True))
    library = {definition.id: definition for definition in default_library()}
    choices: dict[str, str] = {}
    for definition in library.values():
        if definition.id in choices:
            continue
        sources = {d.from_measure for d in definition.derivations}
        if definition.id in used:
            choices[definition.id] = definition.short_name
        elif sources and sources <= used:
            names = " and ".join(sorted(library[s].short_name for s in sources))
            choices[definition.id] = f"{definition.short_name} (from {names} answers)"
    for measure_id in sorted(used - set(choices)):
        choices[measure_id] = measure_label(organisation, measure_id)  # bespoke
    return sorted(choices.items(), key=lambda kv: kv[1].lower())


class ContractForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    commissioner = forms.ModelChoiceField(
        queryset=CommissionerBody.objects.none(),
        label="Commissioner",
        empty_label="Choose the commissioner",
        error_messages={"required": "Choose the commissioner who funds this contract"},
    )
    name = forms.CharField(
        label="Contract name",
        max_length=200,
        error_messages={"required": "Enter a name for the contract"},
    )
    reference = forms.CharField(
        label="Contract reference (optional)", max_length=100, required=False
    )
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Services the contract pays for",
        error_messages={"required": "Choose at least one service"},
    )
    start_date = DayMonthYearField(label="Start date", what="the start date")
    end_date = DayMonthYearField(
        label="End date", what="the end date", example="31/03/2027"
    )
    disclosure_rule = forms.ChoiceField(
        label="Disclosure rule",
        choices=Contract.DisclosureRule.choices,
        initial=Contract.DisclosureRule.NHS,
        widget=forms.RadioSelect,
        help_text="How small numbers are hidden and rounded in the funder's reports.",
        error_messages={"required": "Choose a disclosure rule"},
    )
    include_pilot = forms.BooleanField(
        label="Include pilot data in the reports", required=False
    )
    measures = forms.MultipleChoiceField(
        label="Measures the contract requires",
        widget=forms.CheckboxSelectMultiple,
        help_text="A measure that can be worked out from another (PHQ-2 from PHQ-9) "
        "is met by that measure's answers.",
        error_messages={"required": "Choose at least one measure"},
    )
    time_points = forms.ChoiceField(
        label="When the measures are needed",
        choices=ContractRequirement.TimePoints.choices,
        initial=ContractRequirement.TimePoints.START_AND_LATEST,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose when the measures are needed"},
    )
    figures = forms.MultipleChoiceField(
        label="Figures the funder wants",
        choices=FIGURE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one figure"},
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        contract: Contract | None = None,
        **kwargs: Any,
    ) -> None:
        if contract is not None and "initial" not in kwargs:
            requirements = list(contract.requirements.all())
            first = requirements[0] if requirements else None
            kwargs["initial"] = {
                "version": contract.version,
                "commissioner": contract.commissioner_id,
                "name": contract.name,
                "reference": contract.reference,
                "services": [s.pk for s in contract.services.all()],
                "start_date": contract.start_date,
                "end_date": contract.end_date,
                "disclosure_rule": contract.disclosure_rule,
                "include_pilot": contract.include_pilot,
                "measures": [r.measure_id for r in requirements],
                "time_points": first.time_points if first else None,
                "figures": first.figures if first else FIGURE_CODES,
            }
        kwargs.setdefault("initial", {}).setdefault("figures", FIGURE_CODES)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.contract = contract
        self.fields["commissioner"].queryset = CommissionerBody.objects.all()  # type: ignore[attr-defined]
        self.fields["services"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        self.fields["measures"].choices = measure_choices(organisation)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("start_date")
        end: dt.date | None = cleaned.get("end_date")
        if start and end and end < start:
            self.add_error(
                "end_date", "The end date must be the same as or after the start date"
            )
        elif start and end and cleaned.get("commissioner") and cleaned.get("services"):
            clash = funder_conflict(
                organisation=self.organisation,
                commissioner=cleaned["commissioner"],
                services=list(cleaned["services"]),
                start=start,
                end=end,
                exclude=self.contract,
            )
            if clash:
                funder = cleaned["commissioner"].name
                self.add_error("services", clash.staff_message(funder))
        return cleaned


@dataclass(frozen=True)
class FunderConflict:
    """Another contract of the same funder sharing a service and a quarter."""

    other: Contract
    services: list[str]
    quarters: list[Quarter]

    @property
    def span(self) -> str:
        first, last = self.quarters[0].label, self.quarters[-1].label
        return first if first == last else f"{first} to {last}"

    def staff_message(self, funder_name: str) -> str:
        return (
            f"{funder_name} already has the contract “{self.other.name}” for "
            f"{' and '.join(self.services)} in {self.span}. A funder's contracts "
            "that share a service must cover different quarters, so that one report "
            "cannot be compared with another to work out a small number: change the "
            "services or the dates, or add what you need to that contract"
        )


def funder_conflict(
    *,
    organisation: Organisation,
    commissioner: CommissionerBody,
    services: list[Service],
    start: dt.date,
    end: dt.date,
    exclude: Contract | None = None,
) -> FunderConflict | None:
    """The first of the funder's other contracts with the organisation that shares
    a service and a quarter with these services and dates (decision 0015), or None:
    two contracts of one funder that share a service never share a quarter."""
    others = (
        Contract.objects.filter(organisation=organisation, commissioner=commissioner)
        .prefetch_related("services")
        .order_by("start_date", "pk")
    )
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    scope = Scope(frozenset(s.pk for s in services), start, end)
    for other in others:
        other_services = list(other.services.all())
        quarters = conflicting_quarters(
            scope,
            Scope(
                frozenset(s.pk for s in other_services),
                other.start_date,
                other.end_date,
            ),
        )
        if quarters:
            shared = sorted(s.name for s in other_services if s.pk in scope.services)
            return FunderConflict(other, shared, quarters)
    return None


IN_PROGRESS = "in progress"


def not_started_message(label: str) -> str:
    """Why a period that has not begun has no report (asked for by its key)."""
    return (
        f"The period {label} has not started yet, so there are no figures for "
        "it. Choose a period from the list: it goes up to the current one"
    )


FUNDER_PERIOD_MESSAGE = (
    "Reports for funders cover one whole quarter at a time: choose a quarter from "
    "the list. Other dates are for the provider's own staff, so that no small "
    "number can be worked out by comparing one period with another"
)


class ReportPeriodForm(forms.Form):
    """The period of a report: the whole contract, a quarter of it, or custom dates
    inside it; for a funder (``funder=True``) one whole quarter only (decision 0015:
    :mod:`openproms.stats.release`).

    Only periods that have started by ``today`` are offered: a later one has no
    figures, and asked for by its key it is refused with a message saying so. The
    current period is offered marked "in progress" (its report says the figures
    are those so far)."""

    period = forms.ChoiceField(
        label="Period",
        required=False,
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    start = DayMonthYearField(
        label="Start of the period", what="the start of the period", required=False
    )
    end = DayMonthYearField(
        label="End of the period",
        what="the end of the period",
        example="30/06/2026",
        required=False,
    )
    format = forms.ChoiceField(
        required=False,
        choices=[("", "Web page"), ("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV")],
        error_messages={"invalid_choice": "Choose a format: pdf, xlsx or csv"},
    )

    def __init__(
        self,
        *args: Any,
        contract: Contract,
        today: dt.date,
        funder: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.funder = funder
        self.today = today
        every = whole_quarters(contract.start_date, contract.end_date)
        #: The contract's whole quarters that have started (those offered).
        self.whole_quarters = [q for q in every if q.start <= today]
        if funder:
            quarters = [(q.key, q.label, q.start, q.end) for q in every]
            del self.fields["start"], self.fields["end"]
        else:
            quarters = contract_quarters(contract.start_date, contract.end_date)
        self.quarters = [q for q in quarters if q[2] <= today]
        #: The labels of the periods not started yet, by key.
        self.future = {key: label for key, label, s, _ in quarters if s > today}
        choices = [] if funder else [("", "The whole contract period")]
        choices += [
            (key, f"{label}, {IN_PROGRESS}" if today <= end else label)
            for key, label, _, end in self.quarters
        ]
        if not funder:
            choices.append(("custom", "Custom dates"))
        self.fields["period"].choices = choices  # type: ignore[attr-defined]

    def default_quarter(self) -> Quarter | None:
        """A funder's report with no period chosen: the latest whole quarter that has
        ended, else the one in progress; None when none has started."""
        ended = [q for q in self.whole_quarters if q.end < self.today]
        if ended:
            return ended[-1]
        return self.whole_quarters[0] if self.whole_quarters else None

    def _refuse_future(self) -> bool:
        """A period asked for (by its key) that has not started: its message in
        place of "choose from the list", and True."""
        asked = self.data.get("period") or ""
        if asked not in self.future:
            return False
        self.errors.pop("period", None)
        self.add_error("period", not_started_message(self.future[asked]))
        return True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self._refuse_future():
            return cleaned
        if self.funder:
            return self._clean_funder(cleaned)
        contract = self.contract
        period = cleaned.get("period") or ""
        start, end = contract.start_date, contract.end_date
        if period == "custom" or (
            not period and (cleaned.get("start") or cleaned.get("end"))
        ):
            start = cleaned.get("start") or start
            end = cleaned.get("end") or end
            if "start" in self.errors or "end" in self.errors:
                return cleaned
            if start < contract.start_date or start > contract.end_date:
                self.add_error(
                    "start",
                    f"The start of the period must be within the contract "
                    f"({contract.start_date:%d/%m/%Y} to {contract.end_date:%d/%m/%Y})",
                )
            if end < contract.start_date or end > contract.end_date:
                self.add_error(
                    "end",
                    f"The end of the period must be within the contract "
                    f"({contract.start_date:%d/%m/%Y} to {contract.end_date:%d/%m/%Y})",
                )
            if end < start:
                self.add_error(
                    "end", "The end of the period must be on or after its start"
                )
            if start > self.today and "start" not in self.errors:
                self.add_error(
                    "start",
                    f"The start of the period must be today ({self.today:%d/%m/%Y}) "
                    "or earlier: there are no figures yet for days to come",
                )
        elif period:
            for key, _label, q_start, q_end in self.quarters:
                if key == period:
                    start, end = q_start, q_end
        cleaned["period_start"], cleaned["period_end"] = start, end
        return cleaned

    def _clean_funder(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        period = cleaned.get("period") or ""
        asked_dates = any(self.data.get(key) for key in ("start", "end"))
        if "period" in self.errors or asked_dates:
            self.errors.pop("period", None)
            self.add_error("period", FUNDER_PERIOD_MESSAGE)
            return cleaned
        for key, _label, q_start, q_end in self.quarters:
            if key == period:
                cleaned["period_start"], cleaned["period_end"] = q_start, q_end
        return cleaned


def contract_quarters(
    start: dt.date, end: dt.date
) -> list[tuple[str, str, dt.date, dt.date]]:
    """UK financial-year quarters (April-June is Q1) that overlap the contract,
    each cut to the contract's dates: (key, label, start, end)."""
    out: list[tuple[str, str, dt.date, dt.date]] = []
    year, month = start.year, ((start.month - 1) // 3) * 3 + 1
    cursor = dt.date(year, month, 1)
    while cursor <= end and len(out) < 40:
        next_month = cursor.month + 3
        next_start = dt.date(
            cursor.year + (next_month > 12), (next_month - 1) % 12 + 1, 1
        )
        q_end = next_start - dt.timedelta(days=1)
        fy = cursor.year if cursor.month >= 4 else cursor.year - 1
        number = ((cursor.month - 4) % 12) // 3 + 1
        key = f"{fy}-Q{number}"
        label = f"{fy}-{str(fy + 1)[-2:]} Q{number} ({max(cursor, start):%d/%m/%Y} to {min(q_end, end):%d/%m/%Y})"
        out.append((key, label, max(cursor, start), min(q_end, end)))
        cursor = next_start
    return out
