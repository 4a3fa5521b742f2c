"""Demo sharing: one of Riverside's wellbeing course people (on the demo
worker's caseload) agreed to share their results with their GP at Brook Lane
Surgery, which has its own record of them (same NHS number), so a worker can
send a summary and the practice can accept it; most of Riverside's people
agreed to research, a few said no; and one approved research project.

Idempotent: when Riverside has any research consent recorded, it does nothing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.core.demo import DemoContext
from openproms.people.categories import nhs_number_is_valid
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.people.services import consent_record
from openproms.sharing.models import ResearchConsent, ResearchProject

DEMO_NHS_NUMBER = "9434765919"  # a valid test number (the check digit holds)


def _research_decisions(riverside: Organisation, worker: User) -> None:
    people = ServiceUser.objects.filter(organisation=riverside).order_by("reference")
    today = timezone.now()
    decisions = [
        ResearchConsent(
            service_user=person,
            given=n % 5 != 4,  # one in five said no
            recorded_at=today - dt.timedelta(days=20),
            recorded_by=worker,
        )
        for n, person in enumerate(people)
    ]
    ResearchConsent.objects.bulk_create(decisions)


def _gp_pair(riverside: Organisation, brook_lane: Organisation) -> None:
    worker = User.objects.get(email="worker@riverside.example")
    gp = User.objects.get(email="gp@brook-lane.example")
    person = (
        ServiceUser.objects.filter(
            organisation=riverside,
            episodes__key_worker=worker,
            episodes__service__name="Wellbeing course",
            administrations__isnull=False,
        )
        .exclude(consents__isnull=False)
        .order_by("reference")
        .first()
    )
    if person is None or not nhs_number_is_valid(DEMO_NHS_NUMBER):
        return
    person.nhs_number = DEMO_NHS_NUMBER
    person.save(update_fields=["nhs_number"])
    consent_record(
        service_user=person,
        kind=Consent.Kind.SHARE_WITH_GP,
        given=True,
        decided_on=timezone.localdate() - dt.timedelta(days=14),
        note="Happy for the surgery to see how they are getting on.",
        actor=worker,
    )
    patient, _ = ServiceUser.objects.get_or_create(
        organisation=brook_lane,
        reference="BL-7001",
        defaults={
            "given_name": person.given_name,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "nhs_number": DEMO_NHS_NUMBER,
            "sex": person.sex,
        },
    )
    service = Service.objects.filter(organisation=brook_lane).order_by("pk").first()
    if service is not None and not patient.episodes.exists():
        Episode.objects.create(
            organisation=brook_lane,
            service_user=patient,
            service=service,
            start_date=timezone.localdate() - dt.timedelta(days=60),
            key_worker=gp,
        )


@transaction.atomic
def seed(context: DemoContext) -> None:
    organisations: dict[str, Organisation] = context.objects.get("organisations", {})
    riverside = organisations.get("riverside")
    brook_lane = organisations.get("brook-lane")
    if riverside is None or brook_lane is None:
        return
    if ResearchConsent.objects.filter(service_user__organisation=riverside).exists():
        return
    worker = User.objects.get(email="worker@riverside.example")
    admin = User.objects.get(email="admin@riverside.example")
    _gp_pair(riverside, brook_lane)
    _research_decisions(riverside, worker)
    today = timezone.localdate()
    ResearchProject.objects.create(
        organisation=riverside,
        name="Wellbeing course outcomes study",
        purpose="University of Northshire: how wellbeing changes over the "
        "eight-week course, by age band and sex.",
        approver=admin,
        approval_date=today - dt.timedelta(days=10),
        expiry_date=today + dt.timedelta(days=355),
        fields=["age_band", "sex", "occasion", "answered_on"],
        shift_dates=True,
        created_by=admin,
        approved_at=timezone.now() - dt.timedelta(days=9),
    )
