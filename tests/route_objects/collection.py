"""Route objects of the collection app (see tests/route_objects/__init__.py)."""

from __future__ import annotations

from typing import Any

from openproms.collection.models import MeasurementPlan, PlanRule
from tests.conftest import Tenant
from tests.route_objects import collection_answering as _answering


def _plan(tenant: Tenant, made: dict[str, Any]) -> MeasurementPlan:
    return MeasurementPlan.objects.create(
        organisation=tenant.organisation,
        service=tenant.service,
        name=f"Matrix plan {tenant.organisation.slug}",
    )


def _rule(tenant: Tenant, made: dict[str, Any]) -> PlanRule:
    plan = made.get("plan_pk") or _plan(tenant, made)
    return PlanRule.objects.create(
        plan=plan, measure_id="gad7", measure_version="1", kind=PlanRule.Kind.START
    )


FACTORIES: dict = {
    **_answering.FACTORIES,
    # time_point_pk (a pending PHQ-9 on the worker's caseload) comes from answering.
    "plan_pk": _plan,
    "rule_pk": _rule,
}
