"""Demo reminders and collection alerts for Riverside: reminders turned on (email
through the mail server), a few people who agreed, their reminders in each
delivery state, and an implementation lead for each service, alerted where
collection has fallen behind. Idempotent: does nothing once Riverside has
reminder settings."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.collection.models import Administration, TimePoint
from openproms.core.demo import DemoContext
from openproms.reminders.capture_alerts import alerts_raise
from openproms.reminders.models import (
    ContactAgreement,
    ImplementationLead,
    Reminder,
    ReminderSettings,
)

# What became of each demo reminder, in turn.
OUTCOMES = [
    (Reminder.Status.SENT, ""),
    (Reminder.Status.SENT, ""),
    (Reminder.Status.RETRYING, "The mail server refused the email: (451) try later"),
    (Reminder.Status.STOPPED, ""),
    (Reminder.Status.FAILED, "The mail server refused the email: (550) no mailbox"),
]


@transaction.atomic
def seed(context: DemoContext) -> None:
    riverside = Organisation.objects.filter(slug="riverside").first()
    if (
        riverside is None
        or ReminderSettings.objects.filter(organisation=riverside).exists()
    ):
        return
    ReminderSettings.objects.create(
        organisation=riverside, enabled=True, provider=ReminderSettings.Provider.SMTP
    )
    now = timezone.now()
    today = timezone.localdate()
    due = (
        TimePoint.objects.filter(
            organisation=riverside,
            status=TimePoint.Status.PENDING,
            window_start__lte=today,
        )
        .filter(window_end__gte=today)
        .select_related("episode__service_user")
        .order_by("due_date", "id")
    )
    seen: set[int] = set()
    for point in due:
        person = point.episode.service_user
        if person.pk in seen:
            continue
        status, error = OUTCOMES[len(seen)]
        about = point
        created = now - dt.timedelta(hours=len(seen) + 1)
        ended = created
        if status == Reminder.Status.STOPPED:
            # Stopped because it was answered: about one they answered, sent for
            # two days before it was, and stopped when it was.
            answered = (
                Administration.objects.filter(
                    time_point__episode=point.episode,
                    time_point__status=TimePoint.Status.COMPLETED,
                )
                .select_related("time_point")
                .order_by("-completed_at", "-id")
                .first()
            )
            if answered is None or answered.time_point is None:
                continue
            about = answered.time_point
            ended = answered.completed_at
            created = ended - dt.timedelta(days=2)
        seen.add(person.pk)
        address = f"{(person.given_name or 'person').lower()}.{person.pk}@example.org"
        ContactAgreement.objects.create(
            organisation=riverside,
            service_user=person,
            preference=ContactAgreement.Preference.EMAIL,
            address=address,
            agreed_on=today - dt.timedelta(days=30),
        )
        Reminder.objects.create(
            organisation=riverside,
            service_user=person,
            time_point=about,
            channel=ContactAgreement.Preference.EMAIL,
            address=address,
            provider=ReminderSettings.Provider.SMTP,
            status=status,
            attempts=0 if status == Reminder.Status.STOPPED else 1,
            next_attempt_at=now + dt.timedelta(minutes=5),
            last_error=error,
            stop_reason="The questionnaire was answered."
            if status == Reminder.Status.STOPPED
            else "",
            created_at=created,
            sent_at=created if status == Reminder.Status.SENT else None,
            ended_at=ended
            if status in (Reminder.Status.STOPPED, Reminder.Status.FAILED)
            else None,
        )
        if len(seen) == len(OUTCOMES):
            break
    manager = User.objects.filter(email="manager@riverside.example").first()
    if manager is None:
        return
    for service in riverside.services.all():
        ImplementationLead.objects.create(
            organisation=riverside,
            service=service,
            lead=manager,
            capture_target=70,
            weeks_below=3,
            quiet_weeks=3,
        )
    alerts_raise(organisation=riverside, today=today)
