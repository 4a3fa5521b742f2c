"""The keys that choose each answer on the check screen.

A person checking a scanned item looks at the paper and presses the number printed
beside the box that was marked, the same number they would type on the typed paper
entry screen (which stores it as the code). Every box on a printed form carries its
code: beside the box for labelled answers, and as the box's own label on a row of
numbered boxes such as a 0-10 rating (``openproms.paper.layout``). So the key is the
code itself, and a code of more than one digit is typed digit by digit (10 is 1 then
0), as on typed entry. A code below zero cannot be typed as a key (typed entry takes
"-" for a blank question): such a question's answers get letters instead, and the
screen says what each letter stands for. A long range written in digit boxes (the EQ
VAS) has no keys: the number is typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from openproms.paper.layout import MAX_RANGE_BOXES
from openproms.scoring import Item

NO_ANSWER_KEY = "n"
LETTERS = "abcdefghijklmopqrstuvwxyz"  # no "n": it means no answer


@dataclass(frozen=True, slots=True)
class KeyedAnswer:
    """One answer as the check screen offers it."""

    code: int
    label: str
    """What the answer says beside its key ("" for a plain number on a range)."""
    key: str


@dataclass(frozen=True, slots=True)
class AnswerKeys:
    """The answers of one question with their keys, and what the keys mean."""

    answers: tuple[KeyedAnswer, ...]
    printed_numbers: bool
    """True when each key is the number printed beside its box."""
    hint: str


def is_written_number(item: Item) -> bool:
    """True when the printed form has digit boxes for a written number (a range
    too long for one box per value), so the answer is typed, not chosen."""
    rs = item.response_set
    return rs.is_range and rs.max - rs.min + 1 > MAX_RANGE_BOXES


def _label(item: Item, code: int) -> str:
    rs = item.response_set
    if rs.is_range:
        if code == rs.min and rs.min_label:
            return rs.min_label
        if code == rs.max and rs.max_label:
            return rs.max_label
        return ""
    label = next((o.label for o in rs.options if o.code == code), None)
    return label or f"Answer {code}"


def answer_keys(item: Item) -> AnswerKeys:
    """The key for each answer of a question answered by ticking a box: its printed
    number when every code is 0 or more, otherwise a letter in printed order."""
    rs = item.response_set
    codes = (
        list(range(rs.min, rs.max + 1)) if rs.is_range else [o.code for o in rs.options]
    )
    printed = all(code >= 0 for code in codes)
    keys = [str(code) for code in codes] if printed else list(LETTERS[: len(codes)])
    answers = tuple(
        KeyedAnswer(code=code, label=_label(item, code), key=key)
        for code, key in zip(codes, keys, strict=True)
    )
    tail = f", or {NO_ANSWER_KEY} for no answer, then Enter to save and go to the next."
    if not printed:
        hint = (
            "The numbers printed on this question include numbers below zero, which "
            "one key cannot type: press the letter shown beside the answer"
        )
    else:
        longest = max(codes, key=lambda code: (len(str(code)), code))
        where = "under" if rs.is_range else "beside"
        hint = f"Press the number printed {where} the box the person marked"
        if len(str(longest)) > 1:
            hint += f" (for {longest}, press {' then '.join(str(longest))})"
    return AnswerKeys(answers=answers, printed_numbers=printed, hint=hint + tail)
