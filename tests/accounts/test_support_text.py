"""The organisation's support text: an organisation admin sets it (audited), clearing
it brings back the default, too long is refused without changing anything, and no
other role may change it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.accounts.selectors import DEFAULT_SUPPORT_TEXT, support_text_for
from openproms.audit.models import AuditEvent
from tests.conftest import Tenant, verified_client

pytestmark = pytest.mark.django_db

URL = reverse("accounts:support_text", kwargs={"org_slug": "alpha"})
OWN = "Call our duty line on 01632 960000, 9am to 5pm.\n\nOut of hours: NHS 111."


def test_the_default_is_in_use_until_an_admin_writes_their_own(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    page = client.get(URL).content.decode()
    assert "What people read when they may need support" in page
    assert "116 123" in page and "NHS 111" in page
    saved = client.post(URL, {"support_text": f"  {OWN}  "})
    assert saved.status_code == 302 and saved["Location"] == URL
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.support_text == OWN
    assert support_text_for(tenant_a.organisation) == OWN
    event = AuditEvent.objects.get(action="organisation.support_text.update")
    assert event.actor == tenant_a.members["org_admin"].user
    assert event.detail == {"from": "", "to": OWN, "default": False}
    assert "Support text saved." in client.get(URL).content.decode()


def test_clearing_the_text_brings_back_the_default(tenant_a: Tenant) -> None:
    tenant_a.organisation.support_text = OWN
    tenant_a.organisation.save()
    client = verified_client(tenant_a.members["org_admin"].user)
    client.post(URL, {"support_text": "   "})
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.support_text == ""
    assert support_text_for(tenant_a.organisation) == DEFAULT_SUPPORT_TEXT
    assert "the default text" in client.get(URL).content.decode()


def test_too_long_a_text_is_refused_and_nothing_changes(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    refused = client.post(URL, {"support_text": "x" * 2001})
    assert refused.status_code == 400
    assert (
        "The support text must be 2,000 characters or fewer" in refused.content.decode()
    )
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.support_text == ""
    assert not AuditEvent.objects.filter(
        action="organisation.support_text.update"
    ).exists()


@pytest.mark.parametrize("role", ["manager", "worker", "data_officer", "viewer"])
def test_only_an_organisation_admin_may_change_it(tenant_a: Tenant, role: str) -> None:
    client = verified_client(tenant_a.members[role].user)
    assert client.post(URL, {"support_text": "Mine"}).status_code == 403
    tenant_a.organisation.refresh_from_db()
    assert tenant_a.organisation.support_text == ""


def test_another_organisations_admin_cannot_reach_it(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    client = verified_client(tenant_b.members["org_admin"].user)
    assert client.get(URL).status_code == 404


def test_the_organisation_home_links_admins_to_it(tenant_a: Tenant) -> None:
    home = reverse("core:org_home", kwargs={"org_slug": "alpha"})
    admin = verified_client(tenant_a.members["org_admin"].user)
    assert URL in admin.get(home).content.decode()
    worker = verified_client(tenant_a.members["worker"].user)
    assert URL not in worker.get(home).content.decode()
