"""The provider follows the organisation's kind (GOV.UK Notify for NHS bodies, GP
practices and local authorities; email through the mail server for the rest); the
settings page says why, and another provider is allowed only with a reason, shown
with the settings (decision 0035)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.accounts.models import Organisation
from openproms.reminders import services
from openproms.reminders.models import Reminder, ReminderSettings, usual_provider
from openproms.scoring.library import default_library
from tests.conftest import Tenant, verified_client
from tests.reminders.helpers import agreeing_person, noon
from tests.reminders.stubs import API_KEY
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

SETTINGS = {
    "enabled": "yes",
    "quiet_from": "20:00",
    "quiet_until": "09:00",
    "max_per_time_point": "2",
    "days_between": "3",
    "days_before_due": "2",
    "max_attempts": "4",
    "notify_base_url": "",
    "notify_email_template_id": "",
    "notify_sms_template_id": "",
}


def _url(name: str) -> str:
    return reverse(f"reminders:{name}", kwargs={"org_slug": "alpha"})


def _kind(tenant: Tenant, kind: str) -> None:
    tenant.organisation.kind = kind
    tenant.organisation.save(update_fields=["kind"])


@pytest.mark.parametrize(
    ("kind", "usual"),
    [
        (Organisation.Kind.NHS, "notify"),
        (Organisation.Kind.GP_PRACTICE, "notify"),
        (Organisation.Kind.LOCAL_AUTHORITY, "notify"),
        (Organisation.Kind.CHARITY, "smtp"),
        (Organisation.Kind.OTHER, "smtp"),
    ],
)
def test_the_usual_provider_follows_the_kind_of_organisation(
    tenant_a: Tenant, kind: str, usual: str
) -> None:
    _kind(tenant_a, kind)
    assert usual_provider(kind) == usual
    config = services.settings_for(tenant_a.organisation)
    assert config.provider == usual and not config.enabled


def test_an_nhs_body_is_offered_notify_first_and_told_why(tenant_a: Tenant) -> None:
    _kind(tenant_a, Organisation.Kind.NHS)
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(_url("settings_edit"))
    text = visible_text(page.content.decode())
    assert "Kind of organisation: NHS trust or other NHS body" in text
    assert "GOV.UK Notify (email and text messages) (the usual way)" in text
    assert "the government's messaging service for the public sector" in text
    assert page.context["form"]["provider"].value() == "notify"
    assert not internal_ids_in(text, list(default_library()))


def test_a_charity_choosing_notify_must_say_why_and_nothing_is_saved_without(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    data = {
        **SETTINGS,
        "provider": "notify",
        "notify_api_key": API_KEY,
        "notify_email_template_id": "abc",
    }
    refused = client.post(_url("settings_edit"), data)
    assert refused.status_code == 400
    assert (
        "Say why reminders are not sent the usual way for this kind of organisation "
        "(Email through this system&#x27;s mail server)."
    ) in refused.content.decode()
    assert not ReminderSettings.objects.exists()
    data["provider_reason"] = "We deliver the council's service; Notify said yes."
    assert client.post(_url("settings_edit"), data).status_code == 302
    config = ReminderSettings.objects.get()
    assert config.provider == "notify" and config.enabled
    assert config.provider_reason == data["provider_reason"]
    shown = visible_text(client.get(_url("reminder_list")).content.decode())
    assert (
        "Not the usual way for this kind of organisation (Charity or community "
        "organisation: Email through this system's mail server). Why: We deliver "
        "the council's service; Notify said yes."
    ) in shown


def test_going_back_to_the_usual_provider_drops_the_reason(tenant_a: Tenant) -> None:
    _kind(tenant_a, Organisation.Kind.LOCAL_AUTHORITY)
    client = verified_client(tenant_a.members["manager"].user)
    data = {**SETTINGS, "provider": "smtp", "provider_reason": "Email only for now."}
    assert client.post(_url("settings_edit"), data).status_code == 302
    assert ReminderSettings.objects.get().provider_reason == "Email only for now."
    data.update(
        provider="notify",
        notify_api_key=API_KEY,
        notify_sms_template_id="0b9d7dc4-6cc0-4ae8-9fb2-3a4bd1dd25f6",
    )
    assert client.post(_url("settings_edit"), data).status_code == 302
    config = ReminderSettings.objects.get()
    assert config.provider == "notify" and config.provider_reason == ""
    shown = visible_text(client.get(_url("reminder_list")).content.decode())
    assert (
        "GOV.UK Notify (email and text messages): the usual way for this kind of "
        "organisation (Local authority (council))"
    ) in shown


def test_reminders_switched_off_send_nothing_whatever_the_provider(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    data = {**SETTINGS, "enabled": "no", "provider": "smtp"}
    assert client.post(_url("settings_edit"), data).status_code == 302
    agreeing_person(tenant_a)
    made = services.reminders_plan(organisation=tenant_a.organisation, now=noon())
    assert made == 0 and not Reminder.objects.exists()
    text = visible_text(client.get(_url("reminder_list")).content.decode())
    assert "Off: nothing is sent" in text


def test_an_nhs_body_may_keep_reminders_off_before_it_has_a_notify_key(
    tenant_a: Tenant,
) -> None:
    _kind(tenant_a, Organisation.Kind.NHS)
    client = verified_client(tenant_a.members["manager"].user)
    data = {**SETTINGS, "enabled": "no", "provider": "notify"}
    assert client.post(_url("settings_edit"), data).status_code == 302
    data["enabled"] = "yes"
    refused = client.post(_url("settings_edit"), data)
    assert refused.status_code == 400
    assert "Enter the GOV.UK Notify API key." in refused.content.decode()
    assert not ReminderSettings.objects.get().enabled
