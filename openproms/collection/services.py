"""Saving answers: the one path every way of collecting goes through.

``administration_submit`` validates the answers against the measure definition,
scores them with the engine, stores answers and scores, raises risk alerts to the
key worker, completes the time point, and is idempotent on the submission id: the
same submission twice stores one answer; a different body under the same id is
refused. Web forms, the kiosk, self-completion links, typed-in paper and scanned
paper all call it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.collection.models import (
    Administration,
    AdministrationEdit,
    RiskAlert,
    ScaleResult,
    TimePoint,
)
from openproms.collection.outcome_scores import replace_outcome_scores
from openproms.crash_points import crash_point
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import (
    MeasureDefinition,
    ResponseInvalid,
    ResponseScore,
    score_response,
    validate_answers,
)


class SubmissionError(Exception):
    """A submission that cannot be stored; the message says why, for the person."""


class SubmissionConflict(SubmissionError):
    """The submission id was used before with different answers."""


class TimePointAlreadyAnswered(SubmissionError):
    """The time point already has an answer (a form filled twice, or a page scanned twice)."""

    def __init__(
        self, time_point: TimePoint, existing: Administration, *, measure_name: str
    ) -> None:
        super().__init__(
            f"{measure_name} ({time_point.label}) was already answered on "
            f"{timezone.localtime(existing.completed_at):%d %B %Y}. Nothing new was saved."
        )
        self.time_point = time_point
        self.existing = existing


class DataRestricted(SubmissionError):
    """The person's data is restricted: kept, but nothing new is recorded."""

    def __init__(self) -> None:
        super().__init__(
            "This person's data is restricted, so no answers can be recorded for "
            "them. Nothing was saved. An organisation admin can lift the "
            "restriction on their page."
        )


class StaleEdit(SubmissionError):
    """Someone else changed the answers since they were loaded (no lost update)."""


@dataclass(frozen=True)
class SubmitResult:
    administration: Administration
    created: bool  # False when the same submission was replayed
    score: ResponseScore


def _checked_codes(
    measure: MeasureDefinition, answers: Mapping[str, Any]
) -> dict[str, int | None]:
    codes, errors = validate_answers(measure, answers)
    if errors:
        raise ResponseInvalid(errors)
    return codes


def payload_hash(
    *,
    measure: MeasureDefinition,
    service_user: ServiceUser,
    time_point: TimePoint | None,
    answers: Mapping[str, int | None],
) -> str:
    body = {
        "measure": measure.key,
        "service_user": service_user.pk,
        "time_point": time_point.pk if time_point else None,
        "answers": {k: answers[k] for k in sorted(answers)},
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _store_results(administration: Administration, score: ResponseScore) -> None:
    results = ScaleResult.objects.bulk_create(
        [
            ScaleResult(
                organisation_id=administration.organisation_id,
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
    )
    replace_outcome_scores(administration, results)


def _raise_alerts(
    administration: Administration, score: ResponseScore, request: HttpRequest | None
) -> list[RiskAlert]:
    episode = administration.episode
    assigned = episode.key_worker if episode is not None else None
    alerts = []
    for alert in score.alerts:
        risk = RiskAlert.objects.create(
            organisation=administration.organisation,
            administration=administration,
            service_user=administration.service_user,
            item_id=alert.item_id,
            code=alert.code,
            message=alert.message[:500],
            assigned_to=assigned,
        )
        log_action(
            action="alert.raise",
            organisation=administration.organisation,
            obj=risk,
            request=request,
            actor_label="system",
            detail={
                "item": alert.item_id,
                "assigned_to": assigned.email if assigned else None,
            },
        )
        alerts.append(risk)
    return alerts


def administration_submit(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    measure: MeasureDefinition,
    answers: Mapping[str, Any],
    mode: str,
    submission_id: str,
    collected_by: User | None = None,
    episode: Episode | None = None,
    time_point: TimePoint | None = None,
    completed_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> SubmitResult:
    """Validate, score and store one completed measure.

    Raises ``ResponseInvalid`` (from the engine; each error names the item and the
    bad value), ``SubmissionConflict``, ``TimePointAlreadyAnswered`` or
    ``DataRestricted`` (the person's data is restricted); in every case nothing
    is stored.
    """
    codes = _checked_codes(measure, answers)
    score = score_response(measure, codes)
    digest = payload_hash(
        measure=measure, service_user=service_user, time_point=time_point, answers=codes
    )
    if time_point is not None and episode is None:
        episode = time_point.episode
    try:
        with transaction.atomic():
            existing = Administration.objects.filter(
                organisation=organisation, submission_id=submission_id
            ).first()
            if existing is not None:
                return _replayed(existing, digest, measure, codes)
            if ServiceUser.objects.filter(
                pk=service_user.pk, restricted_at__isnull=False
            ).exists():
                raise DataRestricted()
            if time_point is not None:
                locked = TimePoint.objects.select_for_update().get(pk=time_point.pk)
                answered = Administration.objects.filter(time_point=locked).first()
                if answered is not None:
                    raise TimePointAlreadyAnswered(
                        locked, answered, measure_name=measure.short_name
                    )
            administration = Administration.objects.create(
                organisation=organisation,
                service_user=service_user,
                episode=episode,
                time_point=time_point,
                measure_id=measure.id,
                measure_version=measure.version,
                answers=dict(codes),
                mode=mode,
                collected_by=collected_by,
                submission_id=submission_id,
                payload_hash=digest,
                completed_at=completed_at or timezone.now(),
                scored_with=measure.key,
                is_pilot=bool(time_point and time_point.is_pilot),
            )
            _store_results(administration, score)
            if time_point is not None:
                TimePoint.objects.filter(pk=time_point.pk).update(
                    status=TimePoint.Status.COMPLETED,
                    missed_reason="",
                )
            log_action(
                action="administration.create",
                actor=collected_by,
                organisation=organisation,
                obj=administration,
                request=request,
                # The person themselves: named by the record's key, never here.
                actor_label=None if collected_by else "the person answering",
                detail={"measure": measure.key, "mode": mode},
            )
            _raise_alerts(administration, score, request)
            if episode is not None:
                from openproms.collection.scheduling import episode_schedule_refresh

                episode_schedule_refresh(episode=episode)
            crash_point("answer.before_commit")
    except IntegrityError:
        # A concurrent request stored the same submission id first.
        existing = Administration.objects.get(
            organisation=organisation, submission_id=submission_id
        )
        return _replayed(existing, digest, measure, codes)
    crash_point("answer.committed")
    return SubmitResult(administration=administration, created=True, score=score)


def _replayed(
    existing: Administration,
    digest: str,
    measure: MeasureDefinition,
    codes: Mapping[str, int | None],
) -> SubmitResult:
    if existing.payload_hash != digest:
        raise SubmissionConflict(
            "These answers were already submitted with a different content under the "
            "same submission. Nothing was changed. Reload the page to start again."
        )
    return SubmitResult(
        administration=existing, created=False, score=score_response(measure, codes)
    )


@transaction.atomic
def administration_edit(
    *,
    administration: Administration,
    measure: MeasureDefinition,
    answers: Mapping[str, Any],
    reason: str,
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> Administration:
    """Correct completed answers. Needs a reason; refuses a stale edit; audited."""
    if not reason.strip():
        raise SubmissionError("Give a reason for changing completed answers.")
    codes = _checked_codes(measure, answers)
    score = score_response(measure, codes)
    locked = Administration.objects.select_for_update().get(pk=administration.pk)
    if locked.version != expected_version:
        raise StaleEdit(
            "Someone else changed these answers while you were editing them. "
            "Your changes were not saved: check the current answers and try again."
        )
    before = dict(locked.answers)
    locked.answers = dict(codes)
    locked.version += 1
    locked.scored_with = measure.key
    locked.save(update_fields=["answers", "version", "scored_with"])
    locked.results.all().delete()
    _store_results(locked, score)
    AdministrationEdit.objects.create(
        administration=locked,
        edited_by=actor,
        reason=reason.strip(),
        before=before,
        after=dict(codes),
    )
    log_action(
        action="administration.edit",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={
            # The reason is free text: the edit record keeps it, not the event.
            "reason_given": bool(reason.strip()),
            "changed_items": sorted(k for k in codes if before.get(k) != codes[k]),
        },
    )
    return locked


def administration_rescore(
    *, administration: Administration, measure: MeasureDefinition
) -> None:
    """Recompute stored scores with the given definition (after a definition change)."""
    codes = _checked_codes(measure, administration.answers)
    score = score_response(measure, codes)
    with transaction.atomic():
        administration.results.all().delete()
        _store_results(administration, score)
        Administration.objects.filter(pk=administration.pk).update(
            scored_with=measure.key
        )


@transaction.atomic
def risk_alert_acknowledge(
    *, alert: RiskAlert, actor: User, note: str, request: HttpRequest | None = None
) -> RiskAlert:
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.acknowledgement_note = note[:500]
    alert.save(
        update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note"]
    )
    log_action(
        action="alert.acknowledge",
        actor=actor,
        organisation=alert.organisation,
        obj=alert,
        request=request,
        detail={"item": alert.item_id},
    )
    return alert
