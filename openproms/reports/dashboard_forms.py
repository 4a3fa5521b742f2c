"""The dashboard's filters: service, period, measure, pairing, pilot data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import Http404

from openproms.accounts.models import Organisation, Service
from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.core.forms import DayMonthYearField
from openproms.reports.selectors import default_measure
from openproms.scoring import default_library
from openproms.stats import quarter_of

LAST_12_MONTHS = "last12"
CUSTOM = "custom"


def quarter_bounds(label: str) -> tuple[dt.date, dt.date]:
    """``"2026-27 Q1"`` -> (1 April 2026, 30 June 2026)."""
    year = int(label[:4])
    quarter = int(label[-1])
    month = 4 + 3 * (quarter - 1)
    if month > 12:
        month -= 12
        year += 1
    start = dt.date(year, month, 1)
    end_month = month + 3
    end = (
        dt.date(year + 1, 1, 1) if end_month > 12 else dt.date(year, end_month, 1)
    ) - dt.timedelta(days=1)
    return start, end


def recent_quarters(today: dt.date, count: int = 8) -> list[str]:
    labels: list[str] = []
    day = today
    while len(labels) < count:
        label = quarter_of(day)
        if label not in labels:
            labels.append(label)
        day = quarter_bounds(label)[0] - dt.timedelta(days=1)
    return labels


def dashboard_measures(organisation: Organisation) -> list[str]:
    """The organisation's measures, and the library measures derivable from them
    (PHQ-2 from PHQ-9, ...)."""
    own = list(
        dict.fromkeys(
            organisation_measures(organisation)
            .order_by("measure_id")
            .values_list("measure_id", flat=True)
        )
    )
    if not own:
        # No measures chosen (yet): offer the ones with answers.
        from openproms.collection.models import Administration

        own = sorted(
            set(
                Administration.objects.filter(organisation=organisation)
                .order_by()
                .values_list("measure_id", flat=True)
                .distinct()
            )
        )
    derivable = [
        d.id
        for d in default_library()
        if d.derivations
        and d.id not in own
        and all(x.from_measure in own for x in d.derivations)
    ]
    return own + sorted(set(derivable))


def measure_label(organisation: Organisation, measure_id: str) -> str:
    """The measure's short name from its definition (the organisation's own, for
    a bespoke measure)."""
    try:
        return measure_definition(
            organisation=organisation, measure_id=measure_id
        ).short_name
    except Http404:  # answers kept for a measure no longer defined
        return measure_id


class DashboardForm(forms.Form):
    service = forms.ChoiceField(
        label="Service",
        required=False,
        error_messages={"invalid_choice": "Choose one of your organisation's services"},
    )
    period = forms.ChoiceField(
        label="Period",
        required=False,
        error_messages={"invalid_choice": "Choose a period from the list"},
    )
    start = DayMonthYearField(
        label="From (custom dates)",
        what="the date the period starts",
        required=False,
    )
    end = DayMonthYearField(
        label="To (custom dates)",
        what="the date the period ends",
        example="31/03/2027",
        required=False,
    )
    measure = forms.ChoiceField(
        label="Measure",
        required=False,
        error_messages={
            "invalid_choice": "Choose one of the measures your organisation uses "
            "(or can derive from them)"
        },
    )
    pairing = forms.ChoiceField(
        label="Compare the first score with",
        required=False,
        error_messages={"invalid_choice": "Choose the latest score or the end score"},
        choices=[("latest", "The latest score"), ("exit", "The score at the end")],
    )
    include_pilot = forms.BooleanField(label="Include pilot data", required=False)

    def __init__(
        self, *args: Any, organisation: Organisation, today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.today = today
        self.services = list(
            Service.objects.filter(organisation=organisation).order_by("name")
        )
        self.fields["service"].choices = [("", "All services")] + [
            (str(s.pk), s.name) for s in self.services
        ]
        self.fields["period"].choices = (
            [(LAST_12_MONTHS, "The last 12 months")]
            + [(q, q) for q in recent_quarters(today)]
            + [(CUSTOM, "Custom dates")]
        )
        self.measures = dashboard_measures(organisation)
        self.fields["measure"].choices = [
            (m, measure_label(organisation, m)) for m in self.measures
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        period = data.get("period") or LAST_12_MONTHS
        if period == CUSTOM:
            start, end = data.get("start"), data.get("end")
            if "start" not in self.errors and start is None:
                self.add_error("start", "Enter the date the period starts")
            if "end" not in self.errors and end is None:
                self.add_error("end", "Enter the date the period ends")
            if start and end and end < start:
                self.add_error("end", "The end date must be on or after the start date")
            data["range"] = (start, end)
        elif period == LAST_12_MONTHS:
            data["range"] = (
                self.today.replace(year=self.today.year - 1) + dt.timedelta(days=1)
                if not (self.today.month == 2 and self.today.day == 29)
                else dt.date(self.today.year - 1, 3, 1),
                self.today,
            )
        else:
            data["range"] = quarter_bounds(period)
        data["period"] = period
        service = data.get("service")
        data["service_obj"] = next(
            (s for s in self.services if str(s.pk) == service), None
        )
        data["pairing"] = data.get("pairing") or "latest"
        data["measure"] = data.get("measure") or self._default_measure(data)
        return data

    def _default_measure(self, data: dict[str, Any]) -> str | None:
        """No measure chosen: the first with answers enough in the period (and
        service; :func:`~openproms.reports.selectors.default_measure`), so a
        measure adopted last week with nothing to show yet does not open the
        dashboard because of its name. It shows as chosen in the list."""
        start, end = data["range"]
        if not self.measures or start is None or end is None:
            return self.measures[0] if self.measures else None
        service = data["service_obj"]
        chosen = default_measure(
            organisation=self.organisation,
            measure_ids=self.measures,
            start=start,
            end=end,
            services=[service] if service else None,
            include_pilot=bool(data.get("include_pilot")),
        )
        if chosen is not None and self.is_bound:
            self.data = self.data.copy()  # the request's own data is read-only
            self.data["measure"] = chosen
        return chosen

    def summary(self) -> list[str]:
        """The filters in force, in a few words each (for the closed filters)."""
        data = self.cleaned_data
        start, end = data["range"]
        periods = dict(self.fields["period"].choices)  # type: ignore[attr-defined]
        measures = dict(self.fields["measure"].choices)  # type: ignore[attr-defined]
        pairings = {"latest": "the latest score", "exit": "the score at the end"}
        service = data["service_obj"]
        parts = [
            service.name if service else "All services",
            f"{periods[data['period']]} ({start:%d/%m/%Y} to {end:%d/%m/%Y})",
        ]
        if data["measure"]:
            parts.append(measures.get(data["measure"], data["measure"]))
        parts.append(f"first score compared with {pairings[data['pairing']]}")
        parts.append(
            "pilot data included" if data["include_pilot"] else "pilot data left out"
        )
        return parts
