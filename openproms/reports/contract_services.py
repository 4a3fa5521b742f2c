"""Writes for contracts and the audit record of every report download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from openproms.accounts.models import CommissionerBody, Organisation, Service, User
from openproms.audit.services import log_action
from openproms.reports.models import Contract, ContractRequirement


class ConcurrentEditError(Exception):
    """Someone else saved the contract since this form was opened."""


def _set_requirements(
    contract: Contract, *, measures: Iterable[str], time_points: str, figures: list[str]
) -> None:
    measures = list(dict.fromkeys(measures))
    contract.requirements.exclude(measure_id__in=measures).delete()
    for measure_id in measures:
        ContractRequirement.objects.update_or_create(
            contract=contract,
            measure_id=measure_id,
            defaults={"time_points": time_points, "figures": list(figures)},
        )


def _detail(contract: Contract) -> dict[str, Any]:
    return {
        "name": contract.name,
        "commissioner": contract.commissioner.slug,
        "services": sorted(s.pk for s in contract.services.all()),
        "start": contract.start_date.isoformat(),
        "end": contract.end_date.isoformat(),
        "disclosure_rule": contract.disclosure_rule,
        "include_pilot": contract.include_pilot,
        "requirements": [
            [r.measure_id, r.time_points, r.figures]
            for r in contract.requirements.all()
        ],
    }


@transaction.atomic
def contract_create(
    *,
    organisation: Organisation,
    commissioner: CommissionerBody,
    name: str,
    reference: str,
    services: Iterable[Service],
    start_date: dt.date,
    end_date: dt.date,
    disclosure_rule: str,
    include_pilot: bool,
    measures: Iterable[str],
    time_points: str,
    figures: list[str],
    actor: User | None,
    request: HttpRequest | None = None,
) -> Contract:
    contract = Contract.objects.create(
        organisation=organisation,
        commissioner=commissioner,
        name=name,
        reference=reference,
        start_date=start_date,
        end_date=end_date,
        disclosure_rule=disclosure_rule,
        include_pilot=include_pilot,
        created_by=actor,
    )
    contract.services.set(list(services))
    _set_requirements(
        contract, measures=measures, time_points=time_points, figures=figures
    )
    log_action(
        action="contract.create",
        actor=actor,
        organisation=organisation,
        obj=contract,
        request=request,
        detail=_detail(contract),
    )
    return contract


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    expected_version: int,
    commissioner: CommissionerBody,
    name: str,
    reference: str,
    services: Iterable[Service],
    start_date: dt.date,
    end_date: dt.date,
    disclosure_rule: str,
    include_pilot: bool,
    measures: Iterable[str],
    time_points: str,
    figures: list[str],
    actor: User | None,
    request: HttpRequest | None = None,
) -> Contract:
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "Someone else saved this contract while you were editing it. "
            "Open it again to see their changes."
        )
    before = _detail(locked)
    locked.commissioner = commissioner
    locked.name = name
    locked.reference = reference
    locked.start_date = start_date
    locked.end_date = end_date
    locked.disclosure_rule = disclosure_rule
    locked.include_pilot = include_pilot
    locked.version += 1
    locked.save()
    locked.services.set(list(services))
    _set_requirements(
        locked, measures=measures, time_points=time_points, figures=figures
    )
    log_action(
        action="contract.update",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={"before": before, "after": _detail(locked)},
    )
    return locked


def report_export_log(
    *,
    contract: Contract,
    file_format: str,
    start: dt.date,
    end: dt.date,
    actor: User | None,
    request: HttpRequest | None = None,
) -> None:
    """Record one download of a commissioner report (PDF, Excel or CSV)."""
    log_action(
        action="report.export",
        actor=actor,
        organisation=contract.organisation,
        obj=contract,
        request=request,
        detail={
            "format": file_format,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "commissioner": contract.commissioner.slug,
        },
    )
