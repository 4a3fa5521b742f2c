"""The manager keeps collection going: sets up a reminder message and sees what
became of reminders, reads weekly collection and the alert for the services
they lead, and opens practice mode and starts it again. Each step asserts what
the manager sees and what is stored."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openproms.accounts.models import Organisation
from openproms.people.models import ServiceUser
from openproms.reminders.models import CaptureAlert, MessageTemplate, Reminder
from openproms.scoring import default_library
from tests.browser.helpers import check_page
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"


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

    # Practice mode: made up, labelled, and started again at will.
    page.goto(f"/o/{riverside.slug}/")
    page.get_by_role("link", name="Learn openproms with made-up people").click()
    page.get_by_role("button", name="Open practice mode").click()
    banner = page.locator("#practice-banner")
    expect(banner).to_contain_text("Practice")
    practice = Organisation.objects.get(is_training=True)
    assert page.url.endswith(f"/o/{practice.slug}/")
    before = set(
        ServiceUser.objects.filter(organisation=practice).values_list("pk", flat=True)
    )
    assert before
    shot(page, "practice home")
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.locator("#practice-banner")).to_be_visible()
    shot(page, "practice people")
    banner.get_by_role("link", name="Start again").click()
    page.get_by_role(
        "button", name="Start practice again with new made-up people"
    ).click()
    expect(page.get_by_text("Practice mode refreshed")).to_be_visible()
    after = set(
        ServiceUser.objects.filter(organisation=practice).values_list("pk", flat=True)
    )
    assert after and not before & after
    shot(page, "practice refreshed")
