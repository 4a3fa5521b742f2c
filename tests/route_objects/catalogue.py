"""Route objects of the catalogue app (see tests/route_objects/__init__.py).

Measure pages take two string keywords, ``measure_id`` and ``measure_version``.
The measure made here is the tenant's own (bespoke) measure, so another
organisation asking for it gets a 404 like any other record; it is also marked as
in use, so pages that answer a measure can use it.
"""

from __future__ import annotations

import types
from typing import Any

from openproms.catalogue.models import BespokeMeasure, OrganisationMeasure
from openproms.scoring import ladder_definition
from tests.conftest import Tenant

VERSION = "1"


def _measure_id(tenant: Tenant, made: dict[str, Any]) -> types.SimpleNamespace:
    measure_id = f"ladder_{tenant.organisation.slug.replace('-', '_')}"
    definition = ladder_definition(
        measure_id,
        f"{tenant.organisation.name} ladder",
        [("home", "Home"), ("work", "Work")],
        version=VERSION,
        kind="bespoke",
    )
    BespokeMeasure.objects.get_or_create(
        organisation=tenant.organisation,
        measure_id=measure_id,
        measure_version=VERSION,
        defaults={"definition": dict(definition.raw)},
    )
    OrganisationMeasure.objects.get_or_create(
        organisation=tenant.organisation,
        measure_id=measure_id,
        measure_version=VERSION,
    )
    return types.SimpleNamespace(pk=measure_id)


FACTORIES = {
    "measure_id": _measure_id,
    "measure_version": lambda tenant, made: types.SimpleNamespace(pk=VERSION),
}
