"""Route objects of the sharing app: a summary the tenant sent (``share_pk``), one
it received as a GP practice (``received_pk``) and a research project whose
approver is the tenant's organisation admin (``project_pk``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openproms.accounts.models import Organisation
from openproms.people.models import ServiceUser
from openproms.sharing.models import GpShare, ResearchProject
from tests.conftest import Tenant
from tests.route_objects.people import _person


def _share(
    sender: Organisation,
    person: ServiceUser,
    recipient: Organisation | None,
    status: str,
) -> GpShare:
    return GpShare.objects.create(
        organisation=sender,
        recipient=recipient,
        practice_name=recipient.name if recipient else "Elm Tree Surgery",
        service_user=person,
        nhs_number="9434765919",
        given_name="Robin",
        family_name="Example",
        record_text="Patient-reported outcome measures summary.",
        pdf=b"%PDF-1.4",
        bundle={"resourceType": "Bundle", "type": "collection", "entry": []},
        status=status,
    )


def _sent(tenant: Tenant, made: dict[str, Any]) -> GpShare:
    person = made.get("person_pk") or _person(tenant, made)
    return _share(tenant.organisation, person, None, GpShare.Status.DOWNLOADED)


def _received(tenant: Tenant, made: dict[str, Any]) -> GpShare:
    slug = f"sender-{tenant.organisation.slug}"
    sender, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": f"Sender to {tenant.organisation.name}"}
    )
    person, _ = ServiceUser.objects.get_or_create(
        organisation=sender, reference="S-1", defaults={"given_name": "Robin"}
    )
    return _share(sender, person, tenant.organisation, GpShare.Status.SENT)


def _project(tenant: Tenant, made: dict[str, Any]) -> ResearchProject:
    today = timezone.localdate()
    return ResearchProject.objects.create(
        organisation=tenant.organisation,
        name=f"Study of {tenant.organisation.name}",
        purpose="Outcomes over time.",
        approver=tenant.members["org_admin"].user,
        approval_date=today - dt.timedelta(days=1),
        expiry_date=today + dt.timedelta(days=365),
        fields=["age_band"],
        approved_at=timezone.now(),
    )


FACTORIES = {"share_pk": _sent, "received_pk": _received, "project_pk": _project}
