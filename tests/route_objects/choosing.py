"""Route objects of the choosing app (see tests/route_objects/__init__.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openproms.choosing.models import MeasureTrial
from openproms.collection.models import MeasurementPlan
from tests.conftest import Tenant


def _trial(tenant: Tenant, made: dict[str, Any]) -> MeasureTrial:
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name=f"Matrix trial {tenant.organisation.slug}",
        is_pilot=True,
    )
    today = timezone.localdate()
    return MeasureTrial.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        plan=plan,
        measure_id="gad7",
        measure_version="1",
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
    )


FACTORIES: dict = {"trial_pk": _trial}
