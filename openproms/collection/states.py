"""What each count of time points means: the one definition every page reads.

No Django here. A *time point* is one occasion a measure is due for an episode
(``collection.models.TimePoint``); its stored status is pending, completed, missed
or cancelled. On a given day (``today``) every time point is in exactly one of
these states (docs/collection.md, "What each count means"):

=============  ===============================================================
state          when
=============  ===============================================================
answered       stored completed, and at least one of the measure's scores
               could be made
no_score       stored completed, but no score could be made (too few items
               answered): answered, and *not* done
declined       stored missed, with the reason "declined" (including a paper
               form handed back empty)
missed         stored missed for any other reason or none recorded yet, or
               still pending when its window closed before ``today`` (the
               daily job stores those missed)
overdue        pending, window open, ``today`` after the due date
due_now        pending, window open, ``today`` on or before the due date
not_yet_due    pending, the window opens after ``today``
cancelled      no longer needed (the plan changed, the episode closed first):
               in no count at all
=============  ===============================================================

A window is open on ``today`` when ``window_start <= today`` and it has no end
(open until the person is next seen) or ``today <= window_end``.

*Due soon* is a part of not yet due: the window opens within
:data:`DUE_SOON_DAYS` days of ``today``. It is a tag for lists, not a state.

The identities, for any set of time points and any day (:class:`StateCounts`
holds the counts and :meth:`StateCounts.problems` checks them):

- counted = answered + no_score + declined + missed + still_open
  (every time point except the cancelled ones);
- still_open = due_now + overdue + not_yet_due;
- due_soon <= not_yet_due;
- "Who is due" lists due_now + overdue + due_soon (of the people whose support
  is not paused).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Final

from openproms.collection.schedule import DUE_SOON_DAYS

# Stored statuses (``TimePoint.Status``), as plain strings.
PENDING: Final = "pending"
COMPLETED: Final = "completed"
STORED_MISSED: Final = "missed"
CANCELLED: Final = "cancelled"
DECLINED_REASON: Final = "declined"

# States.
ANSWERED: Final = "answered"
NO_SCORE: Final = "no_score"
DECLINED: Final = "declined"
MISSED: Final = "missed"
OVERDUE: Final = "overdue"
DUE_NOW: Final = "due_now"
NOT_YET_DUE: Final = "not_yet_due"
STATES: Final = (
    ANSWERED,
    NO_SCORE,
    DECLINED,
    MISSED,
    OVERDUE,
    DUE_NOW,
    NOT_YET_DUE,
    CANCELLED,
)

# The list tag that splits not yet due: the window opens within DUE_SOON_DAYS.
DUE_SOON: Final = "due_soon"

LABELS: Final = {
    ANSWERED: "Answered",
    NO_SCORE: "Answered, no score",
    DECLINED: "Declined",
    MISSED: "Missed",
    OVERDUE: "Overdue",
    DUE_NOW: "Due now",
    DUE_SOON: "Due soon",
    NOT_YET_DUE: "Not due yet",
    CANCELLED: "No longer needed",
}


def window_open(
    today: dt.date, window_start: dt.date, window_end: dt.date | None
) -> bool:
    """Whether the window is open on ``today`` (both ends included)."""
    return window_start <= today and (window_end is None or today <= window_end)


def time_point_state(
    *,
    stored: str,
    missed_reason: str,
    unscored: bool,
    due: dt.date,
    window_start: dt.date,
    window_end: dt.date | None,
    today: dt.date,
) -> str:
    """The state of one time point on ``today`` (see the module docstring).

    ``unscored`` is true when the time point's answers are stored but no score
    could be made from them; it matters only for a completed time point.
    """
    if stored == CANCELLED:
        return CANCELLED
    if stored == COMPLETED:
        return NO_SCORE if unscored else ANSWERED
    if stored == STORED_MISSED:
        return DECLINED if missed_reason == DECLINED_REASON else MISSED
    if window_end is not None and window_end < today:
        return MISSED
    if window_start > today:
        return NOT_YET_DUE
    return OVERDUE if today > due else DUE_NOW


def tag(state: str, *, window_start: dt.date, today: dt.date) -> str:
    """The tag a list shows: the state, with not yet due split off as due soon
    when the window opens within :data:`DUE_SOON_DAYS` days."""
    if state == NOT_YET_DUE and (window_start - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return state


@dataclass(frozen=True)
class StateCounts:
    """How many time points are in each state; the wholes are sums of the parts."""

    answered: int = 0
    no_score: int = 0
    declined: int = 0
    missed: int = 0
    overdue: int = 0
    due_now: int = 0
    not_yet_due: int = 0
    due_soon: int = 0  # a part of not_yet_due

    @property
    def still_open(self) -> int:
        return self.due_now + self.overdue + self.not_yet_due

    @property
    def counted(self) -> int:
        """Every time point but the cancelled ones."""
        return (
            self.answered
            + self.no_score
            + self.declined
            + self.missed
            + self.still_open
        )

    @property
    def on_due_list(self) -> int:
        """What "Who is due" lists: due now, overdue and due soon."""
        return self.due_now + self.overdue + self.due_soon

    @property
    def answered_rate(self) -> float | None:
        """Answered (with a score) as a share of the counted, None when none."""
        return self.answered / self.counted if self.counted else None

    def problems(self) -> list[str]:
        """Where the counts break the identities; empty when they hold."""
        found = [
            f"{f.name} is negative ({getattr(self, f.name)})"
            for f in fields(self)
            if getattr(self, f.name) < 0
        ]
        if self.due_soon > self.not_yet_due:
            found.append(
                f"due soon ({self.due_soon}) is more than not yet due "
                f"({self.not_yet_due})"
            )
        return found


def tally(tags: Iterable[str]) -> StateCounts:
    """Count tags (states, or ``DUE_SOON``) into :class:`StateCounts`."""
    totals: dict[str, int] = dict.fromkeys((f.name for f in fields(StateCounts)), 0)
    for name in tags:
        if name == CANCELLED:
            continue
        if name == DUE_SOON:
            totals[DUE_SOON] += 1
            totals[NOT_YET_DUE] += 1
        elif name in totals:
            totals[name] += 1
        else:
            raise ValueError(f"Not a time point state: {name!r}")
    return StateCounts(**totals)
