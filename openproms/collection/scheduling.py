"""Measurement plans and time points: the services and selectors around the schedule.

The rules themselves are pure functions in :mod:`openproms.collection.schedule`;
this module feeds them an episode's facts from the database and stores what they
say as ``TimePoint`` rows (:func:`episode_schedule_refresh`), closes windows that
have passed (:func:`time_points_close_missed`), records why an occasion was missed,
and keeps plans. Due lists are read in :mod:`openproms.collection.due_lists`, and
counts and collection rates in :mod:`openproms.collection.counts`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.audit.services import log_action
from openproms.collection import schedule
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PlanRule,
    TimePoint,
)
from openproms.people.consent import is_restricted, takes_part
from openproms.people.models import Contact, Episode

# Saving a plan refreshes the open episodes of its service inline up to this many;
# more go to the background worker.
INLINE_REFRESH_LIMIT = 200

_OPEN = (Episode.Status.ACTIVE, Episode.Status.PAUSED)
_SETTLED = (TimePoint.Status.COMPLETED, TimePoint.Status.MISSED)


# ---------------------------------------------------------------------------
# Refreshing an episode's time points
# ---------------------------------------------------------------------------


def rule_spec(rule: PlanRule) -> schedule.Rule:
    return schedule.Rule(
        kind=rule.kind,
        weeks=rule.weeks,
        sessions=rule.sessions,
        on_date=rule.on_date,
        window_days=rule.window_days,
    )


def episode_facts(episode: Episode) -> schedule.EpisodeFacts:
    pauses = tuple(
        schedule.Pause(start=start, end=end)
        for start, end in episode.pauses.values_list("start_date", "end_date")
    )
    attended = tuple(
        Contact.objects.filter(episode=episode, attended=True).values_list(
            "date", flat=True
        )
    )
    return schedule.EpisodeFacts(
        start=episode.start_date,
        end=episode.end_date,
        closed=episode.status == Episode.Status.CLOSED,
        pauses=pauses,
        attended=attended,
    )


def _completions(episode: Episode) -> dict[str, list[dt.date]]:
    """Local dates each measure was completed in the episode (Europe/London)."""
    found: dict[str, list[dt.date]] = defaultdict(list)
    for measure_id, completed_at in Administration.objects.filter(
        episode=episode
    ).values_list("measure_id", "completed_at"):
        found[measure_id].append(timezone.localdate(completed_at))
    return found


@dataclass(frozen=True)
class ScheduleRefresh:
    """What one refresh did: time points created, changed and cancelled, and the
    occasions left as history (their window closed before the episode's
    ``scheduled_from``: an imported episode's past, never missed)."""

    created: int = 0
    updated: int = 0
    cancelled: int = 0
    history: int = 0
    first_due: dt.date | None = None  # the earliest due date of those created


def schedule_floor(rule: PlanRule, episode: Episode) -> dt.date:
    """The first day an occasion's window may close on and still be created:
    the day the plan was made, or the day an imported episode was imported
    (``Episode.scheduled_from``, decision 0046), whichever is later. An occasion
    whose window closed before it was never asked of the service."""
    plan_made = timezone.localdate(rule.created_at)
    if episode.scheduled_from is not None and episode.scheduled_from > plan_made:
        return episode.scheduled_from
    return plan_made


@transaction.atomic
def episode_schedule_refresh(
    *, episode: Episode, today: dt.date | None = None
) -> ScheduleRefresh:
    """(Re)materialise the episode's time points from its service's active plans.

    Creates occasions that are missing, moves the dates of PENDING ones (after a
    pause, say), cancels PENDING ones no longer needed (the episode closed before
    they opened, the plan was switched off, or the person withdrew from taking
    part: reason "withdrew"), brings back cancelled ones needed again, and never
    touches COMPLETED or MISSED ones. Occasions whose window had already closed
    before the plan was made, or before an imported episode was imported, are not
    created (:func:`schedule_floor`): the second kind are counted as history.
    Idempotent.
    """
    today = today or timezone.localdate()
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    rules = list(
        PlanRule.objects.filter(
            plan__service_id=episode.service_id,
            plan__organisation_id=episode.organisation_id,
            plan__is_active=True,
        ).select_related("plan")
    )
    # A person who has withdrawn from taking part needs no occasion: their open
    # ones are closed with the reason "withdrew" (and come back if they rejoin).
    # A restricted person is held but not processed: theirs are cancelled too,
    # and come back when the restriction is lifted.
    withdrew = not takes_part(episode.service_user_id)
    if withdrew or is_restricted(episode.service_user_id):
        rules = []
    existing = {
        (tp.rule_id, tp.sequence): tp
        for tp in TimePoint.objects.filter(episode=episode)
    }
    facts = episode_facts(episode)
    completions = _completions(episode) if rules else {}
    needed: set[tuple[int, int]] = set()
    created = updated = cancelled = history = 0
    first_due: dt.date | None = None
    for rule in rules:
        spec = rule_spec(rule)
        if schedule.rule_problems(spec):
            continue  # an impossible rule (the form refuses these) schedules nothing
        floor = schedule_floor(rule, episode)
        for occasion in schedule.occasions(
            spec,
            facts,
            today=today,
            completions=completions.get(rule.measure_id, ()),
        ):
            key = (rule.pk, occasion.sequence)
            needed.add(key)
            values = {
                "label": occasion.label[:100],
                "measure_id": rule.measure_id,
                "measure_version": rule.measure_version,
                "due_date": occasion.due,
                "window_start": occasion.window_start,
                "window_end": occasion.window_end,
                "is_pilot": rule.plan.is_pilot,
            }
            point = existing.get(key)
            if point is None:
                if occasion.window_end is not None and occasion.window_end < floor:
                    if (
                        episode.scheduled_from is not None
                        and occasion.window_end < episode.scheduled_from
                    ):
                        history += 1
                    continue
                TimePoint.objects.create(
                    organisation_id=episode.organisation_id,
                    episode=episode,
                    rule=rule,
                    sequence=occasion.sequence,
                    **values,
                )
                created += 1
                if first_due is None or occasion.due < first_due:
                    first_due = occasion.due
            elif point.status == TimePoint.Status.PENDING or (
                point.status == TimePoint.Status.CANCELLED
            ):
                if point.status == TimePoint.Status.CANCELLED:
                    values["status"] = TimePoint.Status.PENDING
                    values["missed_reason"] = ""
                changed = [k for k, v in values.items() if getattr(point, k) != v]
                if changed:
                    for name in changed:
                        setattr(point, name, values[name])
                    point.save(update_fields=changed)
                    updated += 1
    for key, point in existing.items():
        if key not in needed and point.status == TimePoint.Status.PENDING:
            point.status = TimePoint.Status.CANCELLED
            point.missed_reason = TimePoint.MissedReason.WITHDREW if withdrew else ""
            point.save(update_fields=["status", "missed_reason"])
            cancelled += 1
    if created or updated or cancelled:
        log_action(
            action="schedule.refresh",
            organisation=episode.organisation,
            obj=episode,
            actor_label="system",
            detail={"created": created, "updated": updated, "cancelled": cancelled},
        )
    return ScheduleRefresh(created, updated, cancelled, history, first_due)


def episodes_schedule_refresh(
    *, episodes: Iterable[Episode], today: dt.date | None = None
) -> int:
    count = 0
    for episode in episodes:
        episode_schedule_refresh(episode=episode, today=today)
        count += 1
    return count


def service_open_episodes(service: Service) -> QuerySet[Episode]:
    return Episode.objects.filter(
        organisation_id=service.organisation_id, service=service, status__in=_OPEN
    )


def service_schedule_refresh(*, service: Service, today: dt.date | None = None) -> int:
    """Refresh every open episode of a service (after its plans changed)."""
    return episodes_schedule_refresh(
        episodes=service_open_episodes(service).iterator(), today=today
    )


def service_schedule_refresh_soon(*, service: Service) -> str:
    """Refresh a service's open episodes: inline when few, else in the background.

    Returns "inline" or "background" so the page can say which.
    """
    if service_open_episodes(service).count() <= INLINE_REFRESH_LIMIT:
        service_schedule_refresh(service=service)
        return "inline"
    from openproms.collection.tasks import refresh_service_schedules

    transaction.on_commit(
        lambda: refresh_service_schedules.enqueue(service_pk=service.pk)
    )
    return "background"


def schedules_advance(*, today: dt.date | None = None) -> int:
    """Materialise occasions that time has brought near (the daily job).

    Refreshes open episodes whose interval rules have no occasion beyond the
    horizon yet, paused episodes (their dates move while the clock is stopped), and
    episodes with a contact recorded in the last two days (session and when-seen
    rules depend on contacts).
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=schedule.HORIZON_DAYS)
    pks: set[int] = set()
    interval_rules = PlanRule.objects.filter(
        plan__is_active=True, kind=PlanRule.Kind.EVERY_N_WEEKS
    )
    for rule in interval_rules.select_related("plan"):
        ahead = TimePoint.objects.filter(
            episode=OuterRef("pk"), rule=rule, window_start__gt=horizon
        )
        pks.update(
            Episode.objects.filter(
                organisation_id=rule.plan.organisation_id,
                service_id=rule.plan.service_id,
                status=Episode.Status.ACTIVE,
            )
            .filter(~Exists(ahead))
            .values_list("pk", flat=True)
        )
    pks.update(
        Episode.objects.filter(status=Episode.Status.PAUSED).values_list(
            "pk", flat=True
        )
    )
    since = timezone.now() - dt.timedelta(days=2)
    pks.update(
        Contact.objects.filter(created_at__gte=since).values_list(
            "episode_id", flat=True
        )
    )
    return episodes_schedule_refresh(
        episodes=Episode.objects.filter(pk__in=pks).iterator(), today=today
    )


# ---------------------------------------------------------------------------
# Missed time points
# ---------------------------------------------------------------------------


def time_points_close_missed(
    *, organisation: Organisation | None = None, today: dt.date | None = None
) -> int:
    """Mark PENDING time points whose window has closed as MISSED; returns how many.

    Run daily (task and management command) and lazily before due lists render.
    """
    today = today or timezone.localdate()
    # No ordering: it would steer the planner to the due-date index and scan every
    # pending time point; (organisation, status, window_end) finds only the closed.
    points = TimePoint.objects.filter(
        status=TimePoint.Status.PENDING, window_end__lt=today
    ).order_by()
    if organisation is not None:
        points = points.filter(organisation=organisation)
    # Read first, outside any transaction: the lazy sweep before a due list usually
    # finds nothing, and must not take SQLite's write lock to find that out.
    closed = list(points.values("pk", "organisation"))
    if not closed:
        return 0
    with transaction.atomic():
        count = TimePoint.objects.filter(
            pk__in=[row["pk"] for row in closed], status=TimePoint.Status.PENDING
        ).update(status=TimePoint.Status.MISSED)
        by_org: dict[int, int] = defaultdict(int)
        for row in closed:
            by_org[row["organisation"]] += 1
        for org in Organisation.objects.filter(pk__in=by_org):
            log_action(
                action="time_point.close_missed",
                organisation=org,
                actor_label="system",
                detail={"count": by_org[org.pk], "as_of": today.isoformat()},
            )
    return count


@transaction.atomic
def time_point_record_missed(
    *,
    time_point: TimePoint,
    reason: str,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> TimePoint:
    """Record why a time point was missed; a PENDING one becomes MISSED now."""
    point = TimePoint.objects.select_for_update().get(pk=time_point.pk)
    was = point.status
    point.status = TimePoint.Status.MISSED
    point.missed_reason = reason
    point.missed_note = note.strip()[:300]
    point.missed_recorded_by = actor
    point.missed_recorded_at = timezone.now()
    point.save(
        update_fields=[
            "status",
            "missed_reason",
            "missed_note",
            "missed_recorded_by",
            "missed_recorded_at",
        ]
    )
    log_action(
        action="time_point.record_missed",
        actor=actor,
        organisation=point.organisation,
        obj=point,
        request=request,
        detail={"reason": reason, "was": was},
    )
    return point


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


def plans_for_organisation(organisation: Organisation) -> QuerySet[MeasurementPlan]:
    return (
        MeasurementPlan.objects.filter(organisation=organisation)
        .select_related("service")
        .annotate(rule_count=Count("rules"))
    )


def plan_get(*, organisation: Organisation, pk: int) -> MeasurementPlan:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        MeasurementPlan.objects.select_related("service"),
        organisation=organisation,
        pk=pk,
    )


def rule_get(*, plan: MeasurementPlan, pk: int) -> PlanRule:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(PlanRule, plan=plan, pk=pk)


def rule_has_records(rule: PlanRule) -> bool:
    """Whether any answer or missed record hangs on the rule (so it must stay)."""
    return rule.time_points.filter(status__in=_SETTLED).exists()


def _plan_detail(plan: MeasurementPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "service": plan.service_id,
        "is_pilot": plan.is_pilot,
        "is_active": plan.is_active,
    }


@transaction.atomic
def plan_create(
    *,
    organisation: Organisation,
    service: Service,
    name: str,
    is_pilot: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> MeasurementPlan:
    plan = MeasurementPlan.objects.create(
        organisation=organisation, service=service, name=name, is_pilot=is_pilot
    )
    log_action(
        action="plan.create",
        actor=actor,
        organisation=organisation,
        obj=plan,
        request=request,
        detail=_plan_detail(plan),
    )
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: MeasurementPlan,
    actor: User,
    request: HttpRequest | None = None,
    **changes: Any,
) -> tuple[MeasurementPlan, str]:
    """Change a plan's name, pilot flag or active state; refresh the service."""
    for name, value in changes.items():
        setattr(plan, name, value)
    plan.version += 1
    plan.save(update_fields=[*changes, "version"])
    log_action(
        action="plan.update",
        actor=actor,
        organisation=plan.organisation,
        obj=plan,
        request=request,
        detail=_plan_detail(plan),
    )
    return plan, service_schedule_refresh_soon(service=plan.service)


def _rule_detail(rule: PlanRule) -> dict[str, Any]:
    return {
        "measure": f"{rule.measure_id}@{rule.measure_version}",
        "kind": rule.kind,
        "weeks": rule.weeks,
        "sessions": rule.sessions,
        "on_date": rule.on_date.isoformat() if rule.on_date else None,
        "window_days": rule.window_days,
    }


@transaction.atomic
def plan_rule_save(
    *,
    plan: MeasurementPlan,
    rule: PlanRule | None,
    values: dict[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> tuple[PlanRule, str]:
    """Add a rule to a plan (``rule`` None) or change one; refresh the service."""
    creating = rule is None
    if rule is None:
        rule = PlanRule(plan=plan)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.save()
    MeasurementPlan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    log_action(
        action="plan.rule_add" if creating else "plan.rule_change",
        actor=actor,
        organisation=plan.organisation,
        obj=plan,
        request=request,
        detail=_rule_detail(rule),
    )
    return rule, service_schedule_refresh_soon(service=plan.service)


@transaction.atomic
def plan_rule_remove(
    *, rule: PlanRule, actor: User, request: HttpRequest | None = None
) -> str:
    """Remove a rule with no answers or missed records; its due occasions go too."""
    plan = rule.plan
    detail = _rule_detail(rule)
    rule.delete()
    MeasurementPlan.objects.filter(pk=plan.pk).update(version=plan.version + 1)
    log_action(
        action="plan.rule_remove",
        actor=actor,
        organisation=plan.organisation,
        obj=plan,
        request=request,
        detail=detail,
    )
    return service_schedule_refresh_soon(service=plan.service)
