"""Retention (decision 0021): each organisation keeps a person's records for a
number of months after their last episode ends (``RetentionSetting``; without
one, ``DEFAULT_RETENTION_MONTHS``). The daily job erases everyone whose period
has passed, through the same erasure as a request (``governance.erasure``), so
nothing of theirs is left anywhere and an erasure record is kept.

A person is due when every episode of theirs has ended and the last end date
plus the period is today or earlier. People with an episode still open, with no
episode at all, or whose data is restricted (restriction often means "keep it
while a claim is settled") are never erased by the job.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.governance.erasure import person_erase
from openproms.governance.models import (
    DEFAULT_RETENTION_MONTHS,
    Erasure,
    RetentionSetting,
)
from openproms.people.models import ServiceUser

UPCOMING_DAYS = 30


def months_after(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by whole calendar months (the 31st becomes the month's
    last day when the month is shorter)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def retention_months(organisation: Organisation) -> int:
    setting = RetentionSetting.objects.filter(organisation=organisation).first()
    return setting.months if setting is not None else DEFAULT_RETENTION_MONTHS


@transaction.atomic
def retention_set(
    *,
    organisation: Organisation,
    months: int,
    actor: User,
    request: HttpRequest | None = None,
) -> RetentionSetting:
    setting, _ = RetentionSetting.objects.update_or_create(
        organisation=organisation,
        defaults={"months": months, "changed_by": actor, "changed_at": timezone.now()},
    )
    log_action(
        action="retention.set",
        actor=actor,
        organisation=organisation,
        obj=setting,
        request=request,
        detail={"months": months},
    )
    return setting


@dataclass(frozen=True)
class Due:
    """A person whose retention period ends on ``erase_on``."""

    person: ServiceUser
    last_end: dt.date
    erase_on: dt.date


def due_by(
    organisation: Organisation, day: dt.date, months: int | None = None
) -> list[Due]:
    """The organisation's people whose retention period ends on ``day`` or
    earlier, soonest first: under the period in force, or under ``months``."""
    if months is None:
        months = retention_months(organisation)
    # A generous cut in SQL (a month's slack), the exact date in Python.
    latest_end = months_after(day, -months) + dt.timedelta(days=31)
    people = (
        ServiceUser.objects.filter(
            organisation=organisation, restricted_at__isnull=True
        )
        .annotate(
            episodes_n=Count("episodes"),
            open_n=Count("episodes", filter=Q(episodes__end_date__isnull=True)),
            last_end=Max("episodes__end_date"),
        )
        .filter(episodes_n__gt=0, open_n=0, last_end__lte=latest_end)
    )
    found = [
        Due(person, person.last_end, months_after(person.last_end, months))  # type: ignore[attr-defined]
        for person in people
    ]
    return sorted(
        (d for d in found if d.erase_on <= day),
        key=lambda d: (d.erase_on, d.person.reference),
    )


def upcoming(
    organisation: Organisation,
    today: dt.date,
    days: int = UPCOMING_DAYS,
    months: int | None = None,
) -> list[Due]:
    """Who the job will erase in the next ``days`` days (and anyone already due),
    under the period in force or under ``months``."""
    return due_by(organisation, today + dt.timedelta(days=days), months)


def newly_due(organisation: Organisation, months: int, today: dt.date) -> list[Due]:
    """Who a retention period of ``months`` would bring into erasure: erased in
    the next UPCOMING_DAYS days (or at the next daily run) under ``months`` but
    not under the period in force. Empty when lengthening, or when the change
    erases nobody new. Erasure cannot be undone, so the admin confirms these
    people by name before such a period is saved."""
    already = {d.person.pk for d in upcoming(organisation, today)}
    return [
        d
        for d in upcoming(organisation, today, months=months)
        if d.person.pk not in already
    ]


@dataclass
class RetentionRun:
    """What one run did (or, dry, would do), per organisation."""

    dry_run: bool
    today: dt.date
    erased: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.erased.values())


def retention_apply(
    *, today: dt.date | None = None, dry_run: bool = False
) -> RetentionRun:
    """Erase everyone past their organisation's retention period. A dry run
    changes nothing and writes nothing: it says who would go."""
    today = today or timezone.localdate()
    run = RetentionRun(dry_run=dry_run, today=today)
    for organisation in Organisation.objects.order_by("name"):
        due = due_by(organisation, today)
        if not due:
            continue
        run.erased[organisation.name] = len(due)
        if dry_run:
            continue
        months = retention_months(organisation)
        with transaction.atomic():
            for item in due:
                person_erase(
                    service_user=item.person,
                    kind=Erasure.Kind.RETENTION,
                    reason=f"Kept {months} months after their last episode ended "
                    f"(the organisation's retention period).",
                )
            log_action(
                action="retention.apply",
                actor_label="the retention job",
                organisation=organisation,
                detail={"erased": len(due), "months": months, "as_of": str(today)},
            )
    return run
