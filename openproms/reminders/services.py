"""Reminders: choosing whom to remind, sending, retrying with back-off, stopping.

The rules (decision 0030), each checked again at the moment of sending:

* only people who may be contacted (``people.consent.people_who_may_be_contacted``:
  not withdrawn, not restricted) AND whose contact agreement in force
  (:class:`ContactAgreement`, their latest) is email or text with an address;
* an email reminder goes to the email address on the person's record now
  (:func:`reminder_address`), so it follows a change made on their record; the
  agreement keeps the address they agreed with (decision 0030, amended);
* only for a time point still due (pending, its window open and opening within
  ``days_before_due`` days): once it is answered, missed or cancelled, waiting
  reminders stop;
* at most ``max_per_time_point`` reminders a time point, ``days_between`` apart;
* never in the organisation's quiet hours: a reminder falling in them waits
  until they end;
* never from a practice organisation (``Organisation.is_training``);
* a failed send is tried again after 5 minutes, then 20, then 80 (x4 each
  time) until ``max_attempts``; a permanent failure is not retried.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.templatetags.catalogue_tags import measure_name
from openproms.collection import links
from openproms.collection.models import TimePoint
from openproms.core import encryption
from openproms.people.consent import people_who_may_be_contacted
from openproms.people.models import ServiceUser
from openproms.reminders import quiet_hours, wording
from openproms.reminders.models import (
    Channel,
    ContactAgreement,
    MessageTemplate,
    Reminder,
    ReminderSettings,
    usual_provider,
)
from openproms.reminders.providers import (
    NotifyProvider,
    Provider,
    ProviderError,
    SmtpProvider,
)

BACKOFF_FIRST = dt.timedelta(minutes=5)
BACKOFF_FACTOR = 4
LIVE = (Reminder.Status.WAITING, Reminder.Status.RETRYING)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed try: 5 min, 20 min, 80 min ..."""
    return BACKOFF_FIRST * BACKOFF_FACTOR ** max(attempts - 1, 0)


def settings_for(organisation: Organisation) -> ReminderSettings:
    """The organisation's settings; before any are saved, reminders off and the
    usual provider for its kind."""
    found = ReminderSettings.objects.filter(organisation=organisation).first()
    return found or ReminderSettings(
        organisation=organisation, provider=usual_provider(organisation.kind)
    )


def agreement_in_force(service_user: ServiceUser) -> ContactAgreement | None:
    return ContactAgreement.objects.filter(service_user=service_user).first()


def reminder_address(agreement: ContactAgreement, person: ServiceUser) -> str:
    """Where reminders under ``agreement`` go now: for email, the email address on
    the person's record (it follows a change made there), else the one they agreed
    with; for texts, the mobile number they agreed with (the record's phone may be
    a landline). Empty when they said no to reminders."""
    if agreement.preference == ContactAgreement.Preference.NONE:
        return ""
    if agreement.preference == ContactAgreement.Preference.EMAIL and person.email:
        return person.email
    return agreement.address


def template_for(organisation: Organisation, channel: str) -> MessageTemplate:
    found = MessageTemplate.objects.filter(
        organisation=organisation, channel=channel
    ).first()
    if found is not None:
        return found
    if channel == Channel.EMAIL:
        return MessageTemplate(
            organisation=organisation,
            channel=channel,
            subject=wording.DEFAULT_EMAIL_SUBJECT,
            body=wording.DEFAULT_EMAIL_BODY,
        )
    return MessageTemplate(
        organisation=organisation, channel=channel, body=wording.DEFAULT_SMS_BODY
    )


def provider_for(config: ReminderSettings) -> Provider | None:
    if config.provider == ReminderSettings.Provider.SMTP:
        return SmtpProvider()
    if config.provider == ReminderSettings.Provider.NOTIFY:
        try:
            api_key = encryption.decrypt(config.notify_api_key_encrypted)
        except encryption.SecretUnreadable as error:
            raise ProviderError(
                "The stored GOV.UK Notify API key cannot be read with this "
                "installation's encryption keys: enter it again on the reminder "
                "settings page.",
                permanent=True,
            ) from error
        return NotifyProvider(
            api_key=api_key,
            email_template_id=config.notify_email_template_id,
            sms_template_id=config.notify_sms_template_id,
            base_url=config.notify_base_url,
        )
    return None


def _still_due(today: dt.date, days_before_due: int) -> Q:
    return Q(
        status=TimePoint.Status.PENDING,
        window_start__lte=today + dt.timedelta(days=days_before_due),
    ) & (Q(window_end__isnull=True) | Q(window_end__gte=today))


# ---------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------


def reminders_plan(*, organisation: Organisation, now: dt.datetime) -> int:
    """Make the reminders due now for the organisation; returns how many."""
    config = settings_for(organisation)
    if organisation.is_training or not config.enabled:
        return 0
    today = timezone.localtime(now).date()
    contactable = people_who_may_be_contacted(organisation).values("pk")
    points = (
        TimePoint.objects.filter(organisation=organisation, is_pilot=False)
        .filter(_still_due(today, config.days_before_due))
        .filter(episode__service_user__in=contactable)
        .select_related("episode__service_user")
    )
    # Everything the rules read, in three queries for the whole round.
    agreements: dict[int, ContactAgreement] = {}
    for agreement in ContactAgreement.objects.filter(
        service_user_id__in=points.values("episode__service_user_id")
    ).order_by("service_user_id", "-agreed_on", "-recorded_at", "-id"):
        agreements.setdefault(agreement.service_user_id, agreement)
    history = {
        row["time_point"]: row
        for row in Reminder.objects.filter(time_point__in=points.values("pk"))
        .exclude(status=Reminder.Status.STOPPED)
        .order_by()
        .values("time_point")
        .annotate(
            made=Count("pk"),
            latest=Max("created_at"),
            live=Count("pk", filter=Q(status__in=LIVE)),
        )
    }
    send_at = quiet_hours.next_allowed(
        timezone.localtime(now),
        quiet_from=config.quiet_from,
        quiet_until=config.quiet_until,
    )
    new: list[Reminder] = []
    for point in points:
        person_id = point.episode.service_user_id
        agreement = agreements.get(person_id)
        address = (
            reminder_address(agreement, point.episode.service_user)
            if agreement is not None
            else ""
        )
        if agreement is None or not address:
            continue
        earlier = history.get(point.pk)
        if earlier is not None and (
            earlier["made"] >= config.max_per_time_point
            or earlier["live"]
            or now - earlier["latest"] < dt.timedelta(days=config.days_between)
        ):
            continue
        new.append(
            Reminder(
                organisation=organisation,
                service_user_id=person_id,
                time_point=point,
                channel=agreement.preference,
                address=address,
                provider=config.provider,
                next_attempt_at=send_at,
                created_at=now,
            )
        )
    Reminder.objects.bulk_create(new)
    return len(new)


def reminders_due(
    *, organisation: Organisation, now: dt.datetime
) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        organisation=organisation, status__in=LIVE, next_attempt_at__lte=now
    )


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------


def _why_stop(reminder: Reminder, config: ReminderSettings, today: dt.date) -> str:
    """Why the reminder must not be sent now ("" when it may)."""
    organisation = reminder.organisation
    if organisation.is_training:
        return "Practice organisation: nothing is ever sent."
    if not config.enabled:
        return "Reminders were turned off."
    point = reminder.time_point
    if point.status == TimePoint.Status.COMPLETED:
        return "The questionnaire was answered."
    if (
        not TimePoint.objects.filter(pk=point.pk)
        .filter(_still_due(today, config.days_before_due))
        .exists()
    ):
        return "The questionnaire is no longer due."
    if (
        not people_who_may_be_contacted(organisation)
        .filter(pk=reminder.service_user_id)
        .exists()
    ):
        return "The person withdrew or their record is restricted."
    agreement = ContactAgreement.objects.filter(
        service_user_id=reminder.service_user_id
    ).first()
    if (
        agreement is None
        or agreement.preference != reminder.channel
        or not reminder_address(agreement, reminder.service_user)
    ):
        return "The person changed how they agreed to be contacted."
    return ""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _message(reminder: Reminder, now: dt.datetime) -> Message:
    organisation = reminder.organisation
    template = template_for(organisation, reminder.channel)
    point = reminder.time_point
    values = {
        "name": reminder.service_user.given_name or "there",
        "organisation": organisation.name,
        "questionnaire": measure_name(point.measure_id),
        "due": f"{point.due_date:%-d %B %Y}",
        "link": "",
    }
    if wording.uses_link(template.subject, template.body):
        made = links.link_create(
            organisation=organisation,
            service_user=reminder.service_user,
            time_points=[point],
            actor=point.episode.key_worker,  # type: ignore[arg-type]
        )
        values["link"] = settings.SITE_URL + reverse(
            "collection:self_token", kwargs={"token": made.token}
        )
    return Message(
        subject=wording.fill(template.subject, values),
        body=wording.fill(template.body, values),
    )


def reminder_send(
    *, reminder: Reminder, now: dt.datetime, provider: Provider | None = None
) -> Reminder:
    """One try at sending ``reminder`` (re-checking every rule first)."""
    if reminder.status not in LIVE:
        return reminder
    config = settings_for(reminder.organisation)
    local = timezone.localtime(now)
    stop = _why_stop(reminder, config, local.date())
    if stop:
        reminder.status = Reminder.Status.STOPPED
        reminder.stop_reason = stop
        reminder.ended_at = now
        reminder.save(update_fields=["status", "stop_reason", "ended_at"])
        return reminder
    allowed = quiet_hours.next_allowed(
        local, quiet_from=config.quiet_from, quiet_until=config.quiet_until
    )
    if allowed > local:
        reminder.next_attempt_at = allowed
        reminder.save(update_fields=["next_attempt_at"])
        return reminder
    # Not sent yet: it goes where reminders go now (their record's email address
    # may have changed since it was made), and records that address.
    agreement = agreement_in_force(reminder.service_user)
    assert agreement is not None  # _why_stop stops a reminder without one
    reminder.address = reminder_address(agreement, reminder.service_user)
    reminder.attempts += 1
    try:
        # An unreadable stored key is a permanent failure, recorded like any other.
        provider = provider or provider_for(config)
        assert provider is not None
        message = _message(reminder, now)
        if reminder.channel == Channel.SMS:
            sent = provider.send_sms(
                to=reminder.address, body=message.body, reference=f"r{reminder.pk}"
            )
        else:
            sent = provider.send_email(
                to=reminder.address,
                subject=message.subject,
                body=message.body,
                reference=f"r{reminder.pk}",
            )
    except ProviderError as error:
        reminder.last_error = str(error)[:300]
        if error.permanent or reminder.attempts >= config.max_attempts:
            reminder.status = Reminder.Status.FAILED
            reminder.ended_at = now
        else:
            reminder.status = Reminder.Status.RETRYING
            reminder.next_attempt_at = now + backoff(reminder.attempts)
        reminder.save()
        return reminder
    reminder.status = (
        Reminder.Status.DELIVERED if sent.delivered else Reminder.Status.SENT
    )
    reminder.provider_reference = sent.reference
    reminder.sent_at = now
    reminder.last_error = ""
    with transaction.atomic():
        reminder.save()
        log_action(
            action="reminder.send",
            organisation=reminder.organisation,
            obj=reminder,
            actor_label="Reminders",
            detail={"channel": reminder.channel, "attempt": reminder.attempts},
            people=[reminder.service_user_id],
        )
    return reminder


def reminders_stop_answered(*, organisation: Organisation, now: dt.datetime) -> int:
    """Stop at once every waiting reminder whose time point is no longer due."""
    config = settings_for(organisation)
    today = timezone.localtime(now).date()
    live = Reminder.objects.filter(organisation=organisation, status__in=LIVE)
    gone = live.exclude(
        time_point__in=TimePoint.objects.filter(
            _still_due(today, config.days_before_due)
        )
    )
    stopped = gone.update(
        status=Reminder.Status.STOPPED,
        stop_reason="The questionnaire was answered or is no longer due.",
        ended_at=now,
    )
    return stopped


def delivery_refresh(*, organisation: Organisation, now: dt.datetime) -> int:
    """Ask the provider what became of sent messages (Notify reports delivery)."""
    config = settings_for(organisation)
    if not config.enabled or config.provider != ReminderSettings.Provider.NOTIFY:
        return 0
    try:
        provider = provider_for(config)
    except ProviderError:
        return 0  # the reminder settings page says the key must be entered again
    assert provider is not None
    changed = 0
    for reminder in Reminder.objects.filter(
        organisation=organisation,
        status=Reminder.Status.SENT,
        provider=ReminderSettings.Provider.NOTIFY,
        sent_at__gte=now - dt.timedelta(days=7),
    ).exclude(provider_reference=""):
        status = provider.status(reminder.provider_reference)
        if status == "delivered":
            reminder.status = Reminder.Status.DELIVERED
        elif status == "failed":
            reminder.status = Reminder.Status.FAILED
            reminder.last_error = "GOV.UK Notify could not deliver it."
            reminder.ended_at = now
        else:
            continue
        reminder.save(update_fields=["status", "last_error", "ended_at"])
        changed += 1
    return changed


# ---------------------------------------------------------------------------
# Set-up writes (from the pages)
# ---------------------------------------------------------------------------


@transaction.atomic
def agreement_record(
    *,
    service_user: ServiceUser,
    preference: str,
    address: str,
    agreed_on: dt.date,
    actor: User,
    request: object = None,
) -> ContactAgreement:
    agreement = ContactAgreement.objects.create(
        organisation=service_user.organisation,
        service_user=service_user,
        preference=preference,
        address=address if preference != ContactAgreement.Preference.NONE else "",
        agreed_on=agreed_on,
        recorded_by=actor,
    )
    log_action(
        action="reminder.agreement_record",
        actor=actor,
        organisation=service_user.organisation,
        obj=agreement,
        request=request,  # type: ignore[arg-type]
        detail={"preference": preference},
        people=[service_user.pk],
    )
    return agreement


@transaction.atomic
def settings_update(
    *,
    organisation: Organisation,
    values: dict[str, object],
    actor: User,
    request: object = None,
) -> ReminderSettings:
    config = settings_for(organisation)
    for name, value in values.items():
        if name == "notify_api_key":
            if value:  # blank keeps the key already stored (it is never shown)
                config.notify_api_key_encrypted = encryption.encrypt(str(value))
            continue
        setattr(config, name, value)
    config.updated_at = timezone.now()
    config.save()
    log_action(
        action="reminder.settings_update",
        actor=actor,
        organisation=organisation,
        obj=config,
        request=request,  # type: ignore[arg-type]
        detail={
            "changed": sorted(name for name in values if name != "notify_api_key"),
            "key_changed": bool(values.get("notify_api_key")),
        },
    )
    return config


@transaction.atomic
def template_save(
    *,
    organisation: Organisation,
    channel: str,
    subject: str,
    body: str,
    actor: User,
    request: object = None,
) -> MessageTemplate:
    template, _ = MessageTemplate.objects.update_or_create(
        organisation=organisation,
        channel=channel,
        defaults={"subject": subject, "body": body, "updated_at": timezone.now()},
    )
    log_action(
        action="reminder.template_update",
        actor=actor,
        organisation=organisation,
        obj=template,
        request=request,  # type: ignore[arg-type]
        detail={"channel": channel},
    )
    return template
