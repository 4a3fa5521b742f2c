"""The manager keeps collection going: sets up a reminder message and sees what
became of reminders, reads weekly collection and the alert for the services
they lead, and opens training mode and starts it again. Each step asserts what
the manager sees and what is stored."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openproms.accounts.models import Organisation
from openproms.core import encryption
from openproms.people.models import ServiceUser
from openproms.reminders.models import (
    CaptureAlert,
    MessageTemplate,
    Reminder,
    ReminderSettings,
)
from openproms.scoring import default_library
from tests.browser.helpers import check_page, open_from_menu
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"
# In the form GOV.UK Notify gives: a name, the service id, the secret.
NOTIFY_KEY = (
    "riverside-00000000-0000-0000-0000-000000000001-"
    "00000000-0000-0000-0000-00000000abcd"
)
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
REASON = "We deliver the council's talking therapies; Notify gave us an account."


def test_the_manager_sets_up_reminders_reads_capture_and_practises(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    manager = sign_in_as(page, MANAGER)
    library = list(default_library())

    # Home: the alert for the services this manager leads.
    page.goto(f"/o/{riverside.slug}/")
    stored_alerts = CaptureAlert.objects.filter(
        organisation=riverside, lead=manager, resolved_at__isnull=True
    )
    assert stored_alerts.exists()
    alerts = page.locator("#home-capture-alerts")
    expect(alerts).to_contain_text("Collection needs attention")
    expect(alerts).to_contain_text(stored_alerts.first().message)
    shot(page, "home with collection alert")

    # Reminders: delivery status as stored.
    page.get_by_role("link", name="Reminders", exact=True).click()
    page.get_by_role("heading", level=1, name="Reminders").wait_for()
    table = page.locator("#reminder-table")
    for reminder in Reminder.objects.filter(organisation=riverside):
        expect(table).to_contain_text(reminder.get_status_display())
    assert internal_ids_in(page.inner_text("body"), library) == []
    check_page(page)
    shot(page, "reminders and their delivery")

    # A text message with a placeholder that does not exist is refused, named.
    page.get_by_role("link", name="Change the text message reminder").click()
    page.get_by_label("Message").fill("Hi {firstname}, please answer by {due}: {link}")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "{firstname} is not a placeholder we know"
    )
    assert not MessageTemplate.objects.filter(organisation=riverside).exists()
    shot(page, "template refused")
    page.get_by_label("Message").fill("Hi {name}, please answer by {due}: {link}")
    page.get_by_role("button", name="Save message").click()
    expect(page.get_by_text("Text message reminder saved.")).to_be_visible()
    stored = MessageTemplate.objects.get(organisation=riverside, channel="sms")
    assert stored.body == "Hi {name}, please answer by {due}: {link}"
    shot(page, "template saved")

    # Settings: the usual way follows the kind of organisation (a charity: email
    # through the mail server); another way needs a reason, shown with the
    # settings; the Notify key is stored encrypted and never shown back.
    page.goto(f"/o/{riverside.slug}/reminders/")
    page.get_by_role("link", name="Change reminder settings").click()
    page.get_by_role("heading", level=1, name="Reminder settings").wait_for()
    expect(page.locator("#organisation-kind")).to_contain_text(
        "Kind of organisation: Charity or community organisation"
    )
    expect(page.get_by_label("Email through this system's mail server")).to_be_checked()
    expect(page.get_by_text("gives accounts only to the public sector")).to_be_visible()
    shot(page, "settings with the usual way")
    page.get_by_label("GOV.UK Notify (email and text messages)").check()
    page.get_by_label("GOV.UK Notify API key").fill(NOTIFY_KEY)
    page.get_by_label("GOV.UK Notify email template ID").fill(TEMPLATE_ID)
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Say why reminders are not sent the usual way for this kind of organisation"
    )
    config = ReminderSettings.objects.get(organisation=riverside)
    assert config.provider == "smtp" and not config.notify_api_key_encrypted
    shot(page, "another way refused without a reason")
    page.get_by_label("Why this organisation sends them another way").fill(REASON)
    page.get_by_label("GOV.UK Notify API key").fill(NOTIFY_KEY)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Reminder settings saved.")).to_be_visible()
    settings_list = page.locator("#reminder-settings")
    expect(settings_list).to_contain_text(f"Why: {REASON}")
    expect(settings_list).to_contain_text(f"Set, ends ...{NOTIFY_KEY[-4:]}")
    assert NOTIFY_KEY[-36:] not in page.content()
    config.refresh_from_db()
    assert config.provider == "notify" and config.provider_reason == REASON
    assert NOTIFY_KEY[-36:] not in config.notify_api_key_encrypted
    assert encryption.decrypt(config.notify_api_key_encrypted) == NOTIFY_KEY
    check_page(page)
    shot(page, "another way with its reason")

    # Weekly collection: the chart, its figures and the alert.
    page.goto(f"/o/{riverside.slug}/collection/weekly/")
    page.get_by_role("heading", level=1, name="Weekly collection").wait_for()
    expect(page.locator("#capture-alerts")).to_contain_text(
        stored_alerts.first().message
    )
    expect(
        page.locator("#chart-services svg, #chart-services canvas").first
    ).to_be_visible()
    for service in riverside.services.all():
        expect(page.locator("#service-leads")).to_contain_text(service.name)
    check_page(page)
    shot(page, "weekly collection")

    # Training mode: made up, labelled, and started again at will.
    page.goto(f"/o/{riverside.slug}/")
    page.get_by_role("link", name="Learn openproms with made-up people").click()
    page.get_by_role("button", name="Open training mode").click()
    banner = page.locator("#practice-banner")
    expect(banner).to_contain_text("You are in training mode")
    practice = Organisation.objects.get(is_training=True)
    assert page.url.endswith(f"/o/{practice.slug}/")
    before = set(
        ServiceUser.objects.filter(organisation=practice).values_list("pk", flat=True)
    )
    assert before
    expect(page.get_by_text("their first measures are due now")).to_be_visible()
    shot(page, "practice home")
    # The new starters' first measures are due now, on her own caseload.
    starter = (
        ServiceUser.objects.filter(
            organisation=practice,
            episodes__time_points__status="pending",
            episodes__time_points__window_start__lte=timezone.localdate(),
        )
        .distinct()
        .first()
    )
    assert starter is not None
    open_from_menu(page, "Who is due")
    expect(page.locator("main")).to_contain_text(starter.display_name)
    expect(page.locator("#practice-banner")).to_be_visible()
    shot(page, "practice who is due")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.locator("#practice-banner")).to_be_visible()
    shot(page, "practice people")
    banner.get_by_role("link", name="Start again").click()
    page.get_by_role(
        "button", name="Start training again with new made-up people"
    ).click()
    expect(page.get_by_text("Training mode refreshed")).to_be_visible()
    after = set(
        ServiceUser.objects.filter(organisation=practice).values_list("pk", flat=True)
    )
    assert after and not before & after
    shot(page, "practice refreshed")
