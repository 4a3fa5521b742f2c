"""An organisation's own measure as the designer holds it, and as the engine reads it.

A :class:`Design` is what a manager types: named answer sets, questions (each
choosing one answer set, the first unless told; each counted in the score or not),
reverse-scored questions, subscales, the scoring rule, bands, instructions and a
time period. ``design_checks.design_problems`` says in plain English what is
wrong with one; :func:`design_document` turns a sound one into a definition document, which the
engine's own check (``definition_check``) must also accept before anything is
stored, so the designer and the engine never disagree (decision 0026).
:func:`design_from_document` reads a stored document back for editing.

No Django here: plain data in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openproms.scoring.definition_check import check_definition

NOT_TESTED = "Not tested for reliability"
NO_SEM_REASON = (
    "This measure was written by the organisation and has not been tested for "
    "reliability, so the size of its measurement error is not known."
)
METHODS = {"sum": "Add up the answers", "mean": "Average of the answers"}
DIRECTIONS = {
    "higher_is_better": "A higher score is better",
    "higher_is_worse": "A higher score is worse",
}


@dataclass
class Option:
    code: int | None
    label: str


@dataclass
class AnswerSet:
    """Answers people choose from, shared by the questions that choose the set.
    ``categories``: the codes only name the answers (not amounts), so a question
    with these answers cannot count towards a score or be reversed."""

    name: str
    options: list[Option] = field(default_factory=list)
    categories: bool = False

    @property
    def codes(self) -> list[int]:
        return [o.code for o in self.options if o.code is not None]

    def code_range(self) -> tuple[int, int] | None:
        codes = self.codes
        return (min(codes), max(codes)) if len(codes) >= 2 else None


@dataclass
class Question:
    text: str
    reverse: bool = False
    answer_set: int | None = 1  # the number of its answer set; None: none chosen
    scored: bool = True


@dataclass
class Subscale:
    name: str
    questions: list[int] = field(default_factory=list)


@dataclass
class Band:
    low: float | None
    high: float | None
    label: str


@dataclass
class Design:
    """Everything a manager types about one measure (see the module docstring)."""

    title: str = ""
    short_name: str = ""
    description: str = ""
    instructions: str = ""
    time_period: str = ""
    method: str = "sum"
    max_missing: int = 0
    direction: str = "higher_is_better"
    answer_sets: list[AnswerSet] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    subscales: list[Subscale] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)


def answer_set_of(design: Design, question: Question) -> AnswerSet | None:
    """The answer set a question chose, or None when it chose none that exists."""
    n = question.answer_set
    if n is None or not 1 <= n <= len(design.answer_sets):
        return None
    return design.answer_sets[n - 1]


def _item_ranges(design: Design, numbers: list[int]) -> list[tuple[int, int]] | None:
    ranges = []
    for q in numbers:
        chosen = answer_set_of(design, design.questions[q - 1])
        limits = chosen.code_range() if chosen is not None else None
        if limits is None:
            return None
        ranges.append(limits)
    return ranges or None


def scored_numbers(design: Design) -> list[int]:
    """The numbers of the questions that count towards the score."""
    return [n for n, q in enumerate(design.questions, start=1) if q.scored]


def scale_range(design: Design, numbers: list[int]) -> tuple[float, float] | None:
    """Lowest and highest score of a scale over the questions ``numbers``, each
    question's answers from its own answer set: a sum adds each question's lowest
    (highest) code; a mean runs from the lowest code of any of its questions to the
    highest (the engine's rule: the mean of the answers given can be one answer).
    Reversing a question swaps its ends, so the range is unchanged."""
    ranges = _item_ranges(design, numbers)
    if ranges is None:
        return None
    lows, highs = zip(*ranges, strict=True)
    if design.method == "sum":
        return float(sum(lows)), float(sum(highs))
    return float(min(lows)), float(max(highs))


def score_range(design: Design) -> tuple[float, float] | None:
    """Lowest and highest total score (see :func:`scale_range`)."""
    return scale_range(design, scored_numbers(design))


# The organisation is the primary source of its own measure's rules and bands;
# "verified" says the rule is exactly as its author set it (the measure itself is
# labelled not tested for reliability).
OWN_SOURCE_CONFIDENCE = "verified"


def _source(organisation: str) -> dict[str, Any]:
    return {
        "citation": f"Set by {organisation} in the measure designer",
        "url": None,
        "confidence": OWN_SOURCE_CONFIDENCE,
    }


def design_document(
    design: Design, *, measure_id: str, version: str, organisation: str
) -> dict[str, Any]:
    """The definition document for a sound design (see :func:`design_problems`).

    Answer sets: ``answers`` (the first), ``answers_2``, ... each with its name as
    ``label``; every item names its own. Scales: ``total`` (every question that
    counts) and one per subscale, each by the design's method, reversing the
    reverse-scored questions (code -> lowest + highest code of *its* answer set -
    code; the engine's rule). The range is :func:`scale_range`. Up to
    ``max_missing`` blank answers are allowed on the total (a subscale allows as
    many, but always needs one answer); then the score is prorated: a sum is scaled
    up to the full number of questions, a mean is the mean of the answers given
    (the engine's rule). Bands apply to the total. A question that does not count
    may be left blank.
    """
    source = _source(organisation)
    ids = [f"{measure_id}_{n}" for n in range(1, len(design.questions) + 1)]
    reverse = [i for i, q in zip(ids, design.questions, strict=True) if q.reverse]
    set_ids = [set_id(n) for n in range(1, len(design.answer_sets) + 1)]

    def scale(
        scale_id: str, label: str, numbers: list[int], bands: bool
    ) -> dict[str, Any]:
        items = [ids[q - 1] for q in numbers]
        n = len(items)
        missing = min(design.max_missing, n - 1)
        value_range = scale_range(design, numbers)
        assert value_range is not None  # design_problems found every gap
        out: dict[str, Any] = {
            "id": scale_id,
            "label": label,
            "items": items,
            "method": design.method,
            "missing": {
                "max_missing": missing,
                "prorate": missing > 0,
                "source": source,
            },
            "decimals": 2 if design.method == "mean" or missing else 0,
            "range": {"min": value_range[0], "max": value_range[1]},
            "direction": design.direction,
            "unit": "points",
            "no_sem_reason": NO_SEM_REASON,
        }
        rev = [i for i in items if i in reverse]
        if rev:
            out["item_values"] = {"reverse": rev, "source": source}
        if bands and design.bands:
            out["bands"] = {
                "bands": [
                    {"min": b.low, "max": b.high, "label": b.label.strip()}
                    for b in sorted(design.bands, key=lambda b: b.low or 0.0)
                ],
                "source": source,
            }
        return out

    scales = [scale("total", "Total score", scored_numbers(design), True)]
    for n, sub in enumerate(design.subscales, start=1):
        numbers = sorted(set(sub.questions))
        scales.append(scale(f"subscale_{n}", sub.name.strip(), numbers, False))
    period = design.time_period.strip() or None
    return {
        "schema_version": 1,
        "id": measure_id,
        "version": version,
        "kind": "bespoke",
        "title": design.title.strip(),
        "short_name": design.short_name.strip(),
        "description": design.description.strip(),
        "recall_period": period,
        "suitable_for": f"People using {organisation}'s services. {NOT_TESTED}.",
        "instructions": design.instructions.strip() or None,
        "think_about": period,
        "wording_source": {
            "citation": f"Written by {organisation}",
            "url": None,
            "confidence": "verified",
        },
        "licence": {
            "kind": "open",
            "holder": organisation,
            "terms_summary": f"Written by {organisation} for its own use.",
            "wording_shipped": True,
            "attribution": None,
            "cost_notes": "Free.",
            "source": source,
        },
        "response_sets": {
            rid: {
                "label": answers.name.strip(),
                **({"categories": True} if answers.categories else {}),
                "options": [
                    {"code": o.code, "label": o.label.strip()} for o in answers.options
                ],
            }
            for rid, answers in zip(set_ids, design.answer_sets, strict=True)
        },
        "items": [
            _item(item_id, q, set_ids)
            for item_id, q in zip(ids, design.questions, strict=True)
        ],
        "scales": scales,
        "guidance": {
            "administration": (
                "Read the instructions, then each question and its answers as written."
            ),
            "why_for_workers": (
                f"A measure written by {organisation}. {NOT_TESTED}: treat a change "
                "in score as a prompt for conversation, not proof."
            ),
            "why_for_person": (
                "Your answers help you and your worker see how things are going."
            ),
        },
    }


def set_id(number: int) -> str:
    """The id of answer set ``number`` in the document (never shown to anyone)."""
    return "answers" if number == 1 else f"answers_{number}"


def _item(item_id: str, question: Question, set_ids: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": item_id,
        "text": question.text.strip(),
        "short_label": None,
        "response_set": set_ids[(question.answer_set or 1) - 1],
        "scored": question.scored,
    }
    if not question.scored:
        item["required"] = False
    return item


def document_problems(document: Mapping[str, Any]) -> list[str]:
    """What the engine's own check says about a document (empty when valid)."""
    return check_definition(document)


_SPACES = re.compile(r"\s+")


def _answer_set(name: str, raw: Mapping[str, Any]) -> AnswerSet:
    options = [
        Option(code=o["code"], label=o.get("label") or "")
        for o in raw.get("options", [])
    ]
    if "range" in raw:
        r = raw["range"]
        options = [Option(code=c, label=str(c)) for c in range(r["min"], r["max"] + 1)]
        options[0].label = r.get("min_label") or options[0].label
        options[-1].label = r.get("max_label") or options[-1].label
    return AnswerSet(
        name=raw.get("label") or name,
        options=options,
        categories=bool(raw.get("categories")),
    )


def _set_name_from_id(rid: str, number: int) -> str:
    words = _SPACES.sub(" ", rid.replace("_", " ")).strip()
    return words[:1].upper() + words[1:] if words else f"Answers {number}"


def design_from_document(document: Mapping[str, Any]) -> Design:
    """A stored document (one the designer wrote, or a library measure) as a
    design to edit: each answer set the items use, in the order first used, named
    by its ``label`` or else by its id in words; each question on its own set.
    Anything the designer cannot express (recode tables, tables of scores) is
    left out; the copy rules in :func:`copy_refusal` keep such measures out of the
    designer."""
    sets = document["response_sets"]
    order: list[str] = []
    for item in document["items"]:
        if item["response_set"] not in order:
            order.append(item["response_set"])
    answer_sets = [
        _answer_set(_set_name_from_id(rid, n), sets[rid])
        for n, rid in enumerate(order, start=1)
    ]
    scales = document["scales"]
    total = scales[0]
    reverse = set(total.get("item_values", {}).get("reverse", []))
    item_ids = [i["id"] for i in document["items"]]
    numbers = {item_id: n for n, item_id in enumerate(item_ids, start=1)}
    counted = set(total["items"])
    subscales = [
        Subscale(name=s["label"], questions=[numbers[i] for i in s["items"]])
        for s in scales[1:]
        if set(s["items"]) != counted
    ]
    bands = [
        Band(low=b["min"], high=b["max"], label=b["label"])
        for b in (total.get("bands") or {}).get("bands", [])
    ]
    return Design(
        title=document["title"],
        short_name=document["short_name"],
        description=document["description"],
        instructions=document.get("instructions") or "",
        time_period=document.get("think_about") or document.get("recall_period") or "",
        method=total["method"] if total["method"] in METHODS else "sum",
        max_missing=total["missing"]["max_missing"],
        direction=total["direction"],
        answer_sets=answer_sets,
        questions=[
            Question(
                text=_SPACES.sub(" ", i.get("text") or "").strip(),
                reverse=i["id"] in reverse,
                answer_set=order.index(i["response_set"]) + 1,
                scored=i["id"] in counted,
            )
            for i in document["items"]
        ],
        subscales=subscales,
        bands=bands,
    )


def copy_refusal(document: Mapping[str, Any]) -> str | None:
    """Why a library measure may not be copied and adapted, or None when it may.

    Only an open licence whose wording ships with openproms permits changes; the
    designer also needs a first score that is a plain sum or mean of every question
    it counts (a copy of anything else would score differently from the original).
    Questions with different answers, and questions not counted, are kept as they
    are."""
    licence = document["licence"]
    if licence["kind"] != "open":
        return (
            f"Its licence does not allow changes: {licence['holder']} sets the terms "
            f"({licence['terms_summary'].rstrip('.')})."
        )
    if not licence["wording_shipped"]:
        return (
            f"Its wording is licensed by {licence['holder']} and is not included, so "
            "there is nothing to adapt."
        )
    scored = {i["id"] for i in document["items"] if i.get("scored", True)}
    if set(document["scales"][0]["items"]) != scored:
        return (
            "Its first score is not a total of all the questions it counts, which "
            "the designer cannot show."
        )
    for s in document["scales"]:
        if s["method"] not in METHODS or "recode" in s.get("item_values", {}):
            return (
                f"Its score ({s['label']}) is worked out in a way the designer "
                "cannot show."
            )
    return None
