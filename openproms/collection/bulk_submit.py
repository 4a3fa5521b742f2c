"""Saving many completed measures at once: ``administration_submit`` in bulk.

An import of historic answers saves tens of thousands of administrations; one
``administration_submit`` each spends most of its time on per-row queries
(the replay lookup, the restriction check, the schedule refresh). This is the
same path, batched: every answer is checked and scored by the engine exactly
as ``administration_submit`` does (``_checked_codes``, ``score_response``), the
submission id makes it idempotent with the same payload hash (a replay stores
nothing new; a different body under a used id is a conflict), a restricted
person gets nothing, and the rows are built and written by the same functions
as ``administration_submit``'s (``administration_rows``: answers, scale
results, outcome scores, risk alerts, audit events), in one transaction, with
each episode's schedule refreshed once at the end. A submission may name the
pending time point its answers complete (an import matches an answer to the
time point whose window holds its day, decision 0046); the caller chooses it,
at most one submission per time point. See docs/decisions/0024-historic-import.md
and 0033.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.collection.administration_rows import (
    administration_new,
    administrations_store,
)
from openproms.collection.models import Administration, TimePoint
from openproms.collection.services import (
    DataRestricted,
    SubmissionConflict,
    SubmitResult,
    _checked_codes,
    payload_hash,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, ResponseScore, score_response


@dataclass(frozen=True)
class Submission:
    """One completed measure of a bulk submission (as administration_submit's
    arguments; ``time_point`` a pending one of the episode, for the measure)."""

    service_user: ServiceUser
    measure: MeasureDefinition
    answers: Mapping[str, Any]
    submission_id: str
    episode: Episode | None = None
    completed_at: dt.datetime | None = None
    time_point: TimePoint | None = None


class SubmissionsConflict(SubmissionConflict):
    """Submission ids used before with other answers; ``submission_ids`` names them."""

    def __init__(self, submission_ids: list[str]) -> None:
        super().__init__(
            f"{len(submission_ids)} submission(s) were already stored with different "
            "answers. Nothing was changed."
        )
        self.submission_ids = submission_ids


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def administrations_submit(
    *,
    organisation: Organisation,
    submissions: Sequence[Submission],
    mode: str,
    collected_by: User | None = None,
    request: HttpRequest | None = None,
    schedule: bool = True,
) -> list[SubmitResult]:
    """Validate, score and store many completed measures, in order, all or none.

    With ``schedule`` False the caller refreshes the episodes' schedules itself
    (an import leaves the closed episodes it makes without time points).

    Raises ``ResponseInvalid`` (the first invalid set of answers),
    :class:`SubmissionsConflict` (every submission id used before with other
    answers) or ``DataRestricted``; in every case nothing is stored.
    """
    prepared = []
    for submission in submissions:
        codes = _checked_codes(submission.measure, submission.answers)
        prepared.append(
            (
                submission,
                codes,
                score_response(submission.measure, codes),
                payload_hash(
                    measure=submission.measure,
                    service_user=submission.service_user,
                    # Without the time point: the same answers replay the
                    # same, whichever occasion they completed.
                    time_point=None,
                    answers=codes,
                ),
            )
        )
    with transaction.atomic():
        held: dict[str, Administration] = {}
        for chunk in _chunks([s.submission_id for s in submissions]):
            held.update(
                (a.submission_id, a)
                for a in Administration.objects.filter(
                    organisation=organisation, submission_id__in=chunk
                )
            )
        people = list({s.service_user.pk for s in submissions})
        for chunk in _chunks(people):
            if ServiceUser.objects.filter(
                pk__in=chunk, restricted_at__isnull=False
            ).exists():
                raise DataRestricted()
        results: list[SubmitResult] = []
        new: list[tuple[Administration, ResponseScore]] = []
        conflicts: list[str] = []
        now = timezone.now()
        for submission, codes, score, digest in prepared:
            existing = held.get(submission.submission_id)
            if existing is not None:
                if existing.payload_hash != digest:
                    conflicts.append(submission.submission_id)
                results.append(SubmitResult(existing, created=False, score=score))
                continue
            administration = administration_new(
                organisation=organisation,
                service_user=submission.service_user,
                measure=submission.measure,
                codes=codes,
                mode=mode,
                submission_id=submission.submission_id,
                digest=digest,
                completed_at=submission.completed_at or now,
                created_at=now,
                collected_by=collected_by,
                episode=submission.episode,
                time_point=submission.time_point,
            )
            held[submission.submission_id] = administration
            new.append((administration, score))
            results.append(SubmitResult(administration, created=True, score=score))
        if conflicts:
            raise SubmissionsConflict(conflicts)
        administrations_store(
            organisation=organisation, new=new, request=request, audit="per_person"
        )
        if schedule:
            from openproms.collection.scheduling import episode_schedule_refresh

            episodes = {a.episode_id: a.episode for a, _ in new if a.episode}
            for episode in episodes.values():
                episode_schedule_refresh(episode=episode)  # type: ignore[arg-type]
    return results
