"""Route objects of the reports app: contracts (contract keywords)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openproms.accounts.models import CommissionerBody
from openproms.reports.models import Contract, ContractRequirement
from tests.conftest import Tenant

# The commissioner fixture's body: a contract of the tenant funded by it, so the
# commissioner routes of the matrix can open it too.
BODY_SLUG = "north-icb"


def _contract(tenant: Tenant, made: dict[str, Any]) -> Contract:
    body, _ = CommissionerBody.objects.get_or_create(
        slug=BODY_SLUG, defaults={"name": "North ICB"}
    )
    contract = Contract.objects.create(
        organisation=tenant.organisation,
        commissioner=body,
        name=f"{tenant.organisation.name} contract",
        start_date=dt.date(2025, 4, 1),
        end_date=dt.date(2026, 3, 31),
    )
    contract.services.set([tenant.service])
    ContractRequirement.objects.create(
        contract=contract, measure_id="phq9", figures=["reach", "mean_change"]
    )
    return contract


FACTORIES = {"contract_pk": _contract}
