"""PostgreSQL row-level security, the second wall between organisations (decision
0016): a raw query with no organisation filter, in a request or a task for one
organisation, sees nothing of another's; with no organisation named, everything."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from openproms.accounts.models import Organisation
from openproms.core.row_security import (
    organisation_named,
    organisation_scope,
    organisation_set,
)
from tests.conftest import Tenant, verified_client
from tests.core import row_security_urls
from tests.core.row_security_urls import visible_counts, walled_tables
from tests.route_objects import FACTORIES

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row-level security is PostgreSQL's; SQLite has none",
    ),
    pytest.mark.urls("tests.core.row_security_urls"),
]

MIGRATIONS = [
    "openproms.accounts.migrations.0003_row_level_security",
    "openproms.audit.migrations.0005_row_level_security",
    "openproms.catalogue.migrations.0002_row_level_security",
    "openproms.collection.migrations.0009_row_level_security",
    "openproms.people.migrations.0003_row_level_security",
    "openproms.reports.migrations.0002_row_level_security",
    "openproms.scans.migrations.0004_row_level_security",
    "openproms.governance.migrations.0002_row_level_security",
    "openproms.translations.migrations.0002_row_level_security",
    "openproms.sharing.migrations.0002_row_level_security",
    "openproms.imports.migrations.0002_row_level_security",
    "openproms.choosing.migrations.0002_row_level_security",
    "openproms.api.migrations.0002_row_level_security",
    "openproms.reminders.migrations.0002_row_level_security",
]


def policy_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for name in MIGRATIONS:
        tables.update(importlib.import_module(name).TABLES)
    return tables


def owned_counts(organisation: Organisation) -> dict[str, int]:
    """Each walled table's rows that belong to ``organisation`` (read with nothing
    named, so every row is visible, and filtered here by hand)."""
    counts = {}
    with connection.cursor() as cursor:
        for table, options in policy_tables().items():
            if "parent" in options:
                column, parent = options["parent"]
                cursor.execute(
                    f"SELECT count(*) FROM {table} JOIN {parent} AS p"  # noqa: S608
                    f" ON p.id = {table}.{column} WHERE p.organisation_id = %s",
                    [organisation.pk],
                )
            elif "recipient_id" in options.get("also_visible", ""):
                # A share is seen by its sender and by the practice it is for.
                cursor.execute(
                    f"SELECT count(*) FROM {table}"  # noqa: S608
                    " WHERE organisation_id = %s OR recipient_id = %s",
                    [organisation.pk, organisation.pk],
                )
            else:
                cursor.execute(
                    f"SELECT count(*) FROM {table} WHERE organisation_id = %s",  # noqa: S608
                    [organisation.pk],
                )
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture
def probe_role(db: None) -> Iterator[None]:
    """A superuser passes every policy: then the probe reads as a plain role made
    for this test (rolled back with it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        if cursor.fetchone()[0]:
            name = f"{connection.settings_dict['NAME']}_probe"
            cursor.execute(f"CREATE ROLE {name} NOLOGIN")
            cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {name}")
            row_security_urls.PROBE_ROLE["name"] = name
    yield
    row_security_urls.PROBE_ROLE.clear()


@pytest.fixture
def both(tenant_a: Tenant, tenant_b: Tenant, probe_role: None) -> tuple[Tenant, Tenant]:
    """One object of every kind a URL names, in each organisation."""
    for tenant in (tenant_a, tenant_b):
        made: dict[str, Any] = {}
        for keyword, factory in FACTORIES.items():
            made[keyword] = factory(tenant, made)
    return tenant_a, tenant_b


def test_every_table_with_an_organisation_is_behind_the_wall(db: None) -> None:
    walled = set(walled_tables())
    assert walled == set(policy_tables())
    for model in apps.get_models():
        if any(
            field.name == "organisation"
            and getattr(field, "related_model", None) is Organisation
            for field in model._meta.get_fields()
        ):
            assert model._meta.db_table in walled, model._meta.label


def test_a_request_for_one_organisation_sees_nothing_of_another(
    both: tuple[Tenant, Tenant],
) -> None:
    a, b = both
    everything = visible_counts()
    owned_by_a = owned_counts(a.organisation)
    owned_by_b = owned_counts(b.organisation)
    # The other organisation has rows in most tables, so the wall has work to do.
    assert sum(1 for n in owned_by_b.values() if n) >= 20, owned_by_b

    client = verified_client(a.members["viewer"].user)
    seen = client.get(f"/o/{a.organisation.slug}/row-security-probe/").json()

    assert seen == owned_by_a
    for table, n in owned_by_b.items():
        if n:
            assert seen[table] <= everything[table] - n, table
    # The request ends with nothing named on the connection.
    assert organisation_named() is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('openproms.organisation_id', true)")
        assert cursor.fetchone()[0] in ("", None)
    assert visible_counts() == everything


def test_the_switcher_still_lists_a_persons_memberships_of_other_organisations(
    both: tuple[Tenant, Tenant],
) -> None:
    from openproms.accounts.models import Membership
    from openproms.accounts.policy import Role

    a, b = both
    user = a.members["manager"].user
    Membership.objects.create(user=user, organisation=b.organisation, role=Role.VIEWER)
    page = verified_client(user).get(f"/o/{a.organisation.slug}/")
    assert page.status_code == 200
    names = [m.organisation.name for m in page.context["my_memberships"]]
    assert sorted(names) == sorted([a.organisation.name, b.organisation.name])


def test_a_task_for_one_organisation_sees_nothing_of_another(
    both: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    from openproms.scans import read_services, tasks
    from openproms.scans.models import ScanBatch

    a, _b = both
    seen: dict[str, int] = {}

    def batch_read(batch_pk: int) -> None:
        seen.update(visible_counts())

    monkeypatch.setattr(read_services, "batch_read", batch_read)
    batch = ScanBatch.objects.filter(organisation=a.organisation).first()
    assert batch is not None
    tasks.read_batch.enqueue(batch.pk)

    assert seen == owned_counts(a.organisation)
    assert organisation_named() is None


def test_with_no_organisation_named_every_row_is_visible(
    both: tuple[Tenant, Tenant],
) -> None:
    a, b = both
    owned_by_a, owned_by_b = owned_counts(a.organisation), owned_counts(b.organisation)
    everything = visible_counts()
    for table, n in everything.items():
        assert n >= owned_by_a[table] + owned_by_b[table], table
    # A scope for one organisation, then none again.
    with organisation_scope(b.organisation.pk):
        assert visible_counts() == owned_by_b
    assert visible_counts() == everything


def test_a_row_for_another_organisation_cannot_be_written_in_a_request_for_one(
    both: tuple[Tenant, Tenant],
) -> None:
    from django.db import DatabaseError, transaction

    from openproms.people.models import ServiceUser

    a, b = both
    person = ServiceUser.objects.filter(organisation=b.organisation).first()
    assert person is not None
    if row_security_urls.PROBE_ROLE:
        pytest.skip("connected as a superuser, who passes every policy")
    organisation_set(a.organisation.pk)
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            ServiceUser.objects.create(
                organisation=b.organisation, given_name="X", family_name="Y"
            )
        # An update of another organisation's row finds nothing to update.
        assert ServiceUser.objects.filter(pk=person.pk).update(given_name="Z") == 0
    finally:
        organisation_set(None)


def test_a_self_completion_link_names_its_organisation(tenant_a: Tenant) -> None:
    """Link pages have no organisation in their address: finding the link names
    it, so the rest of the request is walled like any other."""
    from openproms.collection import links
    from openproms.reports import progress_services
    from tests.route_objects.collection_answering import due_person

    person, _episode, points = due_person(tenant_a, reference="L-1")
    created = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=tenant_a.members["worker"].user,
    )
    organisation_set(None)
    found = links.link_for_token(created.token)
    assert found is not None
    assert organisation_named() == tenant_a.organisation.pk
    organisation_set(None)
    assert progress_services.link_for_progress(created.token) is not None
    assert organisation_named() == tenant_a.organisation.pk
    organisation_set(None)
    assert progress_services.link_get_valid(found.pk) is not None
    assert organisation_named() == tenant_a.organisation.pk
    organisation_set(None)
