"""Demo consent decisions, so that the reports and the person page show what each
"no" does: three people on Riverside's wellbeing course said no to their answers
being included in anonymous totals for funders (both funders' reports leave them
out; the dashboard counts them), one person part-way through the course withdrew
from taking part (no more questionnaires, links or reminders), and one of Brook
Lane's patients said no to sharing their results with their GP (no record text).

Runs after the collection seeder (the people and their answers). Idempotent: when
the demo people already have any decision recorded, it does nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.collection.models import OutcomeScore
from openproms.core.demo import DemoContext
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.people.services import consent_record

FUNDERS_NO = 3


def _people_with_pairs(
    organisation: Organisation, service_name: str, measure_id: str
) -> list[ServiceUser]:
    """People of the service with a first and a later score on the measure, by
    reference (the demo's answers are the same every time, so are they)."""
    with_pairs = (
        OutcomeScore.objects.filter(
            organisation=organisation,
            measure_id=measure_id,
            episode__service__name=service_name,
        )
        .values("episode__service_user")
        .annotate(scores=Count("id"))
        .filter(scores__gte=2)
        .values("episode__service_user")
    )
    return list(ServiceUser.objects.filter(pk__in=with_pairs).order_by("reference"))


def _decide(
    person: ServiceUser, kind: str, given: bool, on: dt.date, actor: User, note: str
) -> None:
    consent_record(
        service_user=person,
        kind=kind,
        given=given,
        decided_on=on,
        note=note,
        actor=actor,
    )


@transaction.atomic
def seed(context: DemoContext) -> None:
    organisations: dict[str, Organisation] = context.objects.get("organisations", {})
    riverside = organisations.get("riverside")
    brook_lane = organisations.get("brook-lane")
    if riverside is None or brook_lane is None:
        return
    if Consent.objects.filter(
        service_user__organisation__in=[riverside, brook_lane]
    ).exists():
        return
    today = timezone.localdate()
    worker = User.objects.get(email="worker@riverside.example")
    decliners = _people_with_pairs(riverside, "Wellbeing course", "core10")[:FUNDERS_NO]
    for person in decliners:
        started = person.episodes.order_by("start_date").first()
        _decide(
            person,
            Consent.Kind.SHARE_WITH_FUNDERS,
            False,
            started.start_date if started else today,
            worker,
            "Happy to answer, but not for reports to funders.",
        )
    # A person part-way through the course withdraws from taking part.
    open_episode = (
        Episode.objects.filter(
            organisation=riverside,
            service__name="Wellbeing course",
            status=Episode.Status.ACTIVE,
            time_points__status="pending",
        )
        .order_by("service_user__reference")
        .first()
    )
    if open_episode is not None:
        _decide(
            open_episode.service_user,
            Consent.Kind.TAKE_PART,
            False,
            today - dt.timedelta(days=3),
            worker,
            "Would rather not fill in questionnaires any more.",
        )
    gp = User.objects.get(email="gp@brook-lane.example")
    patient = (
        _people_with_pairs(brook_lane, "Mental health reviews", "phq9") or [None]
    )[0]
    if patient is not None:
        _decide(
            patient,
            Consent.Kind.SHARE_WITH_GP,
            False,
            today - dt.timedelta(days=30),
            gp,
            "",
        )
    context.objects["consent"] = {
        "funders_no": decliners,
        "withdrawn": open_episode.service_user if open_episode else None,
        "gp_no": patient,
    }
