"""The reminder rules: only people who agreed and may be contacted, quiet hours,
the cap per time point, stopping on an answer or a withdrawal, retries with
back-off, and nothing from a practice organisation."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import TimePoint
from openproms.collection.services import administration_submit
from openproms.people import services as people_services
from openproms.people.models import Consent
from openproms.reminders import services
from openproms.reminders.models import ContactAgreement, Reminder
from tests.conftest import Tenant
from tests.reminders.helpers import (
    RecordingProvider,
    agreeing_person,
    at,
    noon,
    turn_on,
)
from tests.route_objects.collection_answering import ANSWERS, due_person

pytestmark = pytest.mark.django_db


def _round(tenant: Tenant, now: dt.datetime, provider: RecordingProvider) -> None:
    """What the reminder job does for one organisation, with a test provider."""
    services.reminders_stop_answered(organisation=tenant.organisation, now=now)
    services.reminders_plan(organisation=tenant.organisation, now=now)
    for reminder in services.reminders_due(organisation=tenant.organisation, now=now):
        services.reminder_send(reminder=reminder, now=now, provider=provider)


def test_a_person_who_agreed_gets_one_reminder_with_a_working_link(
    tenant_a: Tenant,
) -> None:
    turn_on(tenant_a)
    _, point = agreeing_person(tenant_a)
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert len(provider.sent) == 1
    message = provider.sent[0]
    assert message["to"] == "sam@example.org"
    assert "Hello Sam" in message["body"] and "PHQ-9" in message["body"]
    assert "/s/" in message["body"]
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT
    assert reminder.time_point == point and reminder.attempts == 1
    # The link in the message is a real self-completion link for that time point.
    assert point.links.count() == 1


def test_no_agreement_means_no_message(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    due_person(tenant_a, email="sam@example.org")  # an email, but no agreement
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent == [] and not Reminder.objects.exists()


def test_saying_no_to_reminders_means_no_message(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    agreeing_person(tenant_a, preference=ContactAgreement.Preference.NONE, address="")
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent == []


def test_reminders_off_sends_nothing(tenant_a: Tenant) -> None:
    agreeing_person(tenant_a)
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent == []


def test_a_withdrawn_person_gets_nothing_and_waiting_reminders_stop(
    tenant_a: Tenant,
) -> None:
    turn_on(tenant_a)
    person, _ = agreeing_person(tenant_a)
    services.reminders_plan(organisation=tenant_a.organisation, now=at(22))
    reminder = Reminder.objects.get()
    people_services.consent_record(
        service_user=person,
        kind=Consent.Kind.TAKE_PART,
        given=False,
        decided_on=timezone.localdate(),
        note="",
        actor=tenant_a.members["worker"].user,
    )
    provider = RecordingProvider()
    _round(tenant_a, noon(1), provider)
    reminder.refresh_from_db()
    assert provider.sent == []
    assert reminder.status == Reminder.Status.STOPPED
    assert reminder.ended_at == noon(1)


def test_a_restricted_person_gets_nothing(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    person, _ = agreeing_person(tenant_a)
    person.restricted_at = timezone.now()
    person.save()
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent == [] and not Reminder.objects.exists()


def test_quiet_hours_hold_a_reminder_until_they_end(tenant_a: Tenant) -> None:
    turn_on(tenant_a, quiet_from=dt.time(20), quiet_until=dt.time(9))
    agreeing_person(tenant_a)
    provider = RecordingProvider()
    _round(tenant_a, at(22), provider)
    assert provider.sent == []
    reminder = Reminder.objects.get()
    assert timezone.localtime(reminder.next_attempt_at) == at(9, days=1)
    _round(tenant_a, at(8, 59, days=1), provider)
    assert provider.sent == []
    _round(tenant_a, at(9, days=1), provider)
    assert len(provider.sent) == 1


def test_a_send_attempted_in_quiet_hours_waits(tenant_a: Tenant) -> None:
    turn_on(tenant_a, quiet_from=dt.time(13), quiet_until=dt.time(14))
    agreeing_person(tenant_a)
    services.reminders_plan(organisation=tenant_a.organisation, now=at(11))
    reminder = Reminder.objects.get()
    provider = RecordingProvider()
    services.reminder_send(reminder=reminder, now=at(13, 30), provider=provider)
    assert provider.sent == [] and reminder.status == Reminder.Status.WAITING
    assert timezone.localtime(reminder.next_attempt_at) == at(14)


def test_at_most_the_set_number_per_time_point_days_apart(tenant_a: Tenant) -> None:
    turn_on(tenant_a, max_per_time_point=2, days_between=3)
    agreeing_person(tenant_a)
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    _round(tenant_a, noon(1), provider)  # too soon for a second
    assert len(provider.sent) == 1
    # The window of a start measure stays open for days; move the clock on.
    TimePoint.objects.update(window_end=None)
    _round(tenant_a, noon(3), provider)
    _round(tenant_a, noon(6), provider)
    _round(tenant_a, noon(9), provider)
    assert len(provider.sent) == 2
    assert Reminder.objects.count() == 2


def test_answering_stops_waiting_reminders_at_once(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    person, point = agreeing_person(tenant_a)
    services.reminders_plan(organisation=tenant_a.organisation, now=at(22))
    administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant_a.organisation, measure_id="phq9"
        ),
        answers=ANSWERS,
        mode="assisted",
        submission_id=str(uuid.uuid4()),
        time_point=point,
    )
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED
    reminder = Reminder.objects.get()
    provider = RecordingProvider()
    services.reminder_send(reminder=reminder, now=noon(1), provider=provider)
    assert provider.sent == []
    assert reminder.status == Reminder.Status.STOPPED
    assert reminder.stop_reason == "The questionnaire was answered."
    assert reminder.ended_at == noon(1) and reminder.sent_at is None
    _round(tenant_a, noon(4), provider)
    assert provider.sent == [] and Reminder.objects.count() == 1


def test_a_failed_send_is_retried_with_growing_waits_then_given_up(
    tenant_a: Tenant,
) -> None:
    turn_on(tenant_a, max_attempts=3)
    agreeing_person(tenant_a)
    provider = RecordingProvider(failures=5)
    now = noon()
    services.reminders_plan(organisation=tenant_a.organisation, now=now)
    reminder = Reminder.objects.get()
    services.reminder_send(reminder=reminder, now=now, provider=provider)
    assert reminder.status == Reminder.Status.RETRYING
    assert reminder.next_attempt_at == now + dt.timedelta(minutes=5)
    assert reminder.last_error == "The server is busy."
    # Not due again before its back-off has passed.
    later = now + dt.timedelta(minutes=4)
    assert not services.reminders_due(organisation=tenant_a.organisation, now=later)
    now += dt.timedelta(minutes=5)
    services.reminder_send(reminder=reminder, now=now, provider=provider)
    assert reminder.next_attempt_at == now + dt.timedelta(minutes=20)
    now += dt.timedelta(minutes=20)
    services.reminder_send(reminder=reminder, now=now, provider=provider)
    assert reminder.status == Reminder.Status.FAILED and reminder.attempts == 3
    assert reminder.ended_at == now


def test_a_retry_that_succeeds_is_sent(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    agreeing_person(tenant_a)
    provider = RecordingProvider(failures=1)
    now = noon()
    _round(tenant_a, now, provider)
    _round(tenant_a, now + dt.timedelta(minutes=5), provider)
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT and reminder.attempts == 2


def test_a_permanent_failure_is_not_retried(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    agreeing_person(tenant_a)
    provider = RecordingProvider(failures=1, permanent=True)
    _round(tenant_a, noon(), provider)
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.FAILED and reminder.attempts == 1


def test_backoff_grows_four_times_each_try() -> None:
    assert [services.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [
        5,
        20,
        80,
        320,
    ]


def test_a_practice_organisation_never_sends(tenant_a: Tenant) -> None:
    tenant_a.organisation.is_training = True
    tenant_a.organisation.save()
    turn_on(tenant_a)
    agreeing_person(tenant_a)
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent == [] and not Reminder.objects.exists()


def test_a_text_message_goes_to_the_number_agreed(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    agreeing_person(
        tenant_a, preference=ContactAgreement.Preference.SMS, address="07700900123"
    )
    provider = RecordingProvider()
    _round(tenant_a, noon(), provider)
    assert provider.sent[0]["to"] == "07700900123"
    assert "subject" not in provider.sent[0]
