"""Demo contracts: the ICB and a council both fund Riverside's wellbeing course,
so the burden view and the commissioner reports have real content.

Idempotent: bodies, users and contracts are found by name before being made.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openproms.accounts import services as account_services
from openproms.accounts.models import CommissionerBody, Organisation, Service, User
from openproms.core.demo import DEMO_PASSWORD, DemoContext, DemoLogin
from openproms.reports import contract_services
from openproms.reports.contract_forms import FIGURE_CODES
from openproms.reports.models import Contract, ContractRequirement

COUNCIL = {
    "name": "Northshire County Council",
    "slug": "northshire-council",
    "kind": CommissionerBody.Kind.COUNCIL,
    "user": ("commissioner@northshire-council.example", "Colin Marsh"),
}

# (body slug, contract name, reference, services, measures)
CONTRACTS = [
    (
        "northshire-icb",
        "Mental wellbeing in the community",
        "ICB-MH-2025-014",
        ["Wellbeing course", "Social prescribing link"],
        ["ons4", "core10"],
    ),
    (
        "northshire-council",
        "Connected communities",
        "NCC-PH-2025-07",
        ["Wellbeing course", "Peer support groups"],
        ["ons4", "ucla3"],
    ),
]


def _contract_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Two years from the first of the month a year ago, so the demo's year of
    answers falls inside."""
    year_ago = today - dt.timedelta(days=365)
    start = year_ago.replace(day=1)
    end = start.replace(year=start.year + 2) - dt.timedelta(days=1)
    return start, end


@transaction.atomic
def seed(context: DemoContext) -> None:
    council = CommissionerBody.objects.filter(slug=COUNCIL["slug"]).first()
    if council is None:
        council = account_services.commissioner_body_create(
            name=str(COUNCIL["name"]),
            slug=str(COUNCIL["slug"]),
            kind=str(COUNCIL["kind"]),
            is_demo=True,
        )
    email, full_name = COUNCIL["user"]  # type: ignore[misc]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            username=email, email=email, password=DEMO_PASSWORD, full_name=full_name
        )
    account_services.commissioner_user_add(user=user, body=council)
    context.logins.append(
        DemoLogin(email=email, role=f"Commissioner at {council.name}", where="")
    )
    riverside = Organisation.objects.filter(slug="riverside").first()
    if riverside is None:
        return
    start, end = _contract_period(timezone.localdate())
    for body_slug, name, reference, service_names, measures in CONTRACTS:
        body = CommissionerBody.objects.filter(slug=body_slug).first()
        if (
            body is None
            or Contract.objects.filter(organisation=riverside, name=name).exists()
        ):
            continue
        contract_services.contract_create(
            organisation=riverside,
            commissioner=body,
            name=name,
            reference=reference,
            services=Service.objects.filter(
                organisation=riverside, name__in=service_names
            ),
            start_date=start,
            end_date=end,
            disclosure_rule=Contract.DisclosureRule.NHS,
            include_pilot=False,
            measures=measures,
            time_points=ContractRequirement.TimePoints.START_AND_LATEST,
            figures=list(FIGURE_CODES),
            actor=None,
        )
    context.objects["contracts"] = list(Contract.objects.filter(organisation=riverside))
