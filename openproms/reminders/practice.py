"""Training mode: a training organisation with made-up people, for staff to learn
on, that never mixes with real data (decision 0030).

Each real organisation may have one practice organisation beside it (its slug
ends in ``-practice``), marked ``Organisation.is_training``: every commissioner
report, every figure across organisations and the collection alerts leave it
out, and no reminder is ever sent from it. A member who opens training mode
becomes a member of it with the same role, with made-up people of their own on
their caseload: some with up to a year of answers (from the demo seeding code,
``collection.demo``) and some just started, their first measures due now.
Refreshing wipes them all and seeds each member's again.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.audit.services import log_action
from openproms.collection import demo as collection_demo
from openproms.collection.models import MeasurementPlan
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.people.models import Episode, GroupSession, ServiceUser

SERVICE = "Wellbeing course"
HISTORY = 8
"""Made-up people with up to a year of answers, for each member."""
NEW_STARTERS = 3
"""Made-up people who start today, their first measures due now: a member
practises collecting on them."""
PEOPLE = HISTORY + NEW_STARTERS
"""Made-up people on each member's caseload."""
SUFFIX = "-practice"


def practice_slug(organisation: Organisation) -> str:
    return f"{organisation.slug[: 60 - len(SUFFIX)]}{SUFFIX}"


def practice_for(organisation: Organisation) -> Organisation | None:
    return Organisation.objects.filter(
        slug=practice_slug(organisation), is_training=True
    ).first()


def _service(practice: Organisation) -> Service:
    service = Service.objects.filter(organisation=practice, name=SERVICE).first()
    if service is None:
        service = Service.objects.create(
            organisation=practice,
            name=SERVICE,
            description="A made-up course for training. Nothing here is real.",
        )
    if not MeasurementPlan.objects.filter(service=service).exists():
        collection_demo._plan(service, *collection_demo.PLANS[SERVICE])
    return service


def _numbers_used(practice: Organisation, prefix: str) -> int:
    """The highest number in the practice's ``PREFIX-0001`` references (0 when
    none): a member's made-up people are numbered on from it, past any a learner
    made with such a reference."""
    used = [0]
    for reference in ServiceUser.objects.filter(
        organisation=practice, reference__startswith=f"{prefix}-"
    ).values_list("reference", flat=True):
        tail = reference[len(prefix) + 1 :]
        if tail.isdigit():
            used.append(int(tail))
    return max(used)


def _seed_for(practice: Organisation, member: User) -> int:
    """Made-up people on ``member``'s own caseload (each member learns on their
    own, and a worker sees only their caseload): :data:`HISTORY` with answers
    over up to a year, and :data:`NEW_STARTERS` whose first measures are due now."""
    service = _service(practice)
    today = timezone.localdate()
    prefix = "".join(word[0] for word in SERVICE.split()).upper()
    first = _numbers_used(practice, prefix)
    rng = random.Random(f"practice-{practice.slug}-{member.pk}-{first}")  # noqa: S311 - made up
    collection_demo._people(service, member, rng, today, HISTORY, first=first)
    for index in range(first + HISTORY, first + PEOPLE):
        person = collection_demo.made_up_person(
            practice, f"{prefix}-{index + 1:04d}", rng
        )
        episode = Episode.objects.create(
            organisation=practice,
            service_user=person,
            service=service,
            start_date=today,
            key_worker=member,
        )
        episode_schedule_refresh(episode=episode, today=today)
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
            name=f"{organisation.name} (training)"[:200],
            slug=practice_slug(organisation),
            kind=organisation.kind,
            is_training=True,
        )
    Membership.objects.get_or_create(
        user=membership.user,
        organisation=practice,
        defaults={"role": membership.role},
    )
    if not Episode.objects.filter(
        organisation=practice, key_worker=membership.user
    ).exists():
        _seed_for(practice, membership.user)
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
    made = 0
    for member in Membership.objects.filter(organisation=practice).select_related(
        "user"
    ):
        made += _seed_for(practice, member.user)
    log_action(
        action="practice.refresh", actor=actor, organisation=practice, obj=practice
    )
    return made
