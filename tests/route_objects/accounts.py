"""Route objects of the accounts app."""

from __future__ import annotations

from typing import Any

from openproms.accounts.models import Invitation
from openproms.accounts.policy import Role
from tests.conftest import Tenant


def _invitation(tenant: Tenant, made: dict[str, Any]) -> Invitation:
    return Invitation.objects.create(
        organisation=tenant.organisation,
        email=f"new@{tenant.organisation.slug}.test",
        role=Role.WORKER,
        token_hash=f"hash-{tenant.organisation.slug}",
        expires_at="2999-01-01T00:00:00Z",
    )


# Each factory gets the tenant and the objects made so far (by keyword), so one
# object can build on another (an episode on a person, say).
FACTORIES = {
    "service_pk": lambda tenant, made: tenant.service,
    "member_pk": lambda tenant, made: tenant.members[Role.VIEWER.value],
    "invitation_pk": _invitation,
}
