"""The measure chooser's facts: what each library measure is for and who it suits,
its cost, completion time, languages and the commissioners who ask for it
(data/chooser.json, each fact with its source), joined to what the measure
definitions already hold (questions, licence, change figures, published
reliability) and a reading level worked out from the wording where it ships.

The yearly burden under a service's plan counts the occasions its active plans
make for one person over a year of support (collection/schedule.py, the rules
the scheduler itself uses).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import textstat

from openproms.collection import schedule
from openproms.collection.models import PlanRule
from openproms.scoring import MeasureDefinition, MeasureNotFound, get_measure

DATA = Path(__file__).parent / "data" / "chooser.json"

PURPOSES = [
    ("wellbeing", "Well-being"),
    ("depression", "Depression"),
    ("anxiety", "Anxiety"),
    ("loneliness", "Loneliness"),
    ("general_health", "General health"),
    ("distress", "Distress"),
    ("recovery", "Recovery"),
]
POPULATIONS = [
    ("adults", "Adults"),
    ("young_people", "Young people"),
    ("carers", "Carers"),
]
LABELS = dict(PURPOSES + POPULATIONS)

SECONDS_PER_QUESTION = 10
"""Our own rough estimate where no completion time is published (unverified)."""

NOT_SHIPPED = "Wording not shipped, reading level not computed"


@cache
def chooser_facts() -> dict[str, dict[str, Any]]:
    """The data file's facts by measure id."""
    with DATA.open(encoding="utf-8") as handle:
        document = json.load(handle)
    return {row["measure"]: row for row in document["measures"]}


def reading_level(definition: MeasureDefinition) -> dict[str, Any] | None:
    """Flesch reading ease and Flesch-Kincaid grade of the questions and
    instructions as shipped (textstat), or None when the wording does not ship."""
    if not definition.licence.wording_shipped:
        return None
    parts = [definition.instructions or ""]
    parts += [item.text or "" for item in definition.items]
    text = " ".join(p.strip().rstrip(".?") + "." for p in parts if p and p.strip())
    if not text:
        return None
    ease = float(textstat.flesch_reading_ease(text))
    grade = float(textstat.flesch_kincaid_grade(text))
    return {
        "ease": ease,
        "grade": grade,
        "uk_age": max(round(grade) + 5, 5),
    }


def occasions_per_year(rules: list[PlanRule]) -> int:
    """Distinct days one person is asked for answers in a year of support under
    these rules (every attended session weekly, when a rule counts sessions)."""
    start = dt.date(2025, 1, 6)
    end = start + dt.timedelta(days=365)
    facts = schedule.EpisodeFacts(
        start=start,
        end=end,
        closed=True,
        attended=tuple(start + dt.timedelta(weeks=w) for w in range(53)),
    )
    days: set[dt.date] = set()
    for rule in rules:
        spec = schedule.Rule(
            kind=rule.kind,
            weeks=rule.weeks,
            sessions=rule.sessions,
            on_date=rule.on_date,
            window_days=rule.window_days,
        )
        if schedule.rule_problems(spec):
            continue
        for occasion in schedule.occasions(spec, facts, today=end):
            if start <= occasion.due <= end:
                days.add(occasion.due)
    return len(days)


@dataclass
class Comparison:
    """One measure's column in the comparison."""

    definition: MeasureDefinition
    facts: dict[str, Any]
    fits: list[dict[str, Any]]
    questions: int  # every question shown, scored or not
    minutes: float
    reading: dict[str, Any] | None
    change: list[dict[str, Any]]
    reliability: list[dict[str, Any]]
    burden_minutes: float | None
    burden_questions: int | None

    @property
    def has_reliable(self) -> bool:
        return any(row["reliable"] is not None for row in self.change)

    @property
    def has_meaningful(self) -> bool:
        return any(row["meaningful"] is not None for row in self.change)


def _change_rows(definition: MeasureDefinition) -> list[dict[str, Any]]:
    rows = []
    for scale in definition.scales:
        rows.append(
            {
                "label": scale.label,
                "reliable": scale.reliable_change,
                "meaningful": scale.mid,
            }
        )
    return rows


def _reliability_rows(definition: MeasureDefinition) -> list[dict[str, Any]]:
    return [
        {"label": scale.label, "reliability": scale.reliability}
        for scale in definition.scales
        if scale.reliability is not None
    ]


def suitable(purposes: list[str], populations: list[str]) -> list[str]:
    """Measure ids fitting any chosen purpose and any chosen population (a
    population of adults is assumed when none is chosen)."""
    chosen = []
    for measure_id, row in chooser_facts().items():
        fits_purpose = not purposes or bool(set(purposes) & set(row["purposes"]))
        held = {p["population"] for p in row["populations"]}
        fits_people = not populations or bool(set(populations) & held)
        if fits_purpose and fits_people:
            chosen.append(measure_id)
    return chosen


def compare(
    measure_ids: list[str],
    *,
    purposes: list[str],
    populations: list[str],
    occasions: int | None,
) -> list[Comparison]:
    out = []
    for measure_id in measure_ids:
        try:
            definition = get_measure(measure_id)
        except MeasureNotFound:
            continue
        facts = chooser_facts()[measure_id]
        minutes = facts["minutes"] or round(
            len(definition.items) * SECONDS_PER_QUESTION / 60, 1
        )
        fits = [
            {"label": LABELS[p], "source": None}
            for p in facts["purposes"]
            if p in purposes
        ] + [
            {"label": LABELS[p["population"]], "source": p["source"]}
            for p in facts["populations"]
            if p["population"] in populations
        ]
        out.append(
            Comparison(
                definition=definition,
                facts=facts,
                fits=fits,
                questions=len(definition.items),
                minutes=minutes,
                reading=reading_level(definition),
                change=_change_rows(definition),
                reliability=_reliability_rows(definition),
                burden_minutes=None if occasions is None else occasions * minutes,
                burden_questions=None
                if occasions is None
                else occasions * len(definition.items),
            )
        )
    return out
