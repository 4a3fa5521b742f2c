"""An email reminder goes to the email address on the person's record now: a
change made on the person edit form carries to the reminders (planned and
waiting), the person page says so, the agreement keeps the address they agreed
with, and the change is audited. A record that says "Only in person" beside an
agreement to reminders is flagged on the person page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from openproms.reminders import services
from openproms.reminders.models import ContactAgreement, Reminder
from tests.conftest import Tenant, verified_client
from tests.reminders.helpers import RecordingProvider, agreeing_person, noon, turn_on
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db

OLD = "dev.21@example.org"
NEW = "dev.clarke@example.org"


def _url(name: str, tenant: Tenant, person: ServiceUser) -> str:
    return reverse(
        f"people:{name}",
        kwargs={"org_slug": tenant.organisation.slug, "person_pk": person.pk},
    )


def _edit(tenant: Tenant, person: ServiceUser, **changes: str) -> None:
    person.refresh_from_db()
    data = {
        "reference": person.reference,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "phone": person.phone,
        "contact_preference": person.contact_preference,
        "preferred_language": person.preferred_language,
        "version": str(person.version),
        **changes,
    }
    client = verified_client(tenant.members["manager"].user)
    response = client.post(_url("person_edit", tenant, person), data)
    assert response.status_code == 302, visible_text(response.content.decode())


def _panel(tenant: Tenant, person: ServiceUser) -> str:
    client = verified_client(tenant.members["manager"].user)
    page = client.get(_url("person_detail", tenant, person)).content.decode()
    return " ".join(visible_text(page).split())


def _person_with_email(tenant: Tenant) -> ServiceUser:
    person, _point = agreeing_person(tenant, address=OLD)
    person.email = OLD
    person.contact_preference = ServiceUser.ContactPreference.EMAIL
    person.save()
    return person


def test_changing_the_email_on_the_record_moves_the_reminders_to_it(
    tenant_a: Tenant,
) -> None:
    turn_on(tenant_a)
    person = _person_with_email(tenant_a)
    assert f"reminders by email to {OLD}." in _panel(tenant_a, person)

    _edit(tenant_a, person, email=NEW)

    panel = _panel(tenant_a, person)
    assert f"reminders by email to {NEW}." in panel
    assert f"They agreed with {OLD}." in panel
    # The agreement keeps what they agreed to; the change itself is audited.
    assert ContactAgreement.objects.get(service_user=person).address == OLD
    event = AuditEvent.objects.filter(action="person.update").latest("id")
    assert "email" in event.detail["fields"]
    provider = RecordingProvider()
    services.reminders_plan(organisation=tenant_a.organisation, now=noon())
    for reminder in services.reminders_due(
        organisation=tenant_a.organisation, now=noon()
    ):
        services.reminder_send(reminder=reminder, now=noon(), provider=provider)
    assert [m["to"] for m in provider.sent] == [NEW]
    assert Reminder.objects.get().address == NEW


def test_a_waiting_reminder_made_before_the_change_goes_to_the_new_address(
    tenant_a: Tenant,
) -> None:
    turn_on(tenant_a)
    person = _person_with_email(tenant_a)
    # Made in quiet hours, so it waits.
    services.reminders_plan(
        organisation=tenant_a.organisation, now=noon().replace(hour=22)
    )
    waiting = Reminder.objects.get()
    assert waiting.address == OLD and waiting.status == Reminder.Status.WAITING

    _edit(tenant_a, person, email=NEW)

    provider = RecordingProvider()
    morning = noon(days=1).replace(hour=10)
    for reminder in services.reminders_due(
        organisation=tenant_a.organisation, now=morning
    ):
        services.reminder_send(reminder=reminder, now=morning, provider=provider)
    assert [m["to"] for m in provider.sent] == [NEW]
    waiting.refresh_from_db()
    assert waiting.address == NEW and waiting.status == Reminder.Status.SENT


def test_the_agreement_form_offers_the_current_address(tenant_a: Tenant) -> None:
    person = _person_with_email(tenant_a)
    _edit(tenant_a, person, email=NEW)
    client = verified_client(tenant_a.members["manager"].user)
    url = reverse(
        "reminders:agreement_create",
        kwargs={"org_slug": tenant_a.organisation.slug, "person_pk": person.pk},
    )
    page = client.get(url).content.decode()
    assert f'value="{NEW}"' in page and OLD not in page


def test_a_record_saying_only_in_person_is_flagged_beside_an_agreement(
    tenant_a: Tenant,
) -> None:
    person = _person_with_email(tenant_a)
    assert "Check how they want to be contacted" not in _panel(tenant_a, person)
    _edit(tenant_a, person, contact_preference="in_person")
    panel = _panel(tenant_a, person)
    assert "Check how they want to be contacted" in panel
    assert "Their record says they prefer contact only in person" in panel
    assert "in_person" not in panel


def test_a_text_reminder_keeps_the_mobile_number_they_agreed(
    tenant_a: Tenant,
) -> None:
    person, _point = agreeing_person(
        tenant_a, preference=ContactAgreement.Preference.SMS, address="07700900123"
    )
    person.phone = "01632 960001"
    person.save()
    agreement = ContactAgreement.objects.get(service_user=person)
    assert services.reminder_address(agreement, person) == "07700900123"
