"""What storing completed measures writes: the rows, built and written in one place.

Both ways in to storing answers use these two functions:
``services.administration_submit`` (one completed measure: the answering pages,
typed and scanned paper, FHIR, the REST API) and
``bulk_submit.administrations_submit`` (many at once: an import of historic
answers). :func:`administration_new` builds the administration (its answers,
how they came, when answering started, the definition that scored them);
:func:`administrations_store` writes it with everything that goes with it, for
one or for a hundred thousand, in bulk: the scale results, the outcome scores
reports read (decision 0007), the risk alerts for the key worker, the time
points they complete, and the audit events. A change to what is stored is made
here once (decision 0033); tests/collection/test_one_way_of_storing.py stores
the same answers through both ways in and compares every row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection, models
from django.http import HttpRequest

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_actions
from openproms.collection.models import (
    Administration,
    OutcomeScore,
    PlanRule,
    RiskAlert,
    ScaleResult,
    TimePoint,
)
from openproms.collection.outcome_scores import outcome_score_rows
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, ResponseScore

BATCH = 2000

# "each": one administration.create event per administration (answers given
# one at a time); "per_person": one administration.import event per person with
# their administrations by key (an import of 100,000 answers; decision 0024).
AuditGrouping = Literal["each", "per_person"]


@dataclass(frozen=True)
class ApiSender:
    """The API token that sent answers (REST or FHIR): its key and its name, the
    name kept on the answers should the token be deleted."""

    token_id: int
    name: str


def administration_new(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    measure: MeasureDefinition,
    codes: Mapping[str, int | None],
    mode: str,
    submission_id: str,
    digest: str,
    completed_at: dt.datetime,
    created_at: dt.datetime,
    collected_by: User | None = None,
    episode: Episode | None = None,
    time_point: TimePoint | None = None,
    started_at: dt.datetime | None = None,
    sent_by: ApiSender | None = None,
) -> Administration:
    """An unsaved administration of checked answer ``codes``.

    ``started_at`` is when the answering screen was first shown; a start after
    the answers were completed cannot be right and is left empty.
    """
    if started_at is not None and started_at > completed_at:
        started_at = None
    return Administration(
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
        completed_at=completed_at,
        started_at=started_at,
        created_at=created_at,
        scored_with=measure.key,
        is_pilot=bool(time_point is not None and time_point.is_pilot),
        api_token_id=sent_by.token_id if sent_by is not None else None,
        api_token_name=sent_by.name[:100] if sent_by is not None else "",
    )


def scale_result_rows(
    administration: Administration, score: ResponseScore
) -> list[ScaleResult]:
    """Unsaved scale results of a saved administration, one per scale scored."""
    return [
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


def made_no_score(score: ResponseScore) -> bool:
    """True when no scale of the answers has a score (every one "no score"): what
    a time point's ``no_score`` holds once they are stored."""
    return all(scale.value is None for scale in score.scales.values())


def mark_no_score(administration: Administration, score: ResponseScore) -> None:
    """Keep the administration's time point's ``no_score`` true to its scores,
    after they are stored again (an edit or a rescore; decision 0040)."""
    if administration.time_point_id is not None:
        TimePoint.objects.filter(pk=administration.time_point_id).update(
            no_score=made_no_score(score)
        )


def insert_rows(model: type[models.Model], rows: Sequence[Any]) -> None:
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


def _exit_time_points(new: Sequence[tuple[Administration, ResponseScore]]) -> set[int]:
    """The time points among these administrations' that close an episode (their
    outcome scores are marked as exit scores)."""
    ids = {a.time_point_id for a, _ in new if a.time_point_id is not None}
    if not ids:
        return set()
    return set(
        TimePoint.objects.filter(pk__in=ids, rule__kind=PlanRule.Kind.EXIT).values_list(
            "pk", flat=True
        )
    )


def administrations_store(
    *,
    organisation: Organisation,
    new: Sequence[tuple[Administration, ResponseScore]],
    request: HttpRequest | None = None,
    audit: AuditGrouping = "each",
) -> None:
    """Write new administrations (from :func:`administration_new`) and everything
    stored with them, in the caller's transaction. Checks nothing: the callers
    have checked, scored and refused what must be refused."""
    if not new:
        return
    Administration.objects.bulk_create([a for a, _ in new], batch_size=BATCH)
    exits = _exit_time_points(new)
    results: list[ScaleResult] = []
    outcome: list[OutcomeScore] = []
    alerts: list[RiskAlert] = []
    for administration, score in new:
        rows = scale_result_rows(administration, score)
        results += rows
        outcome += outcome_score_rows(
            administration, rows, is_exit=administration.time_point_id in exits
        )
        if not score.alerts:
            continue
        episode = administration.episode
        assigned = episode.key_worker if episode is not None else None
        alerts += [
            RiskAlert(
                organisation=organisation,
                administration=administration,
                service_user=administration.service_user,
                item_id=alert.item_id,
                code=alert.code,
                message=alert.message[:500],
                assigned_to=assigned,
            )
            for alert in score.alerts
        ]
    insert_rows(ScaleResult, results)
    insert_rows(OutcomeScore, outcome)
    RiskAlert.objects.bulk_create(alerts, batch_size=BATCH)
    for no_score in (False, True):
        answered = [
            a.time_point_id
            for a, score in new
            if a.time_point_id is not None and made_no_score(score) == no_score
        ]
        if answered:
            TimePoint.objects.filter(pk__in=answered).update(
                status=TimePoint.Status.COMPLETED, missed_reason="", no_score=no_score
            )
    _audit(organisation, [a for a, _ in new], alerts, request, audit)


def _actor_label(administration: Administration) -> str | None:
    """Who gave the answers when no member of staff did."""
    if administration.collected_by_id is not None:
        return None
    if administration.api_token_name:
        return f"API token {administration.api_token_name}"
    return "the person answering"


def _audit(
    organisation: Organisation,
    administrations: list[Administration],
    alerts: list[RiskAlert],
    request: HttpRequest | None,
    grouping: AuditGrouping,
) -> None:
    if grouping == "each":
        log_actions(
            {
                "action": "administration.create",
                "actor": administration.collected_by,
                "organisation": organisation,
                "obj": administration,
                "request": request,
                # The person themselves: named by the record's key, never here.
                "actor_label": _actor_label(administration),
                "detail": {
                    "measure": administration.scored_with,
                    "mode": administration.mode,
                },
            }
            for administration in administrations
        )
    else:
        by_person: dict[int, list[Administration]] = {}
        for administration in administrations:
            by_person.setdefault(administration.service_user_id, []).append(
                administration
            )
        log_actions(
            {
                "action": "administration.import",
                "actor": theirs[0].collected_by,
                "organisation": organisation,
                "request": request,
                "object_repr": f"{len(theirs)} completed measure(s)",
                "people": [person],
                "detail": {
                    "mode": theirs[0].mode,
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
