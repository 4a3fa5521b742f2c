"""Retention: the daily job erases people past their organisation's period after
their last episode ended, on the right day, with a moved clock; a dry run changes
nothing; people with an open episode or restricted data are kept."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.governance.models import DEFAULT_RETENTION_MONTHS, Erasure
from openproms.governance.restriction import person_restrict
from openproms.governance.retention import (
    months_after,
    retention_apply,
    retention_set,
    upcoming,
)
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

ENDED = dt.date(2017, 1, 10)
GONE_ON = dt.date(2025, 1, 10)  # 96 months later


@contextmanager
def clock(day: dt.date) -> Iterator[None]:
    """Move the clock to noon (London) on ``day``."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _person(tenant: Tenant, reference: str, *ends: dt.date | None) -> ServiceUser:
    person = ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference, given_name="Kim"
    )
    for end in ends:
        Episode.objects.create(
            organisation=tenant.organisation,
            service_user=person,
            service=tenant.service,
            start_date=dt.date(2016, 1, 4),
            end_date=end,
            status=Episode.Status.CLOSED if end else Episode.Status.ACTIVE,
        )
    return person


def _references(tenant: Tenant) -> set[str]:
    return set(
        ServiceUser.objects.filter(organisation=tenant.organisation).values_list(
            "reference", flat=True
        )
    )


def test_months_after_keeps_the_day_or_the_months_last_day() -> None:
    assert months_after(ENDED, 96) == GONE_ON
    assert months_after(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert months_after(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)


def test_the_job_erases_on_the_day_the_period_ends_and_not_before(
    tenant_a: Tenant,
) -> None:
    assert DEFAULT_RETENTION_MONTHS == 96
    _person(tenant_a, "GONE", dt.date(2016, 6, 1), ENDED)  # the last end counts
    _person(tenant_a, "OPEN", ENDED, None)  # an episode still open
    _person(tenant_a, "NONE")  # no episode at all
    held = _person(tenant_a, "HELD", ENDED)
    person_restrict(
        service_user=held, reason="A claim", actor=tenant_a.members["org_admin"].user
    )

    with clock(GONE_ON - dt.timedelta(days=1)):
        assert retention_apply().total == 0
        soon = upcoming(tenant_a.organisation, timezone.localdate())
        assert [(d.person.reference, d.erase_on) for d in soon] == [("GONE", GONE_ON)]
    assert "GONE" in _references(tenant_a)

    with clock(GONE_ON):
        dry = retention_apply(dry_run=True)
        assert dry.erased == {tenant_a.organisation.name: 1}
        assert "GONE" in _references(tenant_a)
        assert not AuditEvent.objects.filter(action="retention.apply").exists()
        run = retention_apply()
    assert run.total == 1
    assert _references(tenant_a) == {"OPEN", "NONE", "HELD"}
    erasure = Erasure.objects.get()
    assert erasure.kind == Erasure.Kind.RETENTION
    assert erasure.erased_by is None
    assert erasure.erased_at.date() == GONE_ON
    event = AuditEvent.objects.get(action="retention.apply")
    assert event.detail == {"erased": 1, "months": 96, "as_of": "2025-01-10"}


def test_an_organisations_own_period_is_used(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    _person(tenant_a, "A-1", ENDED)
    _person(tenant_b, "B-1", ENDED)
    retention_set(
        organisation=tenant_b.organisation,
        months=120,
        actor=tenant_b.members["org_admin"].user,
    )
    with clock(GONE_ON):
        retention_apply()
    assert _references(tenant_a) == set()
    assert _references(tenant_b) == {"B-1"}
    with clock(months_after(ENDED, 120)):
        retention_apply()
    assert _references(tenant_b) == set()


def test_the_command_dry_runs_and_runs(tenant_a: Tenant) -> None:
    _person(tenant_a, "GONE", ENDED)
    out = io.StringIO()
    with clock(GONE_ON):
        call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would erase 1 person(s) in all, as of 2025-01-10." in out.getvalue()
    assert _references(tenant_a) == {"GONE"}
    out = io.StringIO()
    call_command("apply_retention", "--today", "2025-01-10", stdout=out)
    assert "Erased 1 person(s) in all" in out.getvalue()
    assert _references(tenant_a) == set()
    out = io.StringIO()
    call_command("apply_retention", "--today", "2025-01-10", stdout=out)
    assert "No one is past their retention period" in out.getvalue()


def test_the_daily_task_runs_the_job(tenant_a: Tenant) -> None:
    from openproms.core.periodic import JOBS
    from openproms.governance.tasks import apply_retention

    assert "openproms.governance.tasks.apply_retention" in {j.task for j in JOBS}
    _person(tenant_a, "GONE", ENDED)
    with clock(GONE_ON):
        result: Any = apply_retention.enqueue()
    assert result.return_value == 1
