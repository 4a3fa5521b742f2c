"""Shared set-up for the reminders tests: a person with a measure due today who
agreed to reminders, and a provider that records what it was asked to send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from openproms.collection.models import TimePoint
from openproms.core import encryption
from openproms.people.models import ServiceUser
from openproms.reminders.models import ContactAgreement, ReminderSettings
from openproms.reminders.providers import ProviderError, Sent
from tests.conftest import Tenant
from tests.route_objects.collection_answering import due_person


def noon(days: int = 0) -> dt.datetime:
    """Midday (local) ``days`` from today: outside the default quiet hours."""
    return timezone.localtime().replace(
        hour=12, minute=0, second=0, microsecond=0
    ) + dt.timedelta(days=days)


def at(hour: int, minute: int = 0, days: int = 0) -> dt.datetime:
    return noon(days).replace(hour=hour, minute=minute)


def turn_on(tenant: Tenant, **values: object) -> ReminderSettings:
    config, _ = ReminderSettings.objects.get_or_create(organisation=tenant.organisation)
    config.enabled = bool(values.pop("enabled", True))
    config.provider = str(values.pop("provider", ReminderSettings.Provider.SMTP))
    if "notify_api_key" in values:
        config.notify_api_key_encrypted = encryption.encrypt(
            str(values.pop("notify_api_key"))
        )
    for name, value in values.items():
        setattr(config, name, value)
    config.save()
    return config


def agreeing_person(
    tenant: Tenant,
    *,
    preference: str = ContactAgreement.Preference.EMAIL,
    address: str = "sam@example.org",
    reference: str = "P-1",
) -> tuple[ServiceUser, TimePoint]:
    person, _, points = due_person(tenant, reference=reference)
    ContactAgreement.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        preference=preference,
        address=address,
        agreed_on=timezone.localdate(),
    )
    return person, points[0]


@dataclass
class RecordingProvider:
    """Records every message; fails the next ``failures`` sends."""

    channels: frozenset[str] = frozenset({"email", "sms"})
    sent: list[dict[str, str]] = field(default_factory=list)
    failures: int = 0
    permanent: bool = False

    def _send(self, **message: str) -> Sent:
        if self.failures:
            self.failures -= 1
            raise ProviderError("The server is busy.", permanent=self.permanent)
        self.sent.append(message)
        return Sent(reference=f"ref-{len(self.sent)}")

    def send_email(self, *, to: str, subject: str, body: str, reference: str) -> Sent:
        return self._send(to=to, subject=subject, body=body, reference=reference)

    def send_sms(self, *, to: str, body: str, reference: str) -> Sent:
        return self._send(to=to, body=body, reference=reference)

    def status(self, reference: str) -> str | None:
        return None
