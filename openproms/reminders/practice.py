"""Practice mode: a training organisation with made-up people, for staff to learn
on, that never mixes with real data (decision 0030).

Each real organisation may have one practice organisation beside it (its slug
ends in ``-practice``), marked ``Organisation.is_training``: every commissioner
report, every figure across organisations and the collection alerts leave it
out, and no reminder is ever sent from it. A member who opens practice mode
becomes a member of it with the same role. Its made-up people, plans and a
year of answers come from the demo seeding code (``collection.demo``);
refreshing wipes them and seeds again.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.audit.services import log_action
from openproms.collection import demo as collection_demo
from openproms.collection.models import MeasurementPlan
from openproms.people.models import GroupSession, ServiceUser

SERVICE = "Wellbeing course"
PEOPLE = 8
SUFFIX = "-practice"


def practice_slug(organisation: Organisation) -> str:
    return f"{organisation.slug[: 60 - len(SUFFIX)]}{SUFFIX}"


def practice_for(organisation: Organisation) -> Organisation | None:
    return Organisation.objects.filter(
        slug=practice_slug(organisation), is_training=True
    ).first()


def _seed(practice: Organisation, worker: User) -> int:
    service = Service.objects.filter(organisation=practice, name=SERVICE).first()
    if service is None:
        service = Service.objects.create(
            organisation=practice,
            name=SERVICE,
            description="A made-up course for practice. Nothing here is real.",
        )
    collection_demo._plan(service, *collection_demo.PLANS[SERVICE])
    rng = random.Random(f"practice-{practice.slug}")  # noqa: S311 - made-up people
    collection_demo._people(service, worker, rng, timezone.localdate(), PEOPLE)
    return PEOPLE


def _wipe(practice: Organisation) -> None:
    """Delete every made-up person, plan and group of the practice organisation
    (their episodes, time points, answers and reminders go with them)."""
    from openproms.collection.models import Administration

    Administration.objects.filter(organisation=practice).delete()
    ServiceUser.objects.filter(organisation=practice).delete()
    GroupSession.objects.filter(organisation=practice).delete()
    MeasurementPlan.objects.filter(organisation=practice).delete()


@transaction.atomic
def practice_open(*, membership: Membership) -> Organisation:
    """The practice organisation of the member's organisation (made and seeded
    the first time), with the member in it in the same role."""
    organisation = membership.organisation
    if organisation.is_training:
        return organisation
    practice = practice_for(organisation)
    if practice is None:
        practice = Organisation.objects.create(
            name=f"{organisation.name} (practice)"[:200],
            slug=practice_slug(organisation),
            kind=organisation.kind,
            is_training=True,
        )
    Membership.objects.get_or_create(
        user=membership.user,
        organisation=practice,
        defaults={"role": membership.role},
    )
    if not ServiceUser.objects.filter(organisation=practice).exists():
        _seed(practice, membership.user)
    log_action(
        action="practice.open",
        actor=membership.user,
        organisation=organisation,
        obj=practice,
    )
    return practice


@transaction.atomic
def practice_refresh(*, practice: Organisation, actor: User) -> int:
    """Wipe the practice organisation's made-up records and seed them again."""
    if not practice.is_training:
        raise ValueError("Only a practice organisation can be refreshed.")
    _wipe(practice)
    made = _seed(practice, actor)
    log_action(
        action="practice.refresh", actor=actor, organisation=practice, obj=practice
    )
    return made
