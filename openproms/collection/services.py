"""Saving answers: the one path every way of collecting goes through.

``administration_submit`` validates the answers against the measure definition,
scores them with the engine, stores answers and scores, raises risk alerts to the
key worker, completes the time point, and is idempotent on the submission id: the
same submission twice stores one answer; a different body under the same id is
refused. Web forms, the kiosk, self-completion links, typed-in paper, scanned
paper, FHIR and the REST API all call it; an import of many answers calls its
bulk form (``bulk_submit``). Both write their rows through ``administration_rows``.
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
from openproms.collection.administration_rows import (
    ApiSender,
    administration_new,
    administrations_store,
    insert_rows,
    mark_no_score,
    scale_result_rows,
)
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
        when = timezone.localtime(existing.completed_at)
        super().__init__(
            f"{measure_name} ({time_point.label}) was already answered on "
            f"{when.day} {when:%B %Y}. Nothing new was saved."
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
    """Replace an administration's scale results (and their outcome scores)."""
    results = scale_result_rows(administration, score)
    insert_rows(ScaleResult, results)
    replace_outcome_scores(administration, results)
    mark_no_score(administration, score)


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
    started_at: dt.datetime | None = None,
    sent_by: ApiSender | None = None,
    request: HttpRequest | None = None,
) -> SubmitResult:
    """Validate, score and store one completed measure.

    ``started_at``: when the answering screen was first shown (none for paper,
    imports and the API); ``sent_by``: the API token that sent the answers. The
    rows are written by ``administration_rows.administrations_store``, as an
    import's are.

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
            now = timezone.now()
            administration = administration_new(
                organisation=organisation,
                service_user=service_user,
                measure=measure,
                codes=codes,
                mode=mode,
                submission_id=submission_id,
                digest=digest,
                completed_at=completed_at or now,
                created_at=now,
                collected_by=collected_by,
                episode=episode,
                time_point=time_point,
                started_at=started_at,
                sent_by=sent_by,
            )
            administrations_store(
                organisation=organisation,
                new=[(administration, score)],
                request=request,
            )
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
