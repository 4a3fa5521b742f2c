"""The reminder pages: settings (the Notify key never shown back), templates
(validated, nothing saved on a problem), agreements, and delivery status on the
reminders page and the person page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.audit.models import AuditEvent
from openproms.core import encryption
from openproms.reminders.models import (
    ContactAgreement,
    MessageTemplate,
    Reminder,
    ReminderSettings,
)
from openproms.scoring.library import default_library
from tests.conftest import Tenant, verified_client
from tests.reminders.helpers import RecordingProvider, agreeing_person, noon, turn_on
from tests.reminders.stubs import API_KEY
from tests.route_objects.collection_answering import due_person
from tests.text_checks import internal_ids_in, visible_text

LIBRARY = list(default_library())

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"reminders:{name}", kwargs={"org_slug": "alpha", **kwargs})


def test_a_template_with_an_unknown_placeholder_is_refused_and_nothing_saved(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    answer = client.post(_url("template_sms"), {"body": "Hi {firstname}: {link}"})
    assert answer.status_code == 400
    assert "{firstname} is not a placeholder we know" in answer.content.decode()
    assert not MessageTemplate.objects.exists()
    answer = client.post(_url("template_sms"), {"body": "Hi {name}: {link}"})
    assert answer.status_code == 302
    assert MessageTemplate.objects.get().body == "Hi {name}: {link}"
    assert AuditEvent.objects.filter(action="reminder.template_update").exists()


def test_the_notify_key_is_stored_encrypted_and_never_shown_back(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    data = {
        "enabled": "yes",
        "provider": "notify",
        "provider_reason": "We run the council's service; Notify gave us an account.",
        "quiet_from": "20:00",
        "quiet_until": "09:00",
        "max_per_time_point": "2",
        "days_between": "3",
        "days_before_due": "2",
        "max_attempts": "4",
        "notify_api_key": API_KEY,
        "notify_base_url": "",
        "notify_email_template_id": "abc",
        "notify_sms_template_id": "",
    }
    assert client.post(_url("settings_edit"), data).status_code == 302
    config = ReminderSettings.objects.get()
    assert API_KEY not in config.notify_api_key_encrypted
    assert encryption.decrypt(config.notify_api_key_encrypted) == API_KEY
    secret = API_KEY[-36:]
    for page in (_url("settings_edit"), _url("reminder_list")):
        text = client.get(page).content.decode()
        assert secret not in text and API_KEY not in text
        assert f"Set, ends ...{API_KEY[-4:]}" in text
    # Saving again without a key keeps the stored one.
    data["notify_api_key"] = ""
    data["max_per_time_point"] = "3"
    assert client.post(_url("settings_edit"), data).status_code == 302
    config.refresh_from_db()
    assert encryption.decrypt(config.notify_api_key_encrypted) == API_KEY
    assert config.max_per_time_point == 3
    event = AuditEvent.objects.filter(action="reminder.settings_update").last()
    assert event is not None and secret not in str(event.detail)


def test_bad_settings_are_named_and_nothing_changes(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    answer = client.post(
        _url("settings_edit"),
        {
            "enabled": "yes",
            "provider": "notify",
            "provider_reason": "Notify gave us an account.",
            "quiet_from": "25:00",
            "quiet_until": "09:00",
            "max_per_time_point": "0",
            "days_between": "3",
            "days_before_due": "2",
            "max_attempts": "4",
            "notify_api_key": "short",
        },
    )
    text = answer.content.decode()
    assert answer.status_code == 400
    assert "This is not a GOV.UK Notify API key" in text
    assert "Enter a number from 1 to 10." in text
    assert not ReminderSettings.objects.exists()


def test_a_worker_records_an_agreement_and_the_person_page_shows_delivery(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = _url("agreement_create", person_pk=person.pk)
    bad = client.post(
        url, {"preference": "sms", "address": "12345", "agreed_on": "01/03/2026"}
    )
    assert bad.status_code == 400
    assert "Enter a UK mobile number" in bad.content.decode()
    assert not ContactAgreement.objects.exists()
    good = client.post(
        url,
        {"preference": "sms", "address": "07700 900123", "agreed_on": "01/03/2026"},
    )
    assert good.status_code == 302
    agreement = ContactAgreement.objects.get()
    assert agreement.address == "07700900123" and agreement.preference == "sms"
    turn_on(tenant_a)
    from openproms.reminders import services

    services.reminders_plan(organisation=tenant_a.organisation, now=noon())
    reminder = Reminder.objects.get()
    services.reminder_send(reminder=reminder, now=noon(), provider=RecordingProvider())
    page = client.get(
        reverse(
            "people:person_detail", kwargs={"org_slug": "alpha", "person_pk": person.pk}
        )
    ).content.decode()
    assert "Agreed on 1 March 2026 to reminders by text message to 07700900123" in page
    assert "Reminders and their delivery" in page and ">Sent<" in page
    assert internal_ids_in(visible_text(page), LIBRARY) == []


def test_the_reminders_page_lists_delivery_for_a_manager(tenant_a: Tenant) -> None:
    turn_on(tenant_a)
    agreeing_person(tenant_a)
    from openproms.reminders import services

    services.reminders_plan(organisation=tenant_a.organisation, now=noon())
    reminder = Reminder.objects.get()
    services.reminder_send(
        reminder=reminder, now=noon(), provider=RecordingProvider(failures=1)
    )
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(_url("reminder_list")).content.decode()
    assert "Failed, will try again" in page and "The server is busy." in page
    assert "Sam Person" in page
    # The questionnaire by its measure's name, and when the next try is.
    point = reminder.time_point
    assert f'PHQ-9 <span class="nhsuk-body-s">({point.label}, due ' in page
    next_try = timezone.localtime(noon() + dt.timedelta(minutes=5))
    assert f"next try {next_try:%-d %b %Y, %H:%M}" in page
    # Given up on: when it ended, not a next try that will never come.
    reminder.refresh_from_db()
    services.reminder_send(
        reminder=reminder,
        now=noon() + dt.timedelta(minutes=5),
        provider=RecordingProvider(failures=1, permanent=True),
    )
    page = client.get(_url("reminder_list")).content.decode()
    ended = timezone.localtime(noon() + dt.timedelta(minutes=5))
    assert "Could not be sent" in page and "next try" not in page
    assert f"{ended:%-d %b %Y, %H:%M}</td>" in page
    assert internal_ids_in(visible_text(page), LIBRARY) == []
    # A worker may not change the organisation's reminders.
    worker = verified_client(tenant_a.members["worker"].user)
    assert worker.get(_url("reminder_list")).status_code == 403
