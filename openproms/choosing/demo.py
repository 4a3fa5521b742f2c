"""Demo: Riverside trying the UCLA-3 loneliness scale in one service, so the
trials list and a trial's review page have something to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service
from openproms.catalogue.selectors import measure_definition
from openproms.choosing import services
from openproms.choosing.models import MeasureTrial
from openproms.collection.models import PlanRule
from openproms.core.demo import DemoContext


def seed(context: DemoContext) -> None:
    organisation: Organisation = context.objects["organisations"]["riverside"]
    if MeasureTrial.objects.filter(organisation=organisation).exists():
        return
    manager = Membership.objects.get(
        organisation=organisation, user__email="manager@riverside.example"
    )
    service = Service.objects.filter(organisation=organisation).order_by("name").last()
    if service is None:
        return
    services.trial_start(
        organisation=organisation,
        service=service,
        definition=measure_definition(organisation=organisation, measure_id="ucla3"),
        ends_on=timezone.localdate() + dt.timedelta(days=60),
        kind=PlanRule.Kind.START,
        weeks=None,
        actor=manager.user,
    )
