"""A measure definition in plain words for its pages: questions by their number
(and short label where the definition has one), never by item id; how each scale
is scored; what wording is missing; and each scale's measurement error."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openproms.accounts.terms import at_practice
from openproms.scoring import (
    MeasureDefinition,
    Scale,
    has_measurement_error,
    margin_text,
    no_sem_reason,
    scale_measurement_error,
)
from openproms.scoring.definitions import Item


def number_list(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 5]`` as ``1 to 3 and 5``; runs of three or more are ranges."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{ordered[start]} to {ordered[end]}")
        else:
            parts.extend(str(n) for n in ordered[start : end + 1])
        start = end + 1
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def question_numbers(defn: MeasureDefinition) -> dict[str, int]:
    """Each item's position on the form, from 1."""
    return {item.id: n for n, item in enumerate(defn.items, start=1)}


def question_name(defn: MeasureDefinition, item: Item) -> str:
    """``Question 3``, or ``Question 3 (job situation)`` with a short label."""
    number = question_numbers(defn)[item.id]
    return f"Question {number}" + (f" ({item.short_label})" if item.short_label else "")


def questions(defn: MeasureDefinition, item_ids: Iterable[str]) -> str:
    """``questions 1 to 9`` (``question 4`` for one)."""
    numbers = question_numbers(defn)
    chosen = [numbers[i] for i in item_ids]
    word = "question" if len(chosen) == 1 else "questions"
    return f"{word} {number_list(chosen)}"


def method_words(defn: MeasureDefinition, scale: Scale) -> str:
    """How a scale is scored, in words: ``Sum of questions 1 to 9``."""
    of = questions(defn, scale.items)
    k = f"{scale.k:g}" if scale.k is not None else ""
    text = {
        "sum": f"Sum of {of}",
        "sum_times_k": f"Sum of {of}, multiplied by {k}",
        "mean": f"Mean of {of}",
        "mean_times_k": f"Mean of {of}, multiplied by {k}",
        "sum_then_table": f"Sum of {of}, converted with a published table",
        "profile": f"The answers to {of} written side by side (a profile, not a total)",
    }[scale.method]
    if scale.reverse:
        reversed_ = questions(defn, scale.reverse)
        verb = "is" if len(scale.reverse) == 1 else "are"
        text += f"; {reversed_} {verb} scored in reverse"
    if scale.recode:
        recoded = questions(defn, scale.recode)
        verb = "is" if len(scale.recode) == 1 else "are"
        text += f"; {recoded} {verb} recoded first"
    return text


def missing_wording(defn: MeasureDefinition) -> str:
    """What wording is missing and why, in plain words ("" when none is)."""
    numbers = question_numbers(defn)
    no_text = [numbers[i.id] for i in defn.items if not i.text]
    no_labels = [
        numbers[i.id]
        for i in defn.items
        if any(o.label is None for o in i.response_set.options)
    ]
    if not no_text and not no_labels:
        return ""
    every = set(numbers.values())
    missing: list[str] = []
    if no_text and no_labels and set(no_text) == set(no_labels) == every:
        missing.append(
            f"the wording of all {len(every)} questions and the labels of their answers"
        )
    else:
        if no_text:
            missing.append(
                f"the wording of all {len(every)} questions"
                if set(no_text) == every
                else f"the wording of {questions(defn, _ids(defn, no_text))}"
            )
        if no_labels:
            missing.append(
                f"the answer labels of {questions(defn, _ids(defn, no_labels))}"
            )
    lic = defn.licence
    return (
        f"The wording of {defn.short_name} is not included with openproms: its "
        f"licence ({lic.holder}: {lic.terms_summary.rstrip('.')}) does not allow it. "
        f"Missing: {'; '.join(missing)}."
    )


def _ids(defn: MeasureDefinition, numbers: list[int]) -> list[str]:
    return [defn.items[n - 1].id for n in numbers]


def measurement_error(scale: Scale) -> dict[str, Any]:
    """What the measure page says about a scale's measurement error: the SEM and
    how it was worked out, that it depends on the score (a conversion table with
    standard errors), or why there is none."""
    error = scale_measurement_error(scale)
    per_score = error is None and has_measurement_error(scale)
    return {
        "error": error,
        "margin": "" if error is None else margin_text(scale, error),
        "per_score": per_score,
        "no_sem_reason": no_sem_reason(scale) or "",
        "reliability": scale.reliability,
    }


def why_for_person(definition: MeasureDefinition, organisation: Any) -> str:
    """Why the measure is asked, in the words its people are told: at a GP
    practice a patient hears of their *care team*, not of a *worker*
    (decision 0044)."""
    text = definition.guidance.why_for_person
    if at_practice(organisation):
        text = text.replace("your worker", "your care team")
        text = text.replace("Your worker", "Your care team")
    return text


def between_bands(scale: Scale) -> str:
    """How a score between two bands as written is read, when the scale's scores
    can have decimals (an average, a prorated sum, a rounded figure) and its
    bands leave gaps (CORE-10's 5.5 between "0 to 5" and "6 to 10"); empty
    otherwise. The engine's rule: a band runs up to the next band's lowest score
    (``Bands.index_of``)."""
    if scale.bands is None or not scale.bands.gaps() or scale.decimals == 0:
        return ""
    whole_only = scale.decimals is None and not (
        scale.method in ("mean", "mean_times_k") or scale.missing.prorate
    )
    if whole_only:
        return ""
    for _, low, high in scale.bands.gaps():
        middle = (low + high) / 2
        example = round(middle, scale.decimals) if scale.decimals else middle
        if low < example < high:  # a score can be there (not DIALOG's 3.99-4.0)
            return (
                f"A score between two bands (such as {example:g}) counts in the "
                "lower band: each band runs up to where the next one starts."
            )
    return ""
