"""PostgreSQL row-level security holds for API requests too (decision 0016): the
token gate names the token's organisation on the connection, so a raw query with
no organisation filter sees nothing of another organisation's, and the request
ends with nothing named."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from openproms.core.row_security import organisation_named
from tests.api.helpers import api_get, make_token
from tests.conftest import Tenant
from tests.core.row_security_urls import visible_counts
from tests.core.test_row_security import both, owned_counts, probe_role
from tests.route_objects import FACTORIES

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; SQLite has none",
    ),
    pytest.mark.urls("tests.api.row_security_urls"),
]

__all__ = ["FACTORIES", "both", "probe_role"]


def test_an_api_request_for_one_organisation_sees_nothing_of_another(
    both: tuple[Tenant, Tenant], probe_role: Any
) -> None:
    a, b = both
    made = make_token(a)
    everything = visible_counts()
    owned_by_a = owned_counts(a.organisation)
    owned_by_b = owned_counts(b.organisation)
    assert sum(1 for n in owned_by_b.values() if n) >= 20, owned_by_b

    response = api_get(
        made.secret, f"/o/{a.organisation.slug}/api/v1/row-security-probe"
    )
    seen = response.json()

    # The audit event of this very use is written after the probe counted.
    assert seen == owned_by_a
    for table, n in owned_by_b.items():
        if n:
            assert seen[table] <= everything[table] - n, table
    assert organisation_named() is None
