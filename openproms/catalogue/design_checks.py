"""The designer's rules: what is wrong with a design, in plain English, naming the
question, answer set, answer, subscale or band (decision 0026; answer sets:
decision 0034). No Django here.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from openproms.catalogue.design_document import (
    DIRECTIONS,
    METHODS,
    Design,
    answer_set_of,
    score_range,
    scored_numbers,
)


def _number(value: float) -> str:
    return f"{value:g}"


def design_problems(design: Design) -> dict[str, list[str]]:
    """Every problem with a design, in plain English, keyed by the field it is
    about (``title``, ``option-2-code``, ``question-1-text``, ``subscale-1``,
    ``band-2``, ...). Empty when the design can be stored."""
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    if not design.title.strip():
        add("title", "Enter a name for the measure")
    if not design.short_name.strip():
        add("short_name", "Enter a short name for the measure")
    if not design.description.strip():
        add("description", "Say in a sentence what the measure is for")
    _answer_set_problems(design, add)
    if not design.questions:
        add("questions", "Add at least one question")
    elif not any(q.scored for q in design.questions):
        add("questions", "At least one question must count towards the score")
    for n, question in enumerate(design.questions, start=1):
        if not question.text.strip():
            add(f"question-{n}-text", f"Question {n}: enter its wording")
        chosen = answer_set_of(design, question)
        if chosen is None:
            add(
                f"question-{n}-answers",
                f"Question {n} has no answers: choose one of the answer sets",
            )
            continue
        named = _set_name(design, question.answer_set or 0)
        if chosen.categories and question.scored:
            add(
                f"question-{n}-answers",
                f"Question {n} counts towards the score, but its answers ({named}) "
                "are categories, not amounts: choose answers that are amounts, or "
                "say the question does not count",
            )
        if question.reverse and chosen.categories:
            add(
                f"question-{n}-reverse",
                f"Question {n} is reverse-scored, but its answers ({named}) are "
                "categories, not amounts, so they cannot be turned around",
            )
        elif question.reverse and chosen.code_range() is None:
            add(
                f"question-{n}-reverse",
                f"Question {n} is reverse-scored, but a question can only be "
                "reversed when it has at least 2 answers to turn around",
            )
        if question.reverse and not question.scored:
            add(
                f"question-{n}-reverse",
                f"Question {n} is reverse-scored but does not count towards the "
                "score: untick one of the two",
            )
    scored = scored_numbers(design)
    count = len(scored)
    if design.method not in METHODS:
        add("method", "Choose how the answers are combined into a score")
    if design.direction not in DIRECTIONS:
        add("direction", "Choose whether a higher score is better or worse")
    if design.max_missing < 0:
        add(
            "max_missing",
            "The number of questions that may be left blank cannot be below 0: "
            "enter 0 if every question must be answered",
        )
    elif count and design.max_missing >= count:
        add(
            "max_missing",
            f"At most {max(count - 1, 0)} of the {count} questions that count may "
            "be left blank (at least one must be answered for a score)",
        )
    elif design.max_missing and design.method == "sum":
        _proration_problem(design, scored, add)
    names: dict[str, int] = {}
    for n, sub in enumerate(design.subscales, start=1):
        name = sub.name.strip()
        if not name:
            add(f"subscale-{n}-name", f"Subscale {n}: enter its name")
        elif name.lower() in names:
            add(
                f"subscale-{n}-name",
                f"Subscale {n}: the name {name!r} is already used by subscale "
                f"{names[name.lower()]}",
            )
        else:
            names[name.lower()] = n
        if not sub.questions:
            add(
                f"subscale-{n}-questions",
                f"Subscale {n}{f' ({name})' if name else ''} has no questions: "
                "give the numbers of its questions, such as 1, 3",
            )
        for q in sub.questions:
            if not 1 <= q <= len(design.questions):
                add(
                    f"subscale-{n}-questions",
                    f"Subscale {n}: there is no question {q} (the measure has "
                    f"{len(design.questions)} questions)",
                )
            elif not design.questions[q - 1].scored:
                add(
                    f"subscale-{n}-questions",
                    f"Subscale {n}: question {q} does not count towards the score, "
                    "so it cannot be in a subscale",
                )
    _band_problems(design, add)
    return problems


def _set_name(design: Design, number: int) -> str:
    name = design.answer_sets[number - 1].name.strip()
    return f"answer set {number}, {name}" if name else f"answer set {number}"


def _answer_set_problems(design: Design, add: Any) -> None:
    if not design.answer_sets:
        add("answer_sets", "Give at least one set of answers people can choose from")
    names: dict[str, int] = {}
    for s, answers in enumerate(design.answer_sets, start=1):
        where = f"Answer set {s}"
        name = answers.name.strip()
        if not name:
            add(f"set-{s}-name", f"{where}: enter its name")
        elif name.lower() in names:
            add(
                f"set-{s}-name",
                f"{where}: the name {name!r} is already used by answer set "
                f"{names[name.lower()]}",
            )
        else:
            names[name.lower()] = s
        if len(answers.options) < 2:
            add(f"set-{s}-options", f"{where}: give at least 2 answers to choose from")
        seen: dict[int, int] = {}
        for n, option in enumerate(answers.options, start=1):
            key = f"set-{s}-option-{n}"
            if option.code is None:
                add(
                    f"{key}-code",
                    f"{where}, answer {n}: enter a whole number as its code",
                )
            elif option.code in seen:
                add(
                    f"{key}-code",
                    f"{where}, answer {n}: code {option.code} is already used by "
                    f"answer {seen[option.code]}; each answer in a set needs its "
                    "own code",
                )
            else:
                seen[option.code] = n
            if not option.label.strip():
                add(f"{key}-label", f"{where}, answer {n}: enter the words people see")


def _proration_problem(design: Design, scored: list[int], add: Any) -> None:
    """A blank in an added-up score is filled in as the average of the answers
    given (scaled up); across questions whose answers run over different ranges
    that would let a score pass its highest possible value, so it is refused."""
    ranges = {}
    for q in scored:
        chosen = answer_set_of(design, design.questions[q - 1])
        limits = chosen.code_range() if chosen is not None else None
        if limits is not None:
            ranges.setdefault(limits, q)
    if len(ranges) > 1:
        shown = ", ".join(
            f"question {q}: {low} to {high}"
            for (low, high), q in sorted(ranges.items(), key=lambda r: r[1])
        )
        add(
            "max_missing",
            "Blank answers cannot be allowed when the score adds up questions whose "
            f"answers run over different ranges ({shown}): a blank could not be "
            "filled in fairly. Allow none, or make the score an average",
        )


def _band_problems(design: Design, add: Any) -> None:
    limits = score_range(design)
    bands = design.bands
    for n, band in enumerate(bands, start=1):
        if not band.label.strip():
            add(f"band-{n}-label", f"Band {n}: enter its name")
        if band.low is None or band.high is None:
            add(f"band-{n}-low", f"Band {n}: enter the lowest and highest score")
            continue
        if band.high < band.low:
            add(
                f"band-{n}-low",
                f"Band {n}: its highest score ({_number(band.high)}) is below its "
                f"lowest ({_number(band.low)})",
            )
        if limits is not None and (band.low < limits[0] or band.high > limits[1]):
            add(
                f"band-{n}-low",
                f"Band {n}: scores run from {_number(limits[0])} to "
                f"{_number(limits[1])}, so a band cannot go from "
                f"{_number(band.low)} to {_number(band.high)}",
            )
    complete = [
        (n, b) for n, b in enumerate(bands, start=1) if None not in (b.low, b.high)
    ]
    ordered = sorted(complete, key=lambda nb: nb[1].low or 0.0)
    for (n1, b1), (n2, b2) in itertools.pairwise(ordered):
        assert b1.high is not None and b2.low is not None
        if b2.low <= b1.high:
            first, second = sorted((n1, n2))
            add(
                f"band-{second}-low",
                f"Band {second} overlaps band {first}: a score of "
                f"{_number(b2.low)} would be in both",
            )
        elif math.floor(b1.high) + 1 < b2.low:
            # A whole score falls between them: a gap that is surely a slip.
            gap = math.floor(b1.high) + 1
            add(
                f"band-{n2}-low",
                f"There is a gap between band {n1} (to {_number(b1.high)}) and "
                f"band {n2} (from {_number(b2.low)}): a score of {gap} would be "
                f"in neither. Start band {n2} at {gap}, or end band {n1} at "
                f"{math.ceil(b2.low) - 1}",
            )
    if ordered and limits is not None and ordered[0][1].low != limits[0]:
        n, first_band = ordered[0]
        add(
            f"band-{n}-low",
            f"The lowest band must start at the lowest possible score "
            f"({_number(limits[0])}), not {_number(first_band.low or 0.0)}",
        )


def scores_have_decimals(design: Design) -> bool:
    """Whether a total score can be other than a whole number: an average, or a
    sum with blank answers filled in (scaled up), as :func:`design_document`
    scores it."""
    return design.method == "mean" or (
        design.max_missing > 0 and len(scored_numbers(design)) > 1
    )


def band_notes(design: Design) -> list[str]:
    """How a score between two bands is read, for each gap a score with decimals
    can fall into (6.67 between "0 to 6" and "7 to 12"): it counts in the lower
    band, which runs up to where the next one starts (the engine's rule,
    ``Bands.index_of``). Whole-number gaps are refused by :func:`design_problems`."""
    if not scores_have_decimals(design):
        return []
    complete = [b for b in design.bands if b.low is not None and b.high is not None]
    ordered = sorted(complete, key=lambda b: b.low or 0.0)
    notes = []
    for low, high in itertools.pairwise(ordered):
        assert low.high is not None and high.low is not None
        if high.low > low.high:
            notes.append(
                f"A score between {_number(low.high)} and {_number(high.low)} "
                f"(such as {_number(round((low.high + high.low) / 2, 2))}) counts "
                f"in “{low.label.strip()}”: it runs up to where "
                f"“{high.label.strip()}” starts."
            )
    return notes
