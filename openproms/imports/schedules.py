"""An import's episodes and their time points (decision 0046).

An episode the import adds is saved with ``scheduled_from`` the day of the
import: it is scheduled from that day, and the occasions whose window had
closed before it are history (``collection.scheduling``: never created, so
never missed or overdue, in no count). An occasion whose window is still open
on that day can still be collected, so it is scheduled as any other. The refresh here counts both for the
dry run, then each answer of the file given in the window of a time point still
due is matched to it, so that storing the answer completes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.utils import timezone

from openproms.collection.bulk_submit import Submission
from openproms.collection.models import TimePoint
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.imports.checking import RowPlan
from openproms.imports.people_writing import EpisodeFinder
from openproms.imports.tally import Tally, long_date
from openproms.people.models import Episode


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def schedules_refresh(
    episodes: EpisodeFinder, tally: Tally, today: dt.date
) -> list[Episode]:
    """Refresh the time points of the episodes the import touches (open ones,
    and those held before), counting the time points scheduled and, for the
    episodes it adds, the earlier occasions left as history. Returns them."""
    refreshed = sorted(episodes.to_refresh(), key=lambda e: episodes.first_row[id(e)])
    for episode in refreshed:
        done = episode_schedule_refresh(episode=episode, today=today)
        new = episodes.is_new(episode)
        history = done.history if new else 0
        tally.counts["time_points_scheduled"] += done.created
        tally.counts["time_points_history"] += history
        if not (done.created or history):
            continue
        said = [f"{_plural(done.created, 'time point')} scheduled"]
        if done.first_due is not None:
            said[0] += f", the first due {long_date(done.first_due)}"
        if history:
            said.append(
                f"{_plural(history, 'earlier time point')} left as history, "
                "not counted as missed"
            )
        tally.line(
            episodes.first_row[id(episode)],
            "Schedule",
            f"Episode of {episodes.words[id(episode)]}: {'; '.join(said)}.",
        )
    return refreshed


def schedules_top_up(
    episodes: Iterable[Episode], given: set[int], tally: Tally, today: dt.date
) -> None:
    """Refresh again the episodes given new answers: an answer moves the
    occasions that follow one ("when seen after" rules)."""
    for episode in episodes:
        if episode.pk in given:
            done = episode_schedule_refresh(episode=episode, today=today)
            tally.counts["time_points_scheduled"] += done.created


def time_points_match(
    answered: list[tuple[RowPlan, Submission]], episodes: Iterable[Episode]
) -> list[tuple[RowPlan, Submission]]:
    """Each answer with the time point it completes: a pending one of its
    episode, for its measure, whose window holds the day it was given (the one
    due nearest that day; each time point once)."""
    keys = [episode.pk for episode in episodes]
    pending: dict[tuple[int, str], list[TimePoint]] = defaultdict(list)
    for start in range(0, len(keys), 500):
        for point in TimePoint.objects.filter(
            episode_id__in=keys[start : start + 500],
            status=TimePoint.Status.PENDING,
        ):
            pending[(point.episode_id, point.measure_id)].append(point)
    if not pending:
        return answered
    used: set[int] = set()
    matched = []
    for plan, submission in answered:
        episode, day = submission.episode, submission.completed_at
        if episode is not None and day is not None:
            local = timezone.localdate(day)
            fits = [
                point
                for point in pending.get((episode.pk, submission.measure.id), [])
                if point.pk not in used
                and point.window_start <= local
                and (point.window_end is None or local <= point.window_end)
            ]
            if fits:
                point = min(fits, key=lambda p: (abs((p.due_date - local).days), p.pk))
                used.add(point.pk)
                submission = dataclasses.replace(submission, time_point=point)
        matched.append((plan, submission))
    return matched
