"""Checking every row of a file before anything is written.

``rows_check`` reads each data row through the column mapping into a
:class:`RowPlan` (the person, the episode, the measure, the answers or scores),
and lists every problem by row and column in plain words: dates in no form the
import reads, the same person given two dates of birth (or NHS numbers), a
person held with different details, a restricted person, an unknown service or
measure, out-of-range answers and scores. Blank rows are skipped and reported.
Nothing here writes; ``imports.services`` writes the plan only when the list of
problems is empty.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from openproms.accounts.models import Organisation, Service
from openproms.imports.mapping import FIELDS, Measures, scale_name
from openproms.imports.reading import (
    Cell,
    DateUnreadable,
    Problem,
    Table,
    column_name,
    read_date,
)
from openproms.people.categories import nhs_number_is_valid
from openproms.people.models import ServiceUser
from openproms.scoring import MeasureDefinition, validate_answers

Progress = Callable[[str, int], None]

PERSON_FIELDS = ("given_name", "family_name", "date_of_birth", "nhs_number")


@dataclass
class PersonPlan:
    reference: str
    row: int
    details: dict[str, object] = field(default_factory=dict)
    existing: ServiceUser | None = None


@dataclass
class RowPlan:
    row: int
    reference: str
    service: Service | None = None
    episode_start: dt.date | None = None
    episode_end: dt.date | None = None
    measure: MeasureDefinition | None = None
    completed_on: dt.date | None = None
    answers: dict[str, int | None] | None = None
    # Scores only: (measure, scale id, value), imported as given.
    scores: list[tuple[MeasureDefinition, str, float]] = field(default_factory=list)


@dataclass
class Checked:
    rows: list[RowPlan] = field(default_factory=list)
    people: dict[str, PersonPlan] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Columns:
    """The mapping read once: which column holds what."""

    fields: dict[str, int]
    items: dict[int, int]  # question number -> column
    scores: dict[tuple[str, str], int]  # (measure id, scale id) -> column

    @classmethod
    def of(cls, mapping: dict[str, str]) -> Columns:
        fields: dict[str, int] = {}
        items: dict[int, int] = {}
        scores: dict[tuple[str, str], int] = {}
        for index_text, target in mapping.items():
            index = int(index_text)
            if target.startswith("item:"):
                items[int(target.split(":")[1])] = index
            elif target.startswith("score:"):
                _, measure_id, scale_id = target.split(":", 2)
                scores[(measure_id, scale_id)] = index
            elif target:
                fields[target] = index
        return cls(fields, dict(sorted(items.items())), scores)


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _RowChecker:
    def __init__(
        self,
        *,
        organisation: Organisation,
        table: Table,
        columns: Columns,
        measures: Measures,
    ) -> None:
        self.organisation = organisation
        self.table = table
        self.columns = columns
        self.measures = measures
        self.services = {
            " ".join(s.name.split()).lower(): s
            for s in Service.objects.filter(organisation=organisation)
        }
        self.today = timezone.localdate()
        self.out = Checked()
        self.row_problems: list[Problem] = []
        self.seen: dict[tuple[str, str, dt.date], tuple[int, object]] = {}
        self.episode_ends: dict[tuple[str, int, dt.date], tuple[int, object]] = {}

    # Helpers

    def col(self, index: int) -> str:
        return column_name(index, self.table.headers)

    def problem(self, row: int, index: int | None, message: str) -> None:
        where = f"Row {row}" + (
            f", column {self.col(index)}" if index is not None else ""
        )
        self.row_problems.append(
            Problem(
                row, self.col(index) if index is not None else "", f"{where}: {message}"
            )
        )

    def has_problem(self, row: int) -> bool:
        return bool(self.row_problems) and self.row_problems[-1].row == row

    def cell(self, cells: list[Cell], target: str) -> tuple[Cell, int | None]:
        index = self.columns.fields.get(target)
        if index is None or index >= len(cells):
            return None, index
        return cells[index], index

    def date(
        self, row: int, cells: list[Cell], target: str, *, past: bool = True
    ) -> dt.date | None:
        value, index = self.cell(cells, target)
        if value is None:
            return None
        try:
            day = read_date(value)
        except DateUnreadable as error:
            self.problem(row, index, f"{FIELDS[target].lower()} {error}")
            return None
        if past and day > self.today:
            self.problem(
                row,
                index,
                f"the {FIELDS[target].lower()} {_long(day)} is in the future.",
            )
            return None
        if day.year < 1900:
            self.problem(
                row, index, f"the {FIELDS[target].lower()} {_long(day)} is too early."
            )
            return None
        return day

    # The row

    def check(self, row: int, cells: list[Cell]) -> None:
        reference_cell, reference_index = self.cell(cells, "reference")
        reference = _text(reference_cell)
        if not reference:
            self.problem(row, reference_index, "the person's reference is blank.")
            return
        if len(reference) > 40:
            self.problem(
                row, reference_index, "the reference is longer than 40 characters."
            )
            return
        plan = RowPlan(row=row, reference=reference)
        self.person(row, reference, cells)
        self.episode(row, plan, cells)
        self.measure_and_date(row, plan, cells)
        if self.columns.items:
            self.answers(row, plan, cells)
        if self.columns.scores:
            self.scores(row, plan, cells)
        self.out.rows.append(plan)

    def person(self, row: int, reference: str, cells: list[Cell]) -> None:
        details: dict[str, object] = {}
        full, _ = self.cell(cells, "full_name")
        if full is not None:
            given, _, family = _text(full).rpartition(" ")
            details["given_name"], details["family_name"] = (
                (given, family) if given else (family, "")
            )
        for name in ("given_name", "family_name"):
            value, index = self.cell(cells, name)
            if value is not None:
                text = _text(value)
                if len(text) > 100:
                    self.problem(row, index, f"the {FIELDS[name].lower()} is too long.")
                else:
                    details[name] = text
        born = self.date(row, cells, "date_of_birth")
        if born is not None:
            details["date_of_birth"] = born
        nhs, nhs_index = self.cell(cells, "nhs_number")
        if nhs is not None:
            digits = _text(nhs).replace(" ", "").replace("-", "")
            if nhs_number_is_valid(digits):
                details["nhs_number"] = digits
            else:
                self.problem(
                    row,
                    nhs_index,
                    f"\u201c{_text(nhs)}\u201d is not a valid NHS number (ten digits, "
                    "the last a check digit).",
                )
        known = self.out.people.get(reference)
        if known is None:
            self.out.people[reference] = PersonPlan(reference, row, details)
            return
        for name, value in details.items():
            before = known.details.get(name)
            if before is None:
                known.details[name] = value
            elif before != value:
                index = self.columns.fields.get(
                    name, self.columns.fields.get("full_name")
                )
                shown = _long if isinstance(value, dt.date) else str
                self.problem(
                    row,
                    index,
                    f"{reference} has {FIELDS[name].lower()} {shown(value)} here "  # type: ignore[operator]
                    f"but {shown(before)} on row {known.row}. One person has one "  # type: ignore[operator]
                    f"{FIELDS[name].lower()}: correct whichever is wrong.",
                )

    def episode(self, row: int, plan: RowPlan, cells: list[Cell]) -> None:
        service_cell, service_index = self.cell(cells, "service")
        start = self.date(row, cells, "episode_start")
        end = self.date(row, cells, "episode_end")
        if service_cell is None and start is None and end is None:
            return
        if service_cell is None:
            self.problem(
                row, None, "an episode needs its service: the service is blank."
            )
            return
        service = self.services.get(" ".join(_text(service_cell).split()).lower())
        if service is None:
            names = ", ".join(s.name for s in self.services.values())
            self.problem(
                row,
                service_index,
                f"\u201c{_text(service_cell)}\u201d is not one of your services "
                f"({names}).",
            )
            return
        if start is None:
            if not self.has_problem(row):
                self.problem(
                    row,
                    self.columns.fields.get("episode_start"),
                    "an episode needs its start date: it is blank.",
                )
            return
        if end is not None and end < start:
            self.problem(
                row,
                self.columns.fields.get("episode_end"),
                f"the episode ends ({_long(end)}) before it starts ({_long(start)}).",
            )
            return
        key = (plan.reference, service.pk, start)
        earlier = self.episode_ends.setdefault(key, (row, end))
        if earlier[1] != end and end is not None and earlier[1] is not None:
            self.problem(
                row,
                self.columns.fields.get("episode_end"),
                f"the episode from {_long(start)} ends on {_long(end)} here but on "
                f"{_long(earlier[1])} on row {earlier[0]}.",  # type: ignore[arg-type]
            )
        plan.service, plan.episode_start, plan.episode_end = service, start, end

    def measure_and_date(self, row: int, plan: RowPlan, cells: list[Cell]) -> None:
        value, index = self.cell(cells, "measure")
        if value is not None:
            plan.measure = self.measures.find(_text(value))
            if plan.measure is None:
                names = ", ".join(d.short_name for d in self.measures.definitions)
                self.problem(
                    row,
                    index,
                    f"\u201c{_text(value)}\u201d is not a measure your organisation "
                    f"uses ({names or 'none yet'}).",
                )
        plan.completed_on = self.date(row, cells, "completed_on")

    def answers(self, row: int, plan: RowPlan, cells: list[Cell]) -> None:
        given = {
            number: cells[index]
            for number, index in self.columns.items.items()
            if index < len(cells) and cells[index] is not None
        }
        if not given:
            if plan.measure is not None:
                self.problem(
                    row, None, f"there are no answers to {plan.measure.short_name}."
                )
            return
        if plan.measure is None:
            if not self.has_problem(row):
                self.problem(
                    row, self.columns.fields.get("measure"), "the measure is blank."
                )
            return
        measure = plan.measure
        if plan.completed_on is None:
            if not self.has_problem(row):
                self.problem(
                    row,
                    self.columns.fields.get("completed_on"),
                    "the date answered is blank.",
                )
            return
        answers: dict[str, object] = {}
        column_of: dict[str, int] = {}
        for number, value in given.items():
            index = self.columns.items[number]
            if number > len(measure.items):
                self.problem(
                    row,
                    index,
                    f"an answer to question {number}, but {measure.short_name} has "
                    f"{len(measure.items)} questions.",
                )
                continue
            item = measure.items[number - 1]
            answers[item.id] = value
            column_of[item.id] = index
        codes, errors = validate_answers(measure, answers)
        for error in errors:
            number = next(
                n for n, i in enumerate(measure.items, 1) if i.id == error.item_id
            )
            self.problem(
                row,
                column_of.get(error.item_id),
                f"{measure.short_name} question {number}: "
                f"\u201c{_text(error.value)}\u201d {error.reason}.",  # type: ignore[arg-type]
            )
        if errors:
            return
        plan.answers = codes
        self.once(row, plan.reference, measure, plan.completed_on, codes)

    def once(
        self,
        row: int,
        reference: str,
        measure: MeasureDefinition,
        day: dt.date,
        body: object,
    ) -> None:
        key = (reference, measure.id, day)
        earlier = self.seen.setdefault(key, (row, body))
        if earlier[0] != row and earlier[1] != body:
            self.problem(
                row,
                None,
                f"{measure.short_name} answered on {_long(day)} by {reference} is on "
                f"row {earlier[0]} too, with different answers. Keep the right one.",
            )

    def scores(self, row: int, plan: RowPlan, cells: list[Cell]) -> None:
        by_measure: dict[str, list[tuple[MeasureDefinition, str, float]]] = {}
        for (measure_id, scale_id), index in self.columns.scores.items():
            value = cells[index] if index < len(cells) else None
            if value is None:
                continue
            measure = self.measures.find(measure_id)
            scale = (
                next((s for s in measure.scales if s.id == scale_id), None)
                if measure
                else None
            )
            if measure is None or scale is None:
                self.problem(row, index, "this score's measure is no longer in use.")
                continue
            if plan.measure is not None and plan.measure.id != measure.id:
                self.problem(
                    row,
                    index,
                    f"a {measure.short_name} score on a row for {plan.measure.short_name}.",
                )
                continue
            try:
                number = float(_text(value))
            except ValueError:
                number = math.nan
            label = scale_name(measure, scale)
            if not math.isfinite(number):
                self.problem(
                    row, index, f"{label}: \u201c{_text(value)}\u201d is not a number."
                )
                continue
            if not scale.range_min <= number <= scale.range_max:
                self.problem(
                    row,
                    index,
                    f"{label}: {_text(value)} is outside its range "
                    f"({scale.range_min:g} to {scale.range_max:g}).",
                )
                continue
            by_measure.setdefault(measure.id, []).append((measure, scale_id, number))
        if not by_measure:
            if not self.has_problem(row):
                self.problem(row, None, "there are no scores on this row.")
            return
        if plan.completed_on is None:
            if not self.has_problem(row):
                self.problem(
                    row,
                    self.columns.fields.get("completed_on"),
                    "the date answered is blank.",
                )
            return
        for scores in by_measure.values():
            plan.scores.extend(scores)
            self.once(
                row,
                plan.reference,
                scores[0][0],
                plan.completed_on,
                sorted((s, v) for _, s, v in scores),
            )

    # Against what is held

    def held(self) -> None:
        references = list(self.out.people)
        found: dict[str, ServiceUser] = {}
        for chunk in _chunks(references):
            for person in ServiceUser.objects.filter(
                organisation=self.organisation, reference__in=chunk
            ):
                found[person.reference] = person
        numbers = {
            str(p.details["nhs_number"]): p
            for p in self.out.people.values()
            if p.details.get("nhs_number")
        }
        holders: dict[str, str] = {}
        for chunk in _chunks(list(numbers)):
            holders.update(
                ServiceUser.objects.filter(
                    organisation=self.organisation, nhs_number__in=chunk
                ).values_list("nhs_number", "reference")
            )
        for reference, plan in self.out.people.items():
            person = found.get(reference)
            plan.existing = person
            number = plan.details.get("nhs_number")
            holder = holders.get(str(number)) if number else None
            if holder is not None and holder != reference:
                self.problem(
                    plan.row,
                    self.columns.fields.get("nhs_number"),
                    f"NHS number {number} belongs to {holder}, not {reference}.",
                )
            if person is None:
                continue
            if person.restricted_at is not None:
                self.problem(
                    plan.row,
                    self.columns.fields.get("reference"),
                    f"{reference}'s data is restricted, so nothing can be recorded for "
                    "them. An organisation admin can lift the restriction on their page.",
                )
            born = plan.details.get("date_of_birth")
            if born and person.date_of_birth and born != person.date_of_birth:
                self.problem(
                    plan.row,
                    self.columns.fields.get("date_of_birth"),
                    f"{reference} is held with date of birth "
                    f"{_long(person.date_of_birth)}, not {_long(born)}.",  # type: ignore[arg-type]
                )
            if number and person.nhs_number and number != person.nhs_number:
                self.problem(
                    plan.row,
                    self.columns.fields.get("nhs_number"),
                    f"{reference} is held with a different NHS number.",
                )


def rows_check(
    *,
    organisation: Organisation,
    table: Table,
    mapping: dict[str, str],
    measures: Measures,
    progress: Progress | None = None,
) -> Checked:
    checker = _RowChecker(
        organisation=organisation,
        table=table,
        columns=Columns.of(mapping),
        measures=measures,
    )
    for done, (row, cells) in enumerate(table.rows, 1):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            checker.out.skipped.append(
                Problem(row, "", f"Row {row} is blank: skipped.")
            )
        else:
            checker.check(row, cells)
        if progress is not None and done % 2000 == 0:
            progress("Checking rows", done)
    checker.held()
    checker.out.problems = sorted(
        checker.row_problems, key=lambda p: (p.row or 0, p.column)
    )
    return checker.out
