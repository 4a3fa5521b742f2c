"""What an import did, counted and listed row by row (the dry run shows it; the
commit keeps it on the import), and the problems found while writing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from openproms.imports.reading import Problem

LINES_KEPT = 500

# Every count an import keeps, in the order the summary shows them.
COUNTS = (
    "people_created",
    "people_updated",
    "episodes_created",
    "episodes_updated",  # held episodes given an end date
    "episodes_ended",  # every episode saved with an end date: new or held
    "answers_created",
    "scores_created",
    "time_points_scheduled",  # due from the day of the import on
    "time_points_history",  # before it: history, not scheduled, never missed
    "rows_skipped",
)

# Counts that are not changes: an import with only these would change nothing.
NOT_CHANGES = ("rows_skipped", "time_points_history", "episodes_ended")


class ImportRefused(Exception):
    """Something found while writing (e.g. answers imported before, different)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "")
        self.problems = problems


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    lines: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, count: str, row: int, action: str, text: str, n: int = 1) -> None:
        """Count ``n`` of ``count`` and list the row's line (the first
        :data:`LINES_KEPT` lines are kept)."""
        self.counts[count] += n
        self.line(row, action, text)

    def line(self, row: int, action: str, text: str) -> None:
        if len(self.lines) < LINES_KEPT:
            self.lines.append({"row": row, "action": action, "text": text})
