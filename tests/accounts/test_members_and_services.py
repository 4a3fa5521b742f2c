"""Managing services and members: edits, guards, concurrency and tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.accounts.models import Membership, Service
from openproms.audit.models import AuditEvent
from tests.conftest import Tenant, verified_client


@pytest.mark.django_db
def test_a_manager_adds_and_edits_a_service(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        reverse("accounts:service_create", kwargs={"org_slug": "alpha"}),
        {"name": "Men's shed", "description": "Weekly woodwork group"},
    )
    assert response.status_code == 302
    service = Service.objects.get(name="Men's shed")
    edit = reverse(
        "accounts:service_edit", kwargs={"org_slug": "alpha", "service_pk": service.pk}
    )
    response = client.post(
        edit,
        {
            "name": "Men's shed",
            "description": "Twice weekly",
            "is_active": "on",
            "version": 1,
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.description == "Twice weekly" and service.version == 2
    update = AuditEvent.objects.get(action="service.update")
    assert update.detail == {
        "description": {"from": "Weekly woodwork group", "to": "Twice weekly"}
    }


@pytest.mark.django_db
def test_a_stale_edit_is_refused_and_the_newer_one_kept(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    service = tenant_a.service
    edit = reverse(
        "accounts:service_edit", kwargs={"org_slug": "alpha", "service_pk": service.pk}
    )
    first = client.post(
        edit,
        {"name": service.name, "description": "first", "is_active": "on", "version": 1},
    )
    assert first.status_code == 302
    second = client.post(
        edit,
        {
            "name": service.name,
            "description": "second",
            "is_active": "on",
            "version": 1,
        },
    )
    assert second.status_code == 409
    assert b"Someone else changed this service" in second.content
    service.refresh_from_db()
    assert service.description == "first"


@pytest.mark.django_db
def test_a_service_name_must_be_given_and_unique_in_the_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse("accounts:service_create", kwargs={"org_slug": "alpha"})
    empty = client.post(url, {"name": "", "description": ""})
    assert empty.status_code == 400 and b"Enter a name for the service" in empty.content
    clash = client.post(url, {"name": "alpha charity SERVICE", "description": ""})
    assert (
        clash.status_code == 400
        and b"already has a service with this name" in clash.content
    )
    # The same name as another organisation's service is fine: tenants are separate.
    assert (
        client.post(
            url, {"name": "Beta Practice service", "description": ""}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_an_admin_changes_a_role_and_it_is_audited(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    viewer = tenant_a.members["viewer"]
    url = reverse(
        "accounts:member_role", kwargs={"org_slug": "alpha", "member_pk": viewer.pk}
    )
    assert client.post(url, {"role": "worker"}).status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == "worker"
    event = AuditEvent.objects.get(action="member.role_change")
    assert event.detail["from"] == "viewer" and event.detail["to"] == "worker"


@pytest.mark.django_db
def test_the_only_admin_cannot_be_demoted_or_removed(tenant_a: Tenant) -> None:
    admin = tenant_a.members["org_admin"]
    client = verified_client(admin.user)
    role = client.post(
        reverse(
            "accounts:member_role", kwargs={"org_slug": "alpha", "member_pk": admin.pk}
        ),
        {"role": "viewer"},
    )
    assert role.status_code == 400 and b"only admin" in role.content
    remove = client.post(
        reverse(
            "accounts:member_remove",
            kwargs={"org_slug": "alpha", "member_pk": admin.pk},
        )
    )
    assert remove.status_code == 400
    admin.refresh_from_db()
    assert admin.role == "org_admin"


@pytest.mark.django_db
def test_removing_a_member_ends_their_access_and_is_audited(tenant_a: Tenant) -> None:
    admin = verified_client(tenant_a.members["org_admin"].user)
    worker = tenant_a.members["worker"]
    worker_client = verified_client(worker.user)
    admin.post(
        reverse(
            "accounts:member_remove",
            kwargs={"org_slug": "alpha", "member_pk": worker.pk},
        )
    )
    assert not Membership.objects.filter(pk=worker.pk).exists()
    assert worker_client.get("/o/alpha/").status_code == 404
    assert AuditEvent.objects.filter(action="member.remove").count() == 1


@pytest.mark.django_db
def test_lists_and_counts_show_only_your_own_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    services = client.get(
        reverse("accounts:service_list", kwargs={"org_slug": "alpha"})
    ).content
    assert b"Alpha Charity service" in services and b"Beta Practice" not in services
    members = client.get(
        reverse("accounts:member_list", kwargs={"org_slug": "alpha"})
    ).content
    assert b"@alpha.test" in members and b"@beta.test" not in members
    home = client.get("/o/alpha/").content
    assert b"5 members" in home and b"Beta" not in home
    verified_client(tenant_b.members["org_admin"].user).get(
        reverse("accounts:member_list", kwargs={"org_slug": "beta"})
    )
    audit = client.get(reverse("audit:log", kwargs={"org_slug": "alpha"})).content
    assert b"@beta.test" not in audit


@pytest.mark.django_db
def test_a_tampered_role_is_refused_and_nothing_changes(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    viewer = tenant_a.members["viewer"]
    url = reverse(
        "accounts:member_role", kwargs={"org_slug": "alpha", "member_pk": viewer.pk}
    )
    response = client.post(url, {"role": "god"})
    assert (
        response.status_code == 400
        and b"Choose one of the roles listed" in response.content
    )
    viewer.refresh_from_db()
    assert viewer.role == "viewer"
