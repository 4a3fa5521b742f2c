"""Plain English derived from a measure definition, for the person answering.

Nothing here is typed twice: what can be worked out from the definition is.

* **How many questions.** A definition's instructions may say ``{question_count}``;
  it is filled, when the definition is built, with the number of its questions in
  words ("The next {question_count} questions are ..." -> "The next three questions
  are ..."), so an introduction cannot disagree with the questions below it.
* **The time period**, said as a person would say it. A definition gives the time
  to think about as a phrase that completes "think about ...", for the whole
  measure (``think_about``) or per question (an item's ``think_about``, when the
  questions differ); :func:`time_period_sentence` makes the sentence, numbering
  the questions from their positions: "In these questions, think about the last
  2 weeks." or "In questions 1 and 2, think about your life nowadays. In questions 3
  and 4, think about how you felt yesterday."
* **A score as a person reads it** (:func:`score_text`): 14, not 14.0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openproms.scoring.definitions import MeasureDefinition

QUESTION_COUNT = "{question_count}"
PLACEHOLDER = re.compile(r"\{(\w*)\}")
PLACEHOLDERS = frozenset({"question_count"})

_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen", "twenty",
)  # fmt: skip


def number_word(n: int) -> str:
    """A count as it is written in running text: words up to twenty, then digits."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def fill_instructions(text: str | None, question_count: int) -> str | None:
    """Instructions with ``{question_count}`` replaced by the number of questions in
    words. Other braces are left as they are (an organisation's own text may have
    them)."""
    if text is None:
        return None
    return text.replace(QUESTION_COUNT, number_word(question_count))


def placeholder_problems(text: str | None, question_count: int) -> list[str]:
    """Why a definition's instructions cannot be filled (empty when they can)."""
    if not text:
        return []
    problems = [
        f"instructions: unknown placeholder {{{name}}} (only {QUESTION_COUNT})"
        for name in PLACEHOLDER.findall(text)
        if name not in PLACEHOLDERS
    ]
    if QUESTION_COUNT in text and question_count < 2:
        problems.append(
            f"instructions: {QUESTION_COUNT} with one question would read "
            '"one questions"; say "the next question" instead'
        )
    return problems


def _numbers(positions: Sequence[int]) -> str:
    """Question numbers in words a person would use: "question 3", "questions 1
    and 2", "questions 1 to 5", "questions 1, 4 and 6"."""
    if len(positions) == 1:
        return f"question {positions[0]}"
    first, last = positions[0], positions[-1]
    if len(positions) > 2 and last - first == len(positions) - 1:
        return f"questions {first} to {last}"
    head = ", ".join(str(p) for p in positions[:-1])
    return f"questions {head} and {last}"


def time_period_sentence(definition: MeasureDefinition) -> str | None:
    """The time to think about, as a person would say it, or None when the
    definition gives none (each question then says its own, as RAND-36's do).

    One phrase for every question: "In these questions, think about X." (one
    question: "In this question, ..."). Different phrases: one sentence per phrase,
    naming the questions by number in the order they are asked; questions without a
    phrase are not mentioned.
    """
    phrases = [item.think_about or definition.think_about for item in definition.items]
    if not any(phrases):
        return None
    groups: dict[str, list[int]] = {}
    for number, phrase in enumerate(phrases, start=1):
        if phrase:
            groups.setdefault(phrase, []).append(number)
    if len(groups) == 1 and all(phrases):
        [phrase] = groups
        these = "this question" if len(phrases) == 1 else "these questions"
        return f"In {these}, think about {phrase}."
    return " ".join(
        f"In {_numbers(numbers)}, think about {phrase}."
        for phrase, numbers in groups.items()
    )


def score_text(value: float) -> str:
    """A score as a person reads it: whole numbers without a decimal point (14, not
    14.0), others with up to two decimals and no trailing zeros (3.86, 13.3)."""
    if value == round(value):
        return str(round(value))
    # "z": -0.001 reads 0, never "-0".
    return f"{value:z.2f}".rstrip("0").rstrip(".")
