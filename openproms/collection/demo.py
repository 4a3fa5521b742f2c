"""Demo people, episodes, contacts, plans and a year of answers.

Trajectories are believable: most people improve a little, some a lot, some get
worse, and some follow-ups are missed. Runs after the accounts seeder and is
idempotent: if the demo organisations already have people, it does nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.catalogue.models import OrganisationMeasure
from openproms.catalogue.selectors import measure_definition
from openproms.collection.answer_simulation import simulated_answers
from openproms.collection.models import MeasurementPlan, PlanRule, RiskAlert, TimePoint
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.collection.services import (
    administration_submit,
    risk_alert_acknowledge,
)
from openproms.core.demo import DemoContext
from openproms.people.models import Contact, Episode, GroupSession, ServiceUser

GIVEN = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Grace",
    "Hamza",
    "Isla",
    "Jack",
    "Kemi",
    "Liam",
    "Maya",
    "Noah",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
]
FAMILY = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fraser",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Murphy",
    "Nowak",
    "Okoro",
    "Patel",
    "Roberts",
    "Singh",
    "Taylor",
    "Walker",
    "Wilson",
    "Young",
]
ETHNICITIES = ["white_british"] * 8 + [
    "asian_pakistani",
    "asian_indian",
    "black_african",
    "black_caribbean",
    "mixed_white_asian",
    "white_other",
    "other_arab",
    "not_stated",
]

# service name -> (measures, [(kind, params)], pilot?)
PLANS: dict[str, tuple[list[str], list[tuple[str, dict[str, object]]], bool]] = {
    "Wellbeing course": (
        ["ons4", "core10"],
        [
            ("start", {"window_days": 14}),
            ("every_n_weeks", {"weeks": 4, "window_days": 7}),
            ("exit", {"window_days": 14}),
        ],
        False,
    ),
    "Peer support groups": (
        ["ucla3", "ons4"],
        [
            ("start", {"window_days": 14}),
            ("when_seen_after", {"weeks": 8, "window_days": 7}),
        ],
        False,
    ),
    "Social prescribing link": (
        ["ons4", "openproms_life_ladder"],
        [
            ("start", {"window_days": 14}),
            ("every_n_weeks", {"weeks": 12, "window_days": 14}),
        ],
        True,
    ),
    "Mental health reviews": (
        ["phq9", "gad7"],
        [
            ("start", {"window_days": 7}),
            ("every_n_weeks", {"weeks": 6, "window_days": 10}),
        ],
        False,
    ),
}
# Share of people who never give a follow-up, by service: the peer groups rarely
# capture one (people drop in and out), so the dashboards' low-capture warning shows.
NO_FOLLOW_UP = {"Peer support groups": 0.65}
MISSED_FOLLOW_UP = 0.22  # elsewhere, the share of follow-up occasions missed
PEOPLE_PER_SERVICE = {
    "Wellbeing course": 30,
    "Peer support groups": 20,
    "Social prescribing link": 15,
    "Mental health reviews": 25,
}


def _plan(
    service: Service,
    measures: list[str],
    rules: list[tuple[str, dict[str, object]]],
    pilot: bool,
) -> None:
    organisation = service.organisation
    for measure_id in measures:
        definition = measure_definition(
            organisation=organisation, measure_id=measure_id
        )
        OrganisationMeasure.objects.get_or_create(
            organisation=organisation,
            measure_id=definition.id,
            measure_version=definition.version,
        )
    # The demo's plans have been in place for over a year.
    since = timezone.now() - dt.timedelta(days=400)
    plan = MeasurementPlan.objects.create(
        organisation=organisation,
        service=service,
        name=f"{service.name} outcomes{' (pilot)' if pilot else ''}",
        is_pilot=pilot,
        created_at=since,
    )
    for measure_id in measures:
        definition = measure_definition(
            organisation=organisation, measure_id=measure_id
        )
        for kind, params in rules:
            PlanRule.objects.create(
                plan=plan,
                measure_id=definition.id,
                measure_version=definition.version,
                kind=kind,
                created_at=since,
                **params,  # type: ignore[arg-type]
            )


def _trajectory(rng: random.Random) -> tuple[float, float]:
    """Starting well-being and change per week: most improve a little, some a lot,
    some get worse."""
    start = rng.uniform(0.15, 0.55)
    kind = rng.random()
    if kind < 0.55:
        slope = rng.uniform(0.003, 0.012)
    elif kind < 0.8:
        slope = rng.uniform(0.015, 0.03)
    elif kind < 0.92:
        slope = rng.uniform(-0.002, 0.002)
    else:
        slope = rng.uniform(-0.012, -0.004)
    return start, slope


def made_up_person(
    organisation: Organisation, reference: str, rng: random.Random
) -> ServiceUser:
    """A made-up person: name, date of birth, sex and ethnic group from ``rng``."""
    return ServiceUser.objects.create(
        organisation=organisation,
        reference=reference,
        given_name=rng.choice(GIVEN),
        family_name=rng.choice(FAMILY),
        date_of_birth=dt.date(
            rng.randint(1945, 2005), rng.randint(1, 12), rng.randint(1, 28)
        ),
        sex=rng.choice(["female", "male", "female", "not_stated"]),
        ethnicity=rng.choice(ETHNICITIES),
    )


def _people(
    service: Service,
    worker: User,
    rng: random.Random,
    today: dt.date,
    count: int,
    first: int = 0,
) -> None:
    """``count`` made-up people in ``service`` with ``worker`` as key worker and
    their answers up to ``today``; references numbered on from ``first``."""
    organisation = service.organisation
    prefix = "".join(word[0] for word in service.name.split()).upper()
    groups: dict[dt.date, GroupSession] = {}
    for index in range(first, first + count):
        person = made_up_person(organisation, f"{prefix}-{index + 1:04d}", rng)
        start = today - dt.timedelta(days=rng.randint(14, 360))
        episode = Episode.objects.create(
            organisation=organisation,
            service_user=person,
            service=service,
            start_date=start,
            key_worker=worker,
        )
        wellbeing, slope = _trajectory(rng)
        # Contacts: weekly sessions, attended most of the time; peer groups now and then.
        sporadic = service.name == "Peer support groups"
        day = start
        while day <= today:
            attended = rng.random() < (0.5 if sporadic else 0.85)
            if sporadic:
                week = day - dt.timedelta(days=day.weekday())
                if week + dt.timedelta(days=2) > today:
                    break  # this week's group has not met yet: nothing to record
                session = groups.get(week)
                if session is None:
                    session = GroupSession.objects.create(
                        organisation=organisation,
                        service=service,
                        date=week + dt.timedelta(days=2),
                        title="Peer support group",
                        facilitator=worker,
                    )
                    groups[week] = session
                Contact.objects.create(
                    organisation=organisation,
                    episode=episode,
                    date=session.date,
                    attended=attended,
                    seen_by=worker,
                    group_session=session,
                )
            else:
                Contact.objects.create(
                    organisation=organisation,
                    episode=episode,
                    date=day,
                    attended=attended,
                    seen_by=worker,
                )
            day += dt.timedelta(days=rng.choice([7, 7, 14]) if not sporadic else 7)
        course_weeks = 10 if service.name == "Wellbeing course" else None
        if course_weeks and (today - start).days > course_weeks * 7:
            episode.status = Episode.Status.CLOSED
            episode.end_date = start + dt.timedelta(weeks=course_weeks)
            episode.close_reason = Episode.CloseReason.COMPLETED
            episode.save()
        _answer(episode, wellbeing, slope, rng, today, worker)


def _answer(
    episode: Episode,
    wellbeing: float,
    slope: float,
    rng: random.Random,
    today: dt.date,
    worker: User,
) -> None:
    answered: set[int] = set()
    never_follows_up = rng.random() < NO_FOLLOW_UP.get(episode.service.name, 0.0)
    for _ in range(20):  # each answer may open the next occasion (sporadic rules)
        episode_schedule_refresh(episode=episode, today=today)
        pending = [
            tp
            for tp in TimePoint.objects.filter(
                episode=episode, status=TimePoint.Status.PENDING
            )
            .select_related("rule")
            .order_by("due_date", "id")
            if tp.pk not in answered and tp.due_date <= today
        ]
        if not pending:
            return
        for time_point in pending:
            answered.add(time_point.pk)
            if never_follows_up and time_point.rule.kind != PlanRule.Kind.START:
                continue  # this person never gives a follow-up
            if time_point.sequence > 1 and rng.random() < MISSED_FOLLOW_UP:
                continue  # a missed follow-up
            weeks = (time_point.due_date - episode.start_date).days / 7
            level = wellbeing + slope * weeks
            definition = measure_definition(
                organisation=episode.organisation,
                measure_id=time_point.measure_id,
                version=time_point.measure_version,
            )
            when = min(
                today, time_point.due_date + dt.timedelta(days=rng.randint(0, 3))
            )
            administration_submit(
                organisation=episode.organisation,
                service_user=episode.service_user,
                measure=definition,
                answers=simulated_answers(definition, level, rng),
                mode=rng.choice(["assisted", "paper_entry", "kiosk", "self"]),
                submission_id=str(uuid.UUID(int=rng.getrandbits(128))),
                collected_by=worker,
                time_point=time_point,
                completed_at=timezone.make_aware(
                    dt.datetime.combine(when, dt.time(11, rng.randint(0, 59)))
                ),
            )


# "How did you find answering these questions?" (1 very difficult .. 5 very
# easy): most find it easy; longer questionnaires a little less so.
_EASE = (1, 2, 3, 4, 5)
_EASE_WEIGHTS = {"short": (2, 5, 15, 43, 35), "long": (4, 11, 25, 40, 20)}


def _acceptability(organisation: Organisation) -> None:
    """About four in ten people answer the acceptability question after answering
    on screen. A separate random stream keeps the rest of the demo unchanged."""
    from openproms.collection.answer_services import acceptability_record
    from openproms.collection.models import AcceptabilityResponse, Administration

    rng = random.Random(f"acceptability-{organisation.slug}")  # noqa: S311 - demo data
    administrations = (
        Administration.objects.filter(
            organisation=organisation,
            mode__in=["assisted", "kiosk", "self"],
            episode__isnull=False,
        )
        .select_related("episode__service", "service_user")
        .order_by("completed_at", "id")
    )
    for administration in administrations:
        if rng.random() >= 0.4:
            continue
        items = len(administration.answers)
        weights = _EASE_WEIGHTS["long" if items > 9 else "short"]
        response = acceptability_record(
            administration=administration,
            mode=administration.mode,
            rating=rng.choices(_EASE, weights=weights)[0],
            comment="",
        )
        AcceptabilityResponse.objects.filter(pk=response.pk).update(
            created_at=administration.completed_at
        )


def _acknowledge_old_alerts(
    organisation: Organisation, worker: User, today: dt.date
) -> None:
    """Alerts from answers more than two weeks old were followed up at the time."""
    old = RiskAlert.objects.filter(
        organisation=organisation,
        acknowledged_at__isnull=True,
        administration__completed_at__date__lt=today - dt.timedelta(days=14),
    )
    for alert in old:
        risk_alert_acknowledge(
            alert=alert,
            actor=worker,
            note="Discussed in the next session; safety plan reviewed.",
        )


@transaction.atomic
def seed(context: DemoContext) -> None:
    organisations: dict[str, Organisation] = context.objects["organisations"]
    if ServiceUser.objects.filter(organisation__in=organisations.values()).exists():
        return
    rng = random.Random(20261122)  # noqa: S311 - demo data, the same every time
    today = timezone.localdate()
    workers = {
        "riverside": User.objects.get(email="worker@riverside.example"),
        "brook-lane": User.objects.get(email="gp@brook-lane.example"),
    }
    for slug, organisation in organisations.items():
        for service in organisation.services.all():
            spec = PLANS.get(service.name)
            if spec is None:
                continue
            _plan(service, *spec)
            _people(
                service, workers[slug], rng, today, PEOPLE_PER_SERVICE[service.name]
            )
        _acknowledge_old_alerts(organisation, workers[slug], today)
        _acceptability(organisation)
