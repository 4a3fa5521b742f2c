"""A research project's extract: one row per scale score of the people whose
research consent in force is "yes" and whose data is not restricted, under the
project's pseudonyms, with only the fields the project chose (decision 0025).

Never in an extract: a name, NHS number, date of birth (an age band instead),
postcode, contact details, the organisation's own reference, free text, or the
person's key. :data:`COLUMNS` says what each column holds; the data dictionary
(CSV and markdown) is made from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration, ScaleResult
from openproms.people.categories import ETHNICITY_CHOICES, Sex
from openproms.scoring import MeasureDefinition
from openproms.sharing import pseudonyms
from openproms.sharing.models import ResearchProject
from openproms.sharing.research_consent import people_in_research


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str  # text | date | number
    description: str
    chosen: bool  # True: a field a project may choose; False: always included


COLUMNS: tuple[Column, ...] = (
    Column(
        "person",
        "Person (pseudonym)",
        "text",
        "The same 20 characters for every row of one person in this project's "
        "extracts; unrelated to the person's pseudonym in any other project.",
        chosen=False,
    ),
    Column(
        "age_band",
        "Age band",
        "text",
        "Age on the day the answers were given, in ten-year bands from 18 "
        "(blank when no date of birth is recorded).",
        chosen=True,
    ),
    Column("sex", "Sex", "text", "Sex as recorded (Census 2021).", chosen=True),
    Column(
        "ethnicity",
        "Ethnic group",
        "text",
        "Ethnic group as recorded (Census 2021).",
        chosen=True,
    ),
    Column(
        "service",
        "Service",
        "text",
        "The service of the episode the answers belong to.",
        chosen=True,
    ),
    Column(
        "episode_start",
        "Date the episode began",
        "date",
        "The first day of the episode of support.",
        chosen=True,
    ),
    Column(
        "occasion",
        "Occasion",
        "text",
        "The planned occasion the answers were given for (blank: not planned).",
        chosen=True,
    ),
    Column(
        "answered_on",
        "Date answered",
        "date",
        "The day the answers were given.",
        chosen=True,
    ),
    Column(
        "how_answered",
        "How answered",
        "text",
        "How the answers were collected (with a worker, self-completion, paper).",
        chosen=True,
    ),
    Column("measure", "Measure", "text", "The measure's name.", chosen=False),
    Column("scale", "Scale", "text", "The scale of the measure scored.", chosen=False),
    Column(
        "score",
        "Score",
        "number",
        "The scale's score, scored by the measure's published rules.",
        chosen=False,
    ),
    Column(
        "band",
        "Band",
        "text",
        "The score's band in the measure's definition (blank: none).",
        chosen=True,
    ),
)
BY_NAME = {column.name: column for column in COLUMNS}
CHOOSABLE = [(c.name, c.label) for c in COLUMNS if c.chosen]
SHIFTED = frozenset({"episode_start", "answered_on"})
_SEX = dict(Sex.choices)
_ETHNICITY = dict(ETHNICITY_CHOICES)


def columns_of(project: ResearchProject) -> list[Column]:
    chosen = set(project.fields)
    return [c for c in COLUMNS if not c.chosen or c.name in chosen]


def dictionary_rows(project: ResearchProject) -> list[dict[str, str]]:
    rows = []
    for column in columns_of(project):
        description = column.description
        if column.name in SHIFTED and project.shift_dates:
            description += (
                f" Shifted by a number of days between -{pseudonyms.SHIFT_DAYS} and "
                f"+{pseudonyms.SHIFT_DAYS}, the same for every date of one person."
            )
        rows.append(
            {
                "column": column.name,
                "label": column.label,
                "type": column.kind,
                "description": description,
            }
        )
    return rows


def dictionary_csv(project: ResearchProject) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["column", "label", "type", "description"])
    writer.writeheader()
    writer.writerows(dictionary_rows(project))
    return out.getvalue()


def dictionary_markdown(project: ResearchProject) -> str:
    lines = [
        f"# Data dictionary: {project.name}",
        "",
        f"Purpose: {project.purpose}",
        "",
        "One row per scale score. Only people who agreed to their answers being "
        "used for research, and whose data is not restricted, are included.",
        "",
        "| Column | Label | Type | Description |",
        "| --- | --- | --- | --- |",
    ]
    for row in dictionary_rows(project):
        cells = [row[k].replace("|", "/") for k in ("column", "label", "type")]
        lines.append(f"| {' | '.join(cells)} | {row['description']} |")
    return "\n".join(lines) + "\n"


class _Names:
    """Measure and scale names as the organisation uses them, looked up once."""

    def __init__(self, project: ResearchProject) -> None:
        self.organisation = project.organisation
        self.found: dict[tuple[str, str], MeasureDefinition | None] = {}

    def _definition(self, measure_id: str, version: str) -> MeasureDefinition | None:
        key = (measure_id, version)
        if key not in self.found:
            try:
                self.found[key] = measure_definition(
                    organisation=self.organisation,
                    measure_id=measure_id,
                    version=version,
                )
            except Http404:
                self.found[key] = None
        return self.found[key]

    def measure(self, measure_id: str, version: str) -> str:
        definition = self._definition(measure_id, version)
        return definition.short_name if definition else measure_id

    def scale(self, measure_id: str, version: str, scale_id: str) -> str:
        definition = self._definition(measure_id, version)
        if definition is not None:
            for scale in definition.scales:
                if scale.id == scale_id:
                    return scale.label
        return scale_id


_MODES = dict(Administration.Mode.choices)
_READ = (
    "administration__service_user_id",
    "administration__service_user__date_of_birth",
    "administration__service_user__sex",
    "administration__service_user__ethnicity",
    "administration__completed_at",
    "administration__mode",
    "administration__measure_id",
    "administration__measure_version",
    "administration__episode__start_date",
    "administration__episode__service__name",
    "administration__time_point__label",
    "scale_id",
    "value",
    "band",
)


def extract_rows(
    project: ResearchProject, *, chunk_size: int = 2000
) -> Iterator[dict[str, Any]]:
    """The extract's rows (column name: value; dates as dates), oldest first."""
    names = _Names(project)
    wanted = [c.name for c in columns_of(project)]
    # The people in it, read once: a subquery per row costs more than reading
    # the few rows of those left out and skipping them here.
    people = set(people_in_research(project.organisation).values_list("pk", flat=True))
    results = (
        ScaleResult.objects.filter(
            organisation=project.organisation,
            value__isnull=False,
            administration__is_pilot=False,
        )
        .order_by("administration__service_user_id", "administration__completed_at")
        .values_list(*_READ)
    )
    shifts: dict[int, int] = {}
    secret = project.secret
    for (
        person_key,
        born,
        sex,
        ethnicity,
        completed_at,
        mode,
        measure_id,
        version,
        episode_start,
        service,
        occasion,
        scale_id,
        value,
        band,
    ) in results.iterator(chunk_size=chunk_size):
        if person_key not in people:
            continue
        if person_key not in shifts:
            shifts[person_key] = (
                pseudonyms.date_shift(secret, person_key) if project.shift_dates else 0
            )
        shift = shifts[person_key]
        answered = timezone.localtime(completed_at).date()
        row: dict[str, Any] = {
            "person": pseudonyms.pseudonym(secret, person_key),
            "age_band": pseudonyms.age_band(born, answered),
            "sex": _SEX.get(sex, ""),
            "ethnicity": _ETHNICITY.get(ethnicity, ""),
            "service": service or "",
            "episode_start": pseudonyms.shifted(episode_start, shift),
            "occasion": occasion or "",
            "answered_on": pseudonyms.shifted(answered, shift),
            "how_answered": _MODES.get(mode, ""),
            "measure": names.measure(measure_id, version),
            "scale": names.scale(measure_id, version, scale_id),
            "score": value,
            "band": band,
        }
        yield {name: row[name] for name in wanted}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def extract_csv(project: ResearchProject) -> Iterator[str]:
    """The extract as CSV text, a chunk at a time (header first)."""
    names = [c.name for c in columns_of(project)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(names)
    for n, row in enumerate(extract_rows(project), start=1):
        writer.writerow([_cell(row[name]) for name in names])
        if n % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def extract_parquet(project: ResearchProject) -> bytes:
    """The extract as a Parquet file (dates as dates, scores as numbers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"text": pa.string(), "date": pa.date32(), "number": pa.float64()}
    columns = columns_of(project)
    schema = pa.schema([pa.field(c.name, types[c.kind]) for c in columns])
    data: dict[str, list[Any]] = {c.name: [] for c in columns}
    for row in extract_rows(project):
        for name, values in data.items():
            values.append(row[name])
    table = pa.Table.from_pydict(data, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
