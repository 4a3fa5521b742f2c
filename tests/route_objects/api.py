"""Route objects of the api app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from openproms.accounts.policy import Role
from openproms.api.models import ApiToken
from tests.conftest import Tenant


def _api_token(tenant: Tenant, made: dict[str, Any]) -> ApiToken:
    return ApiToken.objects.create(
        organisation=tenant.organisation,
        name="Warehouse",
        prefix=f"t{tenant.organisation.pk:07d}"[:8],
        secret_hash="0" * 64,
        access=ApiToken.Access.READ,
        expires_on=dt.date(2999, 1, 1),
        created_by=tenant.members[Role.ORG_ADMIN.value].user,
    )


FACTORIES = {"api_token_pk": _api_token}
