"""Route objects of the answering pages (merged into collection.FACTORIES)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from openproms.accounts.policy import Role
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    PaperEntry,
    PlanRule,
    SelfCompletionLink,
    TimePoint,
)
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant

ANSWERS = {f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": 0, "phq9_difficulty": 1}


def _episode(tenant: Tenant, made: dict[str, Any]) -> Episode:
    """A person on the worker's caseload with PHQ-9 due (shared by the factories)."""
    key = "_answering_episode"
    if key not in made:
        from openproms.collection.scheduling import episode_schedule_refresh

        slug = tenant.organisation.slug
        person = ServiceUser.objects.create(
            organisation=tenant.organisation,
            reference=f"ANS-{slug}",
            given_name="Ada",
            family_name="Answer",
        )
        episode = Episode.objects.create(
            organisation=tenant.organisation,
            service_user=person,
            service=tenant.service,
            start_date=timezone.localdate(),
            key_worker=tenant.members[Role.WORKER.value].user,
        )
        plan = MeasurementPlan.objects.create(
            organisation=tenant.organisation,
            service=tenant.service,
            name="Answering plan",
        )
        PlanRule.objects.create(
            plan=plan, measure_id="phq9", measure_version="1", kind="start"
        )
        episode_schedule_refresh(episode=episode)
        made[key] = episode
    return made[key]


def _time_point(tenant: Tenant, made: dict[str, Any]) -> TimePoint:
    return TimePoint.objects.filter(episode=_episode(tenant, made)).first()


def _administration(tenant: Tenant, made: dict[str, Any]) -> Administration:
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.services import administration_submit

    episode = _episode(tenant, made)
    return administration_submit(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        measure=measure_definition(organisation=tenant.organisation, measure_id="phq9"),
        answers=ANSWERS,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        episode=episode,
    ).administration


def _link(tenant: Tenant, made: dict[str, Any]) -> SelfCompletionLink:
    from openproms.collection.links import link_create

    episode = _episode(tenant, made)
    return link_create(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        time_points=[_time_point(tenant, made)],
        actor=tenant.members[Role.WORKER.value].user,
    ).link


def _paper_entry(tenant: Tenant, made: dict[str, Any]) -> PaperEntry:
    episode = _episode(tenant, made)
    return PaperEntry.objects.create(
        organisation=tenant.organisation,
        service_user=episode.service_user,
        time_point=_time_point(tenant, made),
        measure_id="phq9",
        measure_version="1",
        completed_on=dt.date.today(),
        first_answers=ANSWERS | {"completed_on": dt.date.today().isoformat()},
        second_answers=ANSWERS
        | {"phq9_1": 2, "completed_on": dt.date.today().isoformat()},
        first_by=tenant.members[Role.DATA_OFFICER.value].user,
        second_by=tenant.members[Role.MANAGER.value].user,
        status=PaperEntry.Status.CONFLICT,
        submission_id=str(uuid.uuid4()),
    )


FACTORIES = {
    "time_point_pk": _time_point,
    "administration_pk": _administration,
    "link_pk": _link,
    "paper_entry_pk": _paper_entry,
    # person_pk and measure_id come from the people and catalogue factories.
}


def due_person(
    tenant: Tenant,
    *,
    measures: tuple[str, ...] = ("phq9",),
    reference: str = "P-1",
    email: str = "",
    key_worker: Any = None,
) -> tuple[ServiceUser, Episode, list[TimePoint]]:
    """For tests: a person with an episode whose plan makes ``measures`` due today."""
    from openproms.collection.scheduling import episode_schedule_refresh

    person = ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference=reference,
        given_name="Sam",
        family_name="Person",
        email=email,
    )
    episode = Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=timezone.localdate(),
        key_worker=key_worker or tenant.members[Role.WORKER.value].user,
    )
    plan, _ = MeasurementPlan.objects.get_or_create(
        organisation=tenant.organisation, service=tenant.service, name="Test plan"
    )
    for measure_id in measures:
        PlanRule.objects.get_or_create(
            plan=plan, measure_id=measure_id, measure_version="1", kind="start"
        )
    episode_schedule_refresh(episode=episode)
    points = list(
        TimePoint.objects.filter(episode=episode, measure_id__in=measures).order_by(
            "id"
        )
    )
    return person, episode, points
