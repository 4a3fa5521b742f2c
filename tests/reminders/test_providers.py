"""The providers against local stand-ins that speak their protocols: GOV.UK
Notify's REST API (through its official client) and SMTP (Django's backend)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from openproms.reminders import services, tasks
from openproms.reminders.models import ContactAgreement, Reminder
from openproms.reminders.providers import NotifyProvider, ProviderError
from tests.conftest import Tenant
from tests.reminders.helpers import agreeing_person, noon, turn_on
from tests.reminders.stubs import API_KEY, notify_stub, smtp_stub

pytestmark = pytest.mark.django_db

NO_QUIET = {"quiet_from": dt.time(0), "quiet_until": dt.time(0)}
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
SMS_TEMPLATE = "0b9d7dc4-6cc0-4ae8-9fb2-3a4bd1dd25f6"


def _notify(tenant: Tenant, url: str) -> None:
    turn_on(
        tenant,
        provider="notify",
        notify_api_key=API_KEY,
        notify_base_url=url,
        notify_email_template_id=EMAIL_TEMPLATE,
        notify_sms_template_id=SMS_TEMPLATE,
        **NO_QUIET,
    )


def test_the_reminder_job_sends_a_text_through_notify_and_reads_delivery(
    tenant_a: Tenant,
) -> None:
    with notify_stub() as stub:
        _notify(tenant_a, stub.url)
        agreeing_person(
            tenant_a, preference=ContactAgreement.Preference.SMS, address="07700900123"
        )
        totals = tasks.send_reminders.enqueue().return_value
        assert totals["made"] == 1 and totals["queued"] == 1
        assert stub.bad_tokens == 0
        [sent] = stub.received
        assert sent["kind"] == "sms" and sent["phone_number"] == "07700900123"
        assert sent["template_id"] == SMS_TEMPLATE
        assert "/s/" in sent["personalisation"]["body"]
        reminder = Reminder.objects.get()
        assert reminder.status == Reminder.Status.SENT
        assert reminder.provider_reference == sent["id"]
        assert sent["reference"] == f"r{reminder.pk}"
        stub.statuses[sent["id"]] = "delivered"
        tasks.send_reminders.enqueue()
        reminder.refresh_from_db()
        assert reminder.status == Reminder.Status.DELIVERED


def test_notify_email_carries_the_subject_and_body_as_personalisation(
    tenant_a: Tenant,
) -> None:
    with notify_stub() as stub:
        _notify(tenant_a, stub.url)
        agreeing_person(tenant_a)
        tasks.send_reminders.enqueue()
        [sent] = stub.received
        assert sent["kind"] == "email" and sent["email_address"] == "sam@example.org"
        assert sent["personalisation"]["subject"] == "Questions from Alpha Charity"
        assert sent["personalisation"]["body"].startswith("Hello Sam")


def test_notify_server_error_is_retried_and_a_refusal_is_not(tenant_a: Tenant) -> None:
    with notify_stub() as stub:
        _notify(tenant_a, stub.url)
        agreeing_person(tenant_a)
        stub.answer_code = 500
        now = noon()
        services.reminders_plan(organisation=tenant_a.organisation, now=now)
        reminder = Reminder.objects.get()
        services.reminder_send(reminder=reminder, now=now)
        assert reminder.status == Reminder.Status.RETRYING
        assert "500" in reminder.last_error
        stub.answer_code = 400
        services.reminder_send(reminder=reminder, now=now + dt.timedelta(minutes=5))
        assert reminder.status == Reminder.Status.FAILED
        stub.answer_code = 201
        assert stub.received == []


def test_a_malformed_notify_key_is_a_permanent_failure() -> None:
    with pytest.raises(ProviderError) as raised:
        NotifyProvider(api_key="", email_template_id="x", sms_template_id="")
    assert raised.value.permanent


def test_smtp_reminder_reaches_the_mail_server(tenant_a: Tenant) -> None:
    with (
        smtp_stub() as stub,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=stub.port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        ),
    ):
        turn_on(tenant_a, provider="smtp", **NO_QUIET)
        agreeing_person(tenant_a)
        tasks.send_reminders.enqueue()
        [message] = stub.messages
        assert message["to"] == ["sam@example.org"]
        assert "Subject: Questions from Alpha Charity" in message["data"]
        assert "Hello Sam" in message["data"]
        assert Reminder.objects.get().status == Reminder.Status.SENT


def test_smtp_temporary_refusal_is_retried_and_permanent_is_not(
    tenant_a: Tenant,
) -> None:
    with (
        smtp_stub() as stub,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=stub.port,
            EMAIL_USE_TLS=False,
            EMAIL_TIMEOUT=5,
        ),
    ):
        turn_on(tenant_a, provider="smtp", **NO_QUIET)
        agreeing_person(tenant_a)
        now = noon()
        services.reminders_plan(organisation=tenant_a.organisation, now=now)
        reminder = Reminder.objects.get()
        stub.answer = "451 4.3.0 Try again later"
        services.reminder_send(reminder=reminder, now=now)
        assert reminder.status == Reminder.Status.RETRYING
        stub.answer = "550 5.1.1 No such mailbox"
        services.reminder_send(reminder=reminder, now=now + dt.timedelta(minutes=5))
        assert reminder.status == Reminder.Status.FAILED
        assert stub.messages == []
