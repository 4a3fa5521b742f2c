"""Collection counts of a period: people engaged, new episodes, baseline
completion, follow-up capture, and time points completed and missed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connections
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from openproms.accounts.models import Organisation, Service
from openproms.collection.models import PlanRule, TimePoint
from openproms.people.models import Episode
from openproms.reports.selectors import postgres
from openproms.reports.selectors.raw import fetch
from openproms.reports.selectors.scope import Audience, left_out_people, narrowing
from openproms.stats import follow_up_capture


def baseline_counts(
    new: QuerySet[Episode], starts: list[int], *, include_pilot: bool
) -> dict[str, int]:
    """Of the ``new`` episodes: how many, how many have a completed start time
    point (a baseline), and how many of those also a later completed one.

    Two forms, each the faster on its database (benchmarks/README.md, Reports):
    PostgreSQL joins the episodes to their completed time points and counts in one
    grouped query; SQLite looks up each episode's time points twice in the (episode,
    status, rule, is_pilot) index (by episode alone: an episode's time points are
    its organisation's), with the rule compared as "rule + 0" so that SQLite reads
    one range of the index rather than searching it once per start rule."""
    done = Q(time_points__status=TimePoint.Status.COMPLETED)
    if not include_pilot:
        done &= Q(time_points__is_pilot=False)
    if connections[new.db].vendor == "postgresql":
        return postgres.baseline_counts(new, starts, done)
    done_of = TimePoint.objects.filter(status=TimePoint.Status.COMPLETED).alias(
        rule_key=F("rule_id") + 0
    )
    if not include_pilot:
        done_of = done_of.filter(is_pilot=False)
    baseline = done_of.filter(episode=OuterRef("pk"), rule_key__in=starts)
    later = done_of.filter(episode=OuterRef("pk")).exclude(rule_key__in=starts)
    # One row of two flags per new episode, summed here: an aggregate would
    # evaluate the baseline lookup twice.
    flags = fetch(
        new.order_by()
        .annotate(b=Exists(baseline), f=Exists(later))
        .values_list("b", "f")
    )
    return {
        "new": len(flags),
        "with_baseline": sum(1 for b, _ in flags if b),
        "followed": sum(1 for b, f in flags if b and f),
    }


def collection_summary(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    audience: Audience = "funders",
) -> dict[str, Any]:
    """Collection counts for a period (both ends included), of the people
    ``audience`` may see (:data:`.scope.Audience`).

    * ``people_engaged``: distinct service users with an episode active at some time
      in the period (started on or before ``end``, not ended before ``start``);
    * ``new_episodes``: episodes starting in the period;
    * ``baseline_completed`` / ``new_episodes`` = ``baseline_completion``: of the
      episodes starting in the period, those with a completed start time point;
    * ``follow_up``: a :class:`~openproms.stats.FollowUpCapture`: of those with a
      baseline, the ones with any later completed time point;
    * ``completed`` / ``missed``: time points due in the period, by status.

    Pilot time points are left out unless ``include_pilot``.
    """
    services = narrowing(organisation, services)
    episodes = Episode.objects.filter(organisation=organisation)
    if services is not None:
        episodes = episodes.filter(service__in=[s.pk for s in services])
    left_out = left_out_people(organisation, audience)
    gone = None  # the episodes of the people left out (few)
    if left_out is not None:
        gone = episodes.filter(service_user__in=left_out.values("pk"))
        episodes = episodes.exclude(service_user__in=left_out.values("pk"))
    active = episodes.filter(start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    people = active.values("service_user").distinct().count()
    new = episodes.filter(start_date__gte=start, start_date__lte=end)

    points = TimePoint.objects.filter(organisation=organisation)
    if not include_pilot:
        points = points.filter(is_pilot=False)
    # The organisation's start rules by id (a few dozen): no join to the rules.
    starts = list(
        PlanRule.objects.filter(
            plan__organisation=organisation, kind=PlanRule.Kind.START
        ).values_list("pk", flat=True)
    )
    counts = baseline_counts(new, starts, include_pilot=include_pilot)
    due = points.filter(due_date__gte=start, due_date__lte=end)
    if services is not None:
        due = due.filter(episode_id__in=episodes.values("pk"))
    # One count per status: each is a range on the (organisation, status, due_date)
    # index, where one pass with filtered counts would read every time point. The
    # time points of people left out are counted apart, through their few
    # episodes, and taken away: filtering every time point by its episode would
    # cost several times the count (benchmarks/README.md, Reports).
    status = {}
    for name, value in (
        ("completed", TimePoint.Status.COMPLETED),
        ("missed", TimePoint.Status.MISSED),
    ):
        status[name] = due.filter(status=value).count()
        if gone is not None:
            status[name] -= due.filter(
                status=value, episode_id__in=gone.values("pk")
            ).count()
    new_count = counts["new"] or 0
    with_baseline = counts["with_baseline"] or 0
    return {
        "people_engaged": people,
        "new_episodes": new_count,
        "baseline_completed": with_baseline,
        "baseline_completion": with_baseline / new_count if new_count else None,
        "follow_up": follow_up_capture(with_baseline, counts["followed"] or 0),
        "completed": status["completed"] or 0,
        "missed": status["missed"] or 0,
    }
