"""When measures are due: the schedule rules of a measurement plan, as pure functions.

No Django here. Each rule of a plan (see ``PlanRule.Kind``) turns plain facts about an
episode of support (start, end, pauses, attended contacts, when the measure was last
completed) into *occasions*: numbered times the measure is due, each with a due date
and a window of local dates (Europe/London) in which an answer counts.

The rules:

- ``start``: due on the start date; window [start, start + window_days].
- ``exit``: only once the episode is closed; due on the end date; window
  [end - window_days, end + window_days] (never before the start).
- ``every_n_weeks``: due at start + k x N weeks, moved later by the days the episode
  was paused before it (the clock stops while paused); window due +/- window_days.
  Only occasions due on or before the end of a closed episode.
- ``every_nth_session``: due on the date of the Nth, 2Nth ... attended contact;
  window [date, date + window_days].
- ``when_seen_after``: for people who attend now and then. Due N weeks after the last
  completion of the measure in the episode (or the start); the window stays open
  (``window_end`` None) until the person is next seen on or after the due date, then
  closes window_days after that contact. An occasion that closes unanswered is
  followed by another, due at the next visit after it closed.
- ``one_off``: due on a fixed date; window date +/- window_days, when that window
  meets the episode.

Pauses run from ``start`` (the first day paused) to ``end`` (the day support
resumed; None while still paused). While a pause is still running the clock is
treated as stopped up to and including ``today``, so interval occasions after the
pause start are always due after today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

START: Final = "start"
EXIT: Final = "exit"
EVERY_N_WEEKS: Final = "every_n_weeks"
EVERY_NTH_SESSION: Final = "every_nth_session"
WHEN_SEEN_AFTER: Final = "when_seen_after"
ONE_OFF: Final = "one_off"
KINDS: Final = (START, EXIT, EVERY_N_WEEKS, EVERY_NTH_SESSION, WHEN_SEEN_AFTER, ONE_OFF)

# Open episodes get their past occasions and the next one beyond this many days from
# today, so "due soon" (window opens within a week) is always known in advance.
HORIZON_DAYS: Final = 7
DUE_SOON_DAYS: Final = 7
_MAX_OCCASIONS: Final = 1000

ONE_DAY: Final = dt.timedelta(days=1)


@dataclass(frozen=True)
class Pause:
    start: dt.date
    end: dt.date | None = None  # the day support resumed; None while paused


@dataclass(frozen=True)
class EpisodeFacts:
    """What the rules need to know about one episode, as plain data."""

    start: dt.date
    end: dt.date | None = None
    closed: bool = False
    pauses: tuple[Pause, ...] = ()
    attended: tuple[dt.date, ...] = ()  # dates of attended contacts (any order)


@dataclass(frozen=True)
class Rule:
    kind: str
    weeks: int | None = None
    sessions: int | None = None
    on_date: dt.date | None = None
    window_days: int = 7


@dataclass(frozen=True)
class Occasion:
    sequence: int
    label: str
    due: dt.date
    window_start: dt.date
    window_end: dt.date | None  # None: open until the person is next seen


@dataclass(frozen=True)
class RuleProblem:
    field: str
    message: str


@dataclass
class _Context:
    episode: EpisodeFacts
    today: dt.date
    completions: tuple[dt.date, ...] = field(default_factory=tuple)


def rule_problems(rule: Rule) -> list[RuleProblem]:
    """Why a rule cannot work, each naming the field to fix; empty when it can."""
    problems: list[RuleProblem] = []
    if rule.kind not in KINDS:
        return [RuleProblem("kind", "Choose when the measure is due.")]
    if rule.window_days < 0:
        problems.append(RuleProblem("window_days", "Enter a window of 0 days or more."))
    if rule.kind in (EVERY_N_WEEKS, WHEN_SEEN_AFTER):
        if rule.weeks is None:
            problems.append(RuleProblem("weeks", "Enter the number of weeks."))
        elif rule.weeks < 1:
            problems.append(
                RuleProblem("weeks", "Enter a number of weeks of 1 or more.")
            )
        elif rule.kind == EVERY_N_WEEKS and 2 * rule.window_days >= 7 * rule.weeks:
            longest = (7 * rule.weeks - 1) // 2
            problems.append(
                RuleProblem(
                    "window_days",
                    f"The window ({rule.window_days} days either side) overlaps the "
                    f"next occasion: every {rule.weeks} week"
                    f"{'' if rule.weeks == 1 else 's'} allows at most {longest} days.",
                )
            )
    if rule.kind == EVERY_NTH_SESSION:
        if rule.sessions is None:
            problems.append(RuleProblem("sessions", "Enter the number of sessions."))
        elif rule.sessions < 1:
            problems.append(
                RuleProblem("sessions", "Enter a number of sessions of 1 or more.")
            )
    if rule.kind == ONE_OFF and rule.on_date is None:
        problems.append(RuleProblem("on_date", "Enter the date the measure is due."))
    return problems


def clock_date(
    start: dt.date, active_days: int, pauses: Sequence[Pause], today: dt.date
) -> dt.date:
    """The date on which ``active_days`` days of unpaused support have passed.

    Walks the pauses in order, pushing the date later by each pause that starts on or
    before it (a pause still running counts as running through ``today``).
    """
    due = start + dt.timedelta(days=active_days)
    for pause in sorted(pauses, key=lambda p: p.start):
        if pause.start > due or pause.start < start:
            continue
        end = pause.end if pause.end is not None else today + ONE_DAY
        if end > pause.start:
            due += end - pause.start
    return due


def _window(due: dt.date, before: int, after: int) -> tuple[dt.date, dt.date]:
    return due - dt.timedelta(days=before), due + dt.timedelta(days=after)


def _past_horizon(occasion: Occasion, ctx: _Context) -> bool:
    return occasion.window_start > ctx.today + dt.timedelta(days=HORIZON_DAYS)


def _start(rule: Rule, ctx: _Context) -> list[Occasion]:
    start = ctx.episode.start
    return [Occasion(1, "Start", start, start, start + dt.timedelta(rule.window_days))]


def _exit(rule: Rule, ctx: _Context) -> list[Occasion]:
    episode = ctx.episode
    if not episode.closed or episode.end is None:
        return []
    first, last = _window(episode.end, rule.window_days, rule.window_days)
    return [Occasion(1, "End", episode.end, max(first, episode.start), last)]


def _every_n_weeks(rule: Rule, ctx: _Context) -> list[Occasion]:
    assert rule.weeks is not None
    episode = ctx.episode
    occasions: list[Occasion] = []
    for k in range(1, _MAX_OCCASIONS + 1):
        weeks = k * rule.weeks
        due = clock_date(episode.start, 7 * weeks, episode.pauses, ctx.today)
        if episode.closed and (episode.end is None or due > episode.end):
            break
        first, last = _window(due, rule.window_days, rule.window_days)
        occasion = Occasion(k, f"Week {weeks}", due, max(first, episode.start), last)
        occasions.append(occasion)
        if _past_horizon(occasion, ctx):
            break
    return occasions


def _attended(ctx: _Context) -> list[dt.date]:
    episode = ctx.episode
    days = sorted(
        day
        for day in episode.attended
        if day >= episode.start and (episode.end is None or day <= episode.end)
    )
    return days


def _every_nth_session(rule: Rule, ctx: _Context) -> list[Occasion]:
    assert rule.sessions is not None
    days = _attended(ctx)
    occasions = []
    for k, index in enumerate(range(rule.sessions - 1, len(days), rule.sessions), 1):
        day = days[index]
        occasions.append(
            Occasion(
                k,
                f"Session {k * rule.sessions}",
                day,
                day,
                day + dt.timedelta(days=rule.window_days),
            )
        )
    return occasions


def _when_seen_after(rule: Rule, ctx: _Context) -> list[Occasion]:
    assert rule.weeks is not None
    episode = ctx.episode
    interval = dt.timedelta(weeks=rule.weeks)
    seen = _attended(ctx)
    completions = sorted(ctx.completions)
    occasions: list[Occasion] = []
    floor = episode.start  # the earliest day the next occasion may fall due
    for k in range(1, _MAX_OCCASIONS + 1):
        earlier = [day for day in completions if day < floor]
        anchor = max([episode.start, *earlier])
        due = max(anchor + interval, floor)
        # An answer given early (before the due date) restarts the clock.
        between = [day for day in completions if floor <= day < due]
        while between:
            anchor = between[-1]
            due = max(anchor + interval, floor)
            between = [day for day in completions if anchor < day < due]
        if episode.closed and episode.end is not None and due > episode.end:
            break
        visit = next((day for day in seen if day >= due), None)
        window_end = None if visit is None else visit + dt.timedelta(rule.window_days)
        if episode.closed and visit is None:
            break  # never seen again before the end: the occasion never opened
        occasions.append(Occasion(k, f"Follow-up {k}", due, due, window_end))
        answered = next(
            (
                day
                for day in completions
                if day >= due and (window_end is None or day <= window_end)
            ),
            None,
        )
        if answered is not None:
            floor = answered + ONE_DAY
        elif window_end is not None and window_end < ctx.today:
            floor = window_end + ONE_DAY
        else:
            break
    return occasions


def _one_off(rule: Rule, ctx: _Context) -> list[Occasion]:
    assert rule.on_date is not None
    episode = ctx.episode
    first, last = _window(rule.on_date, rule.window_days, rule.window_days)
    if last < episode.start:
        return []
    if episode.closed and episode.end is not None and first > episode.end:
        return []
    label = f"{rule.on_date.day} {rule.on_date:%B %Y}"
    return [Occasion(1, label, rule.on_date, max(first, episode.start), last)]


_RULES = {
    START: _start,
    EXIT: _exit,
    EVERY_N_WEEKS: _every_n_weeks,
    EVERY_NTH_SESSION: _every_nth_session,
    WHEN_SEEN_AFTER: _when_seen_after,
    ONE_OFF: _one_off,
}


def occasions(
    rule: Rule,
    episode: EpisodeFacts,
    *,
    today: dt.date,
    completions: Iterable[dt.date] = (),
) -> list[Occasion]:
    """Every occasion of ``rule`` the episode needs as of ``today``, by sequence.

    ``completions`` are the local dates the rule's measure was completed in this
    episode (used by ``when_seen_after``). For an open episode, interval occasions
    are listed up to the first whose window opens more than a week after today.
    Raises ValueError for an impossible rule (see :func:`rule_problems`).
    """
    problems = rule_problems(rule)
    if problems:
        raise ValueError("; ".join(p.message for p in problems))
    ctx = _Context(episode=episode, today=today, completions=tuple(completions))
    return _RULES[rule.kind](rule, ctx)


def in_window(day: dt.date, window_start: dt.date, window_end: dt.date | None) -> bool:
    """Whether an answer on local date ``day`` counts for the window (ends inclusive)."""
    return window_start <= day and (window_end is None or day <= window_end)


def local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The local calendar date of an aware instant in ``zone`` (e.g. Europe/London)."""
    if moment.tzinfo is None:
        raise ValueError("A naive datetime has no place in time; give an aware one.")
    return moment.astimezone(zone).date()
