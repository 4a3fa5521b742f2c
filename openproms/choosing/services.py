"""Writes of the choosing app: a tested result, a trial started, a trial decided.

Keyword-only, in a transaction, audited; they assume valid input (forms check it).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.audit.services import log_action
from openproms.catalogue.services import organisation_measure_set_use
from openproms.choosing import own_data
from openproms.choosing.models import MeasureTrial, OwnDataReliability
from openproms.collection import scheduling
from openproms.collection.models import PlanRule
from openproms.scoring import MeasureDefinition, display_title


class NotAdequate(ValueError):
    """The figures do not meet the rule, so nothing is recorded."""


@transaction.atomic
def reliability_record(
    *,
    organisation: Organisation,
    definition: MeasureDefinition,
    figures: list[own_data.ScaleFigures],
    actor: User,
    request: HttpRequest | None = None,
) -> OwnDataReliability:
    """Record that a measure version was found reliable on the organisation's own
    answers today (replacing an earlier record). Raises :class:`NotAdequate` when
    the figures do not meet :func:`own_data.adequate`."""
    ok, reasons = own_data.adequate(figures)
    if not ok:
        raise NotAdequate(" ".join(reasons))
    record = own_data.figures_record(figures)
    result, _ = OwnDataReliability.objects.update_or_create(
        organisation=organisation,
        measure_id=definition.id,
        measure_version=definition.version,
        defaults={
            "tested_on": timezone.localdate(),
            "summary": own_data.figures_summary(record),
            "figures": record,
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    log_action(
        action="reliability.record",
        actor=actor,
        organisation=organisation,
        obj=result,
        request=request,
        detail={"measure": definition.key, "figures": record},
    )
    return result


def trial_window_days(kind: str, weeks: int | None) -> int:
    """The days either side of a due date a trial occasion stays open: a week,
    or less when occasions come every week so windows do not overlap (the rule
    collection/schedule.py checks)."""
    if kind == PlanRule.Kind.EVERY_N_WEEKS and weeks:
        return min(7, (7 * weeks - 1) // 2)
    return 7


@transaction.atomic
def trial_start(
    *,
    organisation: Organisation,
    service: Service,
    definition: MeasureDefinition,
    ends_on: dt.date,
    kind: str,
    weeks: int | None,
    actor: User,
    request: HttpRequest | None = None,
) -> MeasureTrial:
    """Try a measure in a service until ``ends_on``: the organisation starts using
    it, and a new pilot plan asks for it (its time points, answers and scores are
    flagged as pilot, so commissioner reports leave them out)."""
    organisation_measure_set_use(
        organisation=organisation,
        definition=definition,
        use=True,
        actor=actor,
        request=request,
    )
    plan = scheduling.plan_create(
        organisation=organisation,
        service=service,
        name=f"Trial of {display_title(definition)} until {ends_on.day} {ends_on:%B %Y}"[
            :200
        ],
        is_pilot=True,
        actor=actor,
        request=request,
    )
    trial = MeasureTrial.objects.create(
        organisation=organisation,
        service=service,
        plan=plan,
        measure_id=definition.id,
        measure_version=definition.version,
        starts_on=timezone.localdate(),
        ends_on=ends_on,
        created_by=actor,
    )
    scheduling.plan_rule_save(
        plan=plan,
        rule=None,
        values={
            "measure_id": definition.id,
            "measure_version": definition.version,
            "kind": kind,
            "weeks": weeks if kind == PlanRule.Kind.EVERY_N_WEEKS else None,
            "window_days": trial_window_days(kind, weeks),
        },
        actor=actor,
        request=request,
    )
    log_action(
        action="trial.start",
        actor=actor,
        organisation=organisation,
        obj=trial,
        request=request,
        detail={
            "measure": definition.key,
            "service": service.pk,
            "plan": plan.pk,
            "ends_on": ends_on.isoformat(),
        },
    )
    return trial


@transaction.atomic
def trial_decide(
    *,
    trial: MeasureTrial,
    decision: str,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> MeasureTrial:
    """Record keep, change or drop. Keep: the plan stops being a pilot from now
    on (answers already given stay marked as pilot). Drop: the plan is switched
    off (its open occasions are cancelled). Change: the plan carries on as a pilot
    while the measure is changed; a new trial tries the changed version."""
    trial.decision = decision
    trial.decision_note = note
    trial.decided_by = actor
    trial.decided_at = timezone.now()
    trial.save(update_fields=["decision", "decision_note", "decided_by", "decided_at"])
    plan = trial.plan
    if decision == MeasureTrial.Decision.KEEP:
        scheduling.plan_update(plan=plan, actor=actor, request=request, is_pilot=False)
    elif decision == MeasureTrial.Decision.DROP:
        scheduling.plan_update(plan=plan, actor=actor, request=request, is_active=False)
    log_action(
        action="trial.decide",
        actor=actor,
        organisation=trial.organisation,
        obj=trial,
        request=request,
        detail={"decision": decision, "plan": plan.pk},
    )
    return trial
