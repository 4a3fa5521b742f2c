"""Research consent: whether a person's answers may be used for research.

openproms' consent kinds (people.Consent: taking part, sharing with funders,
sharing with their GP) have none for research, and the people app's tables are
not this app's to change, so the decision lives here (:class:`ResearchConsent`;
decision 0025). Unlike the other kinds, nothing is assumed: only a "yes" in
force (the latest decision) lets a person into a research extract, and a
restricted person is never in one (people.consent.restricted).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.people.consent import restricted
from openproms.people.models import ServiceUser
from openproms.sharing.models import ResearchConsent


def research_decision_in_force(service_user_id: int) -> ResearchConsent | None:
    return (
        ResearchConsent.objects.filter(service_user_id=service_user_id)
        .order_by("-recorded_at", "-id")
        .first()
    )


def people_in_research(organisation: Organisation) -> QuerySet[ServiceUser]:
    """The organisation's people whose research decision in force is yes and
    whose data is not restricted."""
    latest = (
        ResearchConsent.objects.filter(service_user=OuterRef("pk"))
        .order_by("-recorded_at", "-id")
        .values("given")[:1]
    )
    ever_yes = ResearchConsent.objects.filter(
        service_user__organisation=organisation, given=True
    ).values("service_user_id")
    return (
        ServiceUser.objects.filter(organisation=organisation, pk__in=ever_yes)
        .annotate(research_now=Subquery(latest))
        .filter(research_now=True)
        .exclude(pk__in=restricted(organisation).values("pk"))
    )


@transaction.atomic
def research_consent_record(
    *,
    service_user: ServiceUser,
    given: bool,
    decided_on: dt.date,
    note: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> ResearchConsent:
    """Record a research decision made on ``decided_on`` (today: now)."""
    today = timezone.localdate()
    recorded_at = (
        timezone.now()
        if decided_on == today
        else timezone.make_aware(dt.datetime.combine(decided_on, dt.time(12)))
    )
    decision = ResearchConsent.objects.create(
        service_user=service_user,
        given=given,
        recorded_at=recorded_at,
        recorded_by=actor,
        note=note,
    )
    log_action(
        action="research_consent.record",
        actor=actor,
        organisation=service_user.organisation,
        obj=decision,
        request=request,
        detail={"given": given},
    )
    return decision
