"""Typing paper forms in: saved at once, or with double entry stored until a
second person types the same form, compared, and resolved item by item when the
two differ. Every form is saved through ``administration_submit`` (mode "Paper
form, typed in", no start time: nobody answered on a screen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.selectors import measure_definition
from openproms.collection.answer_selectors import current_episode
from openproms.collection.models import Administration, PaperEntry, TimePoint
from openproms.collection.services import (
    SubmissionError,
    SubmitResult,
    TimePointAlreadyAnswered,
    administration_submit,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition


class SameTypist(SubmissionError):
    """The second entry of a double-entered form was typed by the first typist."""


DATE_KEY = "completed_on"


@dataclass(frozen=True)
class PaperOutcome:
    kind: str  # saved | first | conflict
    entry: PaperEntry | None
    submitted: SubmitResult | None


def _completed_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _differences(entry: PaperEntry) -> list[str]:
    first = entry.first_answers or {}
    second = entry.second_answers or {}
    keys = sorted(set(first) | set(second))
    return [k for k in keys if first.get(k) != second.get(k)]


def paper_entry_differences(entry: PaperEntry) -> list[str]:
    """Item ids (and ``completed_on``) where the two entries differ."""
    return _differences(entry)


def paper_entry_record(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    measure: MeasureDefinition,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    submission_id: str,
    actor: User,
    double_entry: bool,
    time_point: TimePoint | None = None,
    episode: Episode | None = None,
    request: HttpRequest | None = None,
) -> PaperOutcome:
    """Save a typed paper form, or with double entry store or compare an entry.

    Without double entry the answers are saved at once. With it, the first entry
    waits for a second person; a second entry that matches is saved, one that
    differs is kept for someone to resolve. The first typist cannot type the second.
    """
    if not double_entry:
        submitted = administration_submit(
            organisation=organisation,
            service_user=service_user,
            measure=measure,
            answers=answers,
            mode=Administration.Mode.PAPER_ENTRY,
            submission_id=submission_id,
            collected_by=actor,
            episode=episode,
            time_point=time_point,
            completed_at=_completed_at(completed_on),
            request=request,
        )
        return PaperOutcome("saved", None, submitted)
    if time_point is not None:
        existing = Administration.objects.filter(time_point=time_point).first()
        if existing is not None:
            raise TimePointAlreadyAnswered(
                time_point, existing, measure_name=measure.short_name
            )
    body: dict[str, Any] = {k: answers[k] for k in sorted(answers)}
    body[DATE_KEY] = completed_on.isoformat()
    with transaction.atomic():
        replay = PaperEntry.objects.filter(
            organisation=organisation, submission_id=submission_id
        ).first()
        if replay is not None:
            return PaperOutcome(
                "first" if replay.status != PaperEntry.Status.SAVED else "saved",
                replay,
                None,
            )
        waiting = PaperEntry.objects.select_for_update().filter(
            organisation=organisation,
            service_user=service_user,
            measure_id=measure.id,
            time_point=time_point,
            status=PaperEntry.Status.AWAITING_SECOND,
        )
        if time_point is None:
            waiting = waiting.filter(completed_on=completed_on)
        pending = waiting.order_by("first_at").first()
        if pending is None:
            entry = PaperEntry.objects.create(
                organisation=organisation,
                service_user=service_user,
                time_point=time_point,
                measure_id=measure.id,
                measure_version=measure.version,
                completed_on=completed_on,
                first_answers=body,
                first_by=actor,
                status=PaperEntry.Status.AWAITING_SECOND,
                submission_id=submission_id,
            )
            log_action(
                action="paper_entry.create",
                actor=actor,
                organisation=organisation,
                obj=entry,
                request=request,
                detail={"measure": measure.key},
            )
            return PaperOutcome("first", entry, None)
        if pending.first_by_id == actor.pk:
            raise SameTypist(
                "You typed the first entry of this form. A different person must "
                "type it the second time. Nothing was saved."
            )
        pending.second_answers = body
        pending.second_by = actor
        pending.second_at = timezone.now()
        differs = bool(_differences(pending))
        pending.status = (
            PaperEntry.Status.CONFLICT if differs else PaperEntry.Status.AWAITING_SECOND
        )
        pending.save(
            update_fields=["second_answers", "second_by", "second_at", "status"]
        )
        log_action(
            action="paper_entry.second",
            actor=actor,
            organisation=organisation,
            obj=pending,
            request=request,
            detail={"measure": measure.key, "differences": len(_differences(pending))},
        )
        if differs:
            return PaperOutcome("conflict", pending, None)
        submitted = _paper_entry_save(
            entry=pending,
            measure=measure,
            answers=answers,
            completed_on=completed_on,
            actor=actor,
            episode=episode,
            request=request,
        )
        return PaperOutcome("saved", pending, submitted)


def _paper_entry_save(
    *,
    entry: PaperEntry,
    measure: MeasureDefinition,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    actor: User,
    episode: Episode | None,
    request: HttpRequest | None,
) -> SubmitResult:
    submitted = administration_submit(
        organisation=entry.organisation,
        service_user=entry.service_user,
        measure=measure,
        answers=answers,
        mode=Administration.Mode.PAPER_ENTRY,
        submission_id=entry.submission_id,
        collected_by=actor,
        episode=episode,
        time_point=entry.time_point,
        completed_at=_completed_at(completed_on),
        request=request,
    )
    entry.status = PaperEntry.Status.SAVED
    entry.administration = submitted.administration
    entry.save(update_fields=["status", "administration"])
    return submitted


@transaction.atomic
def paper_entry_resolve(
    *,
    entry: PaperEntry,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    actor: User,
    request: HttpRequest | None = None,
) -> SubmitResult:
    """Save a double-entered form after someone chose the right value per item."""
    locked = PaperEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != PaperEntry.Status.CONFLICT:
        raise SubmissionError("These entries were already resolved. Nothing changed.")
    measure = measure_definition(
        organisation=locked.organisation,
        measure_id=locked.measure_id,
        version=locked.measure_version,
    )
    episode = locked.time_point.episode if locked.time_point else None
    if episode is None:
        episode = current_episode(locked.service_user)
    submitted = _paper_entry_save(
        entry=locked,
        measure=measure,
        answers=answers,
        completed_on=completed_on,
        actor=actor,
        episode=episode,
        request=request,
    )
    log_action(
        action="paper_entry.resolve",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={"measure": measure.key, "items": _differences(locked)},
    )
    return submitted
