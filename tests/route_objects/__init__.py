"""Objects for the authorisation matrix: one factory per URL keyword argument.

Each organisation route names its objects with a distinct keyword (``service_pk``,
``person_pk`` ...). For every such keyword, the module of its app registers a
factory that makes one object of that kind in a tenant, visible to the tenant's
worker (so the matrix can tell "the role may not" from "not on the caseload").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Tenant
from tests.route_objects import (
    accounts,
    api,
    catalogue,
    choosing,
    collection,
    imports,
    people,
    reports,
    scans,
    sharing,
    translations,
)

Factory = Callable[[Tenant, dict[str, Any]], Any]

FACTORIES: dict[str, Factory] = {
    **accounts.FACTORIES,
    **catalogue.FACTORIES,
    **people.FACTORIES,
    **collection.FACTORIES,
    **reports.FACTORIES,
    **scans.FACTORIES,
    **translations.FACTORIES,
    **sharing.FACTORIES,
    **imports.FACTORIES,
    **choosing.FACTORIES,
    **api.FACTORIES,
}
