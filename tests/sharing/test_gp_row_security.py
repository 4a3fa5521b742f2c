"""Row-level security on shared summaries (PostgreSQL): a share is the sending
organisation's row that the practice it is addressed to may read and settle;
nobody else sees it, and a practice cannot make a share in another's name."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, transaction

from openproms.core.row_security import organisation_set
from openproms.sharing.models import GpShare
from tests.conftest import Tenant, _tenant
from tests.people import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; SQLite has none",
    ),
]


@pytest.fixture
def as_plain_role(db: None) -> Iterator[None]:
    """Superusers pass every policy: run the checks as a plain role."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        plain = not cursor.fetchone()[0]
        if not plain:
            name = f"{connection.settings_dict['NAME']}_sharing_probe"
            cursor.execute(f"CREATE ROLE {name} NOLOGIN")
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO {name}"
            )
            cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {name}")
            cursor.execute(f"SET ROLE {name}")
    yield
    organisation_set(None)
    if not plain:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _share(sender: Tenant, recipient: Tenant) -> GpShare:
    person = factories.person(sender, f"R-{recipient.organisation.slug}")
    return GpShare.objects.create(
        organisation=sender.organisation,
        recipient=recipient.organisation,
        practice_name=recipient.organisation.name,
        service_user=person,
        record_text="Summary.",
        pdf=b"%PDF",
        bundle={},
        status=GpShare.Status.SENT,
    )


@pytest.mark.usefixtures("as_plain_role")
def test_only_the_sender_and_the_practice_addressed_see_a_share(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    gamma = _tenant("gamma", "Gamma Practice")
    to_b = _share(tenant_a, tenant_b)
    to_gamma = _share(tenant_a, gamma)
    organisation_set(tenant_a.organisation.pk)
    assert set(GpShare.objects.values_list("pk", flat=True)) == {to_b.pk, to_gamma.pk}
    organisation_set(tenant_b.organisation.pk)
    assert list(GpShare.objects.values_list("pk", flat=True)) == [to_b.pk]
    # The practice sees the share, never the sender's record of the person.
    assert not type(to_b.service_user).objects.filter(pk=to_b.service_user_id).exists()
    organisation_set(gamma.organisation.pk)
    assert list(GpShare.objects.values_list("pk", flat=True)) == [to_gamma.pk]


@pytest.mark.usefixtures("as_plain_role")
def test_the_practice_may_settle_its_share_but_not_forge_one(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    gamma = _tenant("gamma", "Gamma Practice")
    to_b = _share(tenant_a, tenant_b)
    to_gamma = _share(tenant_a, gamma)
    person = to_b.service_user
    organisation_set(tenant_b.organisation.pk)
    assert list(GpShare.objects.values_list("pk", flat=True)) == [to_b.pk]
    assert GpShare.objects.filter(pk=to_b.pk).update(status="accepted") == 1
    # Another practice's share is not there to update.
    assert GpShare.objects.filter(pk=to_gamma.pk).update(status="accepted") == 0
    # Nor may the practice readdress its share, or send one in another's name.
    with pytest.raises(DatabaseError), transaction.atomic():
        GpShare.objects.filter(pk=to_b.pk).update(recipient=gamma.organisation)
    with pytest.raises(DatabaseError), transaction.atomic():
        GpShare.objects.create(
            organisation=tenant_a.organisation,
            recipient=tenant_b.organisation,
            practice_name="Forged",
            service_user=person,
            record_text="",
            pdf=b"",
            bundle={},
            status=GpShare.Status.SENT,
        )
