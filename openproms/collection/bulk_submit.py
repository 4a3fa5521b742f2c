"""Saving many completed measures at once: ``administration_submit`` in bulk.

An import of historic answers saves tens of thousands of administrations; one
``administration_submit`` each spends most of its time on per-row queries
(the replay lookup, the restriction check, the schedule refresh). This is the
same path, batched: every answer is checked and scored by the engine exactly
as ``administration_submit`` does (``_checked_codes``, ``score_response``), the
submission id makes it idempotent with the same payload hash (a replay stores
nothing new; a different body under a used id is a conflict), a restricted
person gets nothing, and answers, scale results, outcome scores, risk alerts
and audit events are written as ``administration_submit`` writes them, in one
transaction, with each episode's schedule refreshed once at the end. There are
no time points: a time point is answered one at a time, through
``administration_submit``. See docs/decisions/0024-historic-import.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_actions
from openproms.collection.models import (
    Administration,
    OutcomeScore,
    RiskAlert,
    ScaleResult,
)
from openproms.collection.outcome_scores import outcome_score_rows
from openproms.collection.services import (
    DataRestricted,
    SubmissionConflict,
    SubmitResult,
    _checked_codes,
    payload_hash,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, score_response

BATCH = 2000


@dataclass(frozen=True)
class Submission:
    """One completed measure of a bulk submission (as administration_submit's
    arguments, without a time point)."""

    service_user: ServiceUser
    measure: MeasureDefinition
    answers: Mapping[str, Any]
    submission_id: str
    episode: Episode | None = None
    completed_at: dt.datetime | None = None


class SubmissionsConflict(SubmissionConflict):
    """Submission ids used before with other answers; ``submission_ids`` names them."""

    def __init__(self, submission_ids: list[str]) -> None:
        super().__init__(
            f"{len(submission_ids)} submission(s) were already stored with different "
            "answers. Nothing was changed."
        )
        self.submission_ids = submission_ids


def _insert(model: type[models.Model], rows: list[Any]) -> None:
    """Insert simple rows (no key wanted back) with one executemany: the ORM's
    bulk_create spends most of an import's time preparing each value."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    # Names from the model's own metadata, quoted; values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    values = [
        tuple(
            f.get_db_prep_save(f.attname and getattr(row, f.attname), connection)
            for f in fields
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])


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
        new: list[tuple[Administration, Any]] = []
        conflicts: list[str] = []
        now = timezone.now()
        for submission, codes, score, digest in prepared:
            existing = held.get(submission.submission_id)
            if existing is not None:
                if existing.payload_hash != digest:
                    conflicts.append(submission.submission_id)
                results.append(SubmitResult(existing, created=False, score=score))
                continue
            administration = Administration(
                organisation=organisation,
                service_user=submission.service_user,
                episode=submission.episode,
                measure_id=submission.measure.id,
                measure_version=submission.measure.version,
                answers=dict(codes),
                mode=mode,
                collected_by=collected_by,
                submission_id=submission.submission_id,
                payload_hash=digest,
                completed_at=submission.completed_at or now,
                created_at=now,
                scored_with=submission.measure.key,
            )
            held[submission.submission_id] = administration
            new.append((administration, score))
            results.append(SubmitResult(administration, created=True, score=score))
        if conflicts:
            raise SubmissionsConflict(conflicts)
        _store(organisation, new, mode, collected_by, request)
        if schedule:
            from openproms.collection.scheduling import episode_schedule_refresh

            episodes = {a.episode_id: a.episode for a, _ in new if a.episode}
            for episode in episodes.values():
                episode_schedule_refresh(episode=episode)  # type: ignore[arg-type]
    return results


def _store(
    organisation: Organisation,
    new: list[tuple[Administration, Any]],
    mode: str,
    collected_by: User | None,
    request: HttpRequest | None,
) -> None:
    Administration.objects.bulk_create([a for a, _ in new], batch_size=BATCH)
    results: list[ScaleResult] = []
    outcome: list[OutcomeScore] = []
    alerts: list[RiskAlert] = []
    for administration, score in new:
        rows = [
            ScaleResult(
                organisation_id=organisation.pk,
                administration=administration,
                scale_id=scale_id,
                value=scale.value,
                reason=(scale.reason or "")[:300],
                band=scale.band or "",
                band_index=scale.band_index,
                is_case=scale.case,
                prorated=scale.prorated,
                items_missing=len(scale.items_missing),
            )
            for scale_id, scale in score.scales.items()
        ]
        results += rows
        outcome += outcome_score_rows(administration, rows, is_exit=False)
        episode = administration.episode
        for alert in score.alerts:
            alerts.append(
                RiskAlert(
                    organisation=organisation,
                    administration=administration,
                    service_user=administration.service_user,
                    item_id=alert.item_id,
                    code=alert.code,
                    message=alert.message[:500],
                    assigned_to=episode.key_worker if episode is not None else None,
                )
            )
    _insert(ScaleResult, results)
    _insert(OutcomeScore, outcome)
    RiskAlert.objects.bulk_create(alerts, batch_size=BATCH)
    # One event per person (their answers by key, counted), not one per
    # administration: an import of 100,000 answers writes one per person.
    by_person: dict[int, list[Administration]] = {}
    for administration, _ in new:
        by_person.setdefault(administration.service_user_id, []).append(administration)
    log_actions(
        {
            "action": "administration.import",
            "actor": collected_by,
            "organisation": organisation,
            "request": request,
            "object_repr": f"{len(theirs)} completed measure(s)",
            "people": [person],
            "detail": {
                "mode": mode,
                "measures": sorted({a.scored_with for a in theirs}),
                "administrations": [a.pk for a in theirs],
            },
        }
        for person, theirs in by_person.items()
    )
    log_actions(
        {
            "action": "alert.raise",
            "organisation": organisation,
            "obj": risk,
            "request": request,
            "actor_label": "system",
            "detail": {
                "item": risk.item_id,
                "assigned_to": risk.assigned_to.email if risk.assigned_to else None,
            },
        }
        for risk in alerts
    )
