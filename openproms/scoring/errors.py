"""Exceptions and error records of the scoring engine.

Every problem with an answer is an :class:`AnswerError` naming the item and the bad
value; web forms, CSV import and the CLI all report these the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class ScoringError(Exception):
    """Base class of every error raised by :mod:`openproms.scoring`."""


class DefinitionError(ScoringError):
    """A measure definition breaks the JSON Schema or the engine's own checks.

    ``problems`` lists every problem found, each naming where it is.
    """

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = tuple(problems)
        listed = "\n  - ".join(self.problems)
        super().__init__(f"{name} is not a valid measure definition:\n  - {listed}")


class MeasureNotFound(ScoringError, LookupError):
    """No measure with that id (and version) is in the library."""


class WordingNotAvailable(ScoringError):
    """Item wording was asked for but is not in the definition.

    Raised for measures whose licence forbids shipping the wording (the organisation
    must supply it from its own licensed copy) and for any other missing text.
    """


#: The reason an answer that is not a number at all is refused; any other reason
#: of :func:`~openproms.scoring.engine.validate_answers` for an item's answer is a
#: number that is not one of the item's answers. (Pages a person reads build their
#: own sentence in the person's language from which of the two it is.)
NOT_A_NUMBER = "is not a number"


@dataclass(frozen=True, slots=True)
class AnswerError:
    """One answer that cannot be accepted.

    ``row`` is the 1-based data row (header excluded) when the answer came from a
    table, otherwise ``None``.
    """

    item_id: str
    value: object
    reason: str
    row: int | None = None

    def message(self) -> str:
        """Return a one-line, human-readable description of the problem."""
        where = f"row {self.row}: " if self.row is not None else ""
        return f"{where}item {self.item_id}: value {self.value!r} {self.reason}"


class ResponseInvalid(ScoringError, ValueError):
    """One or more answers in a response are invalid; ``errors`` lists them all."""

    def __init__(self, errors: Sequence[AnswerError]) -> None:
        self.errors = tuple(errors)
        lines = "; ".join(e.message() for e in self.errors)
        super().__init__(f"{len(self.errors)} invalid answer(s): {lines}")
