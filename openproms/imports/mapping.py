"""What each column of an uploaded file holds: the choices offered for a column,
a first guess from its heading, and the mapping an organisation saved last time.

A column holds a detail of the person (reference, name, date of birth, NHS
number), of the episode (service, start, end), the measure and the date it was
answered, an answer to question N of that row's measure, or one scale's score
of one measure (scores only: imported as given, never rescored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from openproms.accounts.models import Organisation, User
from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.imports.models import ImportMapping
from openproms.scoring import MeasureDefinition
from openproms.scoring.definitions import Scale

FIELDS: dict[str, str] = {
    "reference": "Person's reference",
    "given_name": "Given name",
    "family_name": "Family name",
    "full_name": "Full name (given name first)",
    "date_of_birth": "Date of birth",
    "nhs_number": "NHS number",
    "service": "Service",
    "episode_start": "Episode start date",
    "episode_end": "Episode end date",
    "measure": "Measure",
    "completed_on": "Date answered",
}

REQUIRED = ("reference", "measure", "completed_on")

_GUESSES: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "ref", "client reference", "client id", "id"),
    "given_name": ("given name", "first name", "forename"),
    "family_name": ("family name", "surname", "last name"),
    "full_name": ("name", "full name", "client name"),
    "date_of_birth": ("date of birth", "dob", "birth date"),
    "nhs_number": ("nhs number", "nhs no", "nhs"),
    "service": ("service", "team"),
    "episode_start": ("episode start", "start date", "referral date", "start"),
    "episode_end": ("episode end", "end date", "discharge date", "end"),
    "measure": ("measure", "questionnaire", "form"),
    "completed_on": ("date answered", "date completed", "completed", "date"),
}

_QUESTION = re.compile(r"^(?:q|question|item)\s*(\d{1,3})$")


@dataclass(frozen=True)
class Measures:
    """The measures an organisation uses, found by id or by the names people write."""

    by_key: dict[str, MeasureDefinition]

    def find(self, text: str) -> MeasureDefinition | None:
        return self.by_key.get(_squash(text))

    @property
    def definitions(self) -> list[MeasureDefinition]:
        seen: dict[str, MeasureDefinition] = {}
        for definition in self.by_key.values():
            seen[definition.id] = definition
        return sorted(seen.values(), key=lambda d: d.short_name)


def scale_name(definition: MeasureDefinition, scale: Scale) -> str:
    """A scale as people read it: "GAD-7 total" (the measure named once)."""
    name = scale.label or "score"
    if not name.lower().startswith(definition.short_name.lower()):
        name = f"{definition.short_name} {name.lower()}"
    return name


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_().]", "", str(text)).lower()


def normalise_heading(heading: str) -> str:
    return " ".join(heading.split()).lower()


def organisation_import_measures(organisation: Organisation) -> Measures:
    by_key: dict[str, MeasureDefinition] = {}
    for used in organisation_measures(organisation):
        definition = measure_definition(
            organisation=organisation,
            measure_id=used.measure_id,
            version=used.measure_version,
        )
        for name in (definition.id, definition.short_name, definition.title):
            by_key.setdefault(_squash(name), definition)
    return Measures(by_key)


def target_choices(measures: Measures) -> list[tuple[str, str]]:
    """Every choice for a column, as (value, what a person reads)."""
    choices = [("", "Not imported")]
    choices += list(FIELDS.items())
    most = max((len(d.items) for d in measures.definitions), default=0)
    choices += [(f"item:{n}", f"Answer to question {n}") for n in range(1, most + 1)]
    for definition in measures.definitions:
        for scale in definition.scales:
            choices.append(
                (
                    f"score:{definition.id}:{scale.id}",
                    f"{scale_name(definition, scale)} (score only)",
                )
            )
    return choices


def guess(heading: str, measures: Measures) -> str:
    """A first guess at what a column holds, from its heading alone."""
    text = normalise_heading(heading)
    for target, names in _GUESSES.items():
        if text in names:
            return target
    if match := _QUESTION.match(text):
        return f"item:{int(match.group(1))}"
    for definition in measures.definitions:
        for scale in definition.scales:
            name = scale_name(definition, scale).lower()
            names = {name, f"{name} score", f"{definition.id} {scale.id}".lower()}
            if text in names:
                return f"score:{definition.id}:{scale.id}"
    return ""


def initial_mapping(
    *, organisation: Organisation, headers: list[str], measures: Measures
) -> dict[str, str]:
    """What to offer for each column: what was saved for its heading last time,
    or a guess. Keys are column positions as text."""
    saved = ImportMapping.objects.filter(organisation=organisation).first()
    columns = saved.columns if saved is not None else {}
    valid = {value for value, _ in target_choices(measures)}
    offered: dict[str, str] = {}
    for index, heading in enumerate(headers):
        target = columns.get(normalise_heading(heading))
        if target is None or target not in valid:
            target = guess(heading, measures)
        offered[str(index)] = target
    return offered


def mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[str]:
    """What is wrong with a mapping as a whole, in words (empty when it will do)."""
    chosen = [target for target in mapping.values() if target]
    problems = []
    for field in REQUIRED:
        if field not in chosen:
            problems.append(
                f"Choose the column that holds the {FIELDS[field].lower()}."
            )
    names = {"full_name"} & set(chosen) and {"given_name", "family_name"} & set(chosen)
    if names:
        problems.append(
            "Choose either a full name column or given and family name columns, "
            "not both."
        )
    for target in sorted(set(chosen)):
        columns = [
            headers[int(i)] or f"column {int(i) + 1}"
            for i, t in mapping.items()
            if t == target
        ]
        if len(columns) > 1:
            problems.append(
                f"{', '.join(columns)} are all matched to the same thing; match each "
                "to something different."
            )
    has_items = any(t.startswith("item:") for t in chosen)
    has_scores = any(t.startswith("score:") for t in chosen)
    if not has_items and not has_scores:
        problems.append(
            "Match at least one column to answers (question by question) or to scores."
        )
    if has_items and has_scores:
        problems.append(
            "Import either answers question by question or scores only, not both "
            "from one file: answers are scored on import."
        )
    return problems


def mapping_save(
    *,
    organisation: Organisation,
    headers: list[str],
    mapping: dict[str, str],
    actor: User | None,
) -> None:
    """Remember what each heading held, for the next file (merged with before)."""
    from django.utils import timezone

    saved, _ = ImportMapping.objects.get_or_create(organisation=organisation)
    columns = dict(saved.columns)
    for index, target in mapping.items():
        heading = normalise_heading(headers[int(index)])
        if heading:
            columns[heading] = target
    saved.columns = columns
    saved.updated_at = timezone.now()
    saved.updated_by = actor
    saved.save()
