"""People pages in a real browser: adding a person, opening an episode, taking a
group register and the caseload, each checked with axe and at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openproms.collection.models import RiskAlert
from openproms.people.models import Contact, Episode, ServiceUser
from tests.browser.helpers import check_page, sign_in_verified
from tests.people import factories

pytestmark = pytest.mark.browser


def test_a_manager_adds_a_person_and_opens_their_episode(page, tenant_a, live_server):
    manager = tenant_a.members["manager"].user
    worker = tenant_a.members["worker"].user
    sign_in_verified(page, manager, live_server.url)

    page.goto("/o/alpha/people/")
    check_page(page, narrow=True)

    page.get_by_role("link", name="Add a person").click()
    page.wait_for_url("**/people/new/")
    check_page(page, narrow=True)

    # A bad NHS number and a future date of birth: both named, nothing saved.
    page.get_by_label("Reference", exact=True).fill("C-101")
    page.get_by_label("First name (optional)").fill("Sam")
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2999")
    page.get_by_label("NHS number (optional)").fill("943 476 5918")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This is not a valid NHS number")
    expect(summary).to_contain_text("Date of birth must be today or in the past")
    check_page(page)
    assert not ServiceUser.objects.exists()

    page.get_by_label("Year").fill("1984")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_label("Postcode (optional)").fill("sw1a 1aa")
    page.get_by_label("Female").check()
    page.get_by_label("Ethnic group (optional)").select_option("white_british")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/people/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam")
    expect(page.get_by_text("SW1A 1AA")).to_be_visible()
    check_page(page, narrow=True)

    page.get_by_role("link", name="Open an episode").click()
    page.wait_for_url("**/episodes/new/")
    check_page(page, narrow=True)
    page.get_by_label("Service").select_option(label=tenant_a.service.name)
    page.get_by_label("Key worker").select_option(label=worker.display_name)
    page.get_by_role("button", name="Open the episode").click()
    page.wait_for_url("**/people/*/")
    expect(page.get_by_role("heading", name=tenant_a.service.name)).to_be_visible()
    episode = Episode.objects.get()
    assert episode.key_worker == worker


def test_a_worker_takes_a_group_register_by_keyboard_and_sees_the_caseload(
    page, tenant_a, live_server
):
    worker = tenant_a.members["worker"].user
    ann = factories.on_caseload(tenant_a, "ANN", given_name="Ann", family_name="Avery")
    factories.on_caseload(tenant_a, "BOB", given_name="Bob", family_name="Brown")
    factories.phq9_answered(tenant_a, ann, item9=1)
    sign_in_verified(page, worker, live_server.url)

    page.goto("/o/alpha/")
    expect(page.get_by_text("Risk alerts for you")).to_be_visible()
    check_page(page, narrow=True)

    page.goto("/o/alpha/groups/")
    check_page(page, narrow=True)
    page.get_by_role("link", name="Take a register").click()
    check_page(page, narrow=True)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/groups/new/?service=*")
    check_page(page, narrow=True)

    page.get_by_label("Name of the session").fill("Walking group")
    attended = page.get_by_role("group", name="Who attended?")
    missed = page.get_by_role("group", name="Who was expected but did not attend?")
    attended.get_by_label("Ann Avery (ANN)").focus()
    page.keyboard.press("Space")
    missed.get_by_label("Bob Brown (BOB)").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save the register").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/groups/")
    expect(page.get_by_role("link", name="Walking group")).to_be_visible()
    contacts = {
        c.episode.service_user.reference: c.attended for c in Contact.objects.all()
    }
    assert contacts == {"ANN": True, "BOB": False}

    page.get_by_role("link", name="Walking group").click()
    check_page(page, narrow=True)

    page.goto("/o/alpha/caseload/")
    expect(page.get_by_role("link", name="Ann Avery (ANN)")).to_be_visible()
    expect(page.get_by_text("1 open")).to_be_visible()
    check_page(page, narrow=True)
    page.get_by_label("Sort by").select_option("due")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/caseload/?*sort=due*")
    check_page(page)

    page.goto("/o/alpha/alerts/")
    check_page(page, narrow=True)
    page.get_by_role("link", name="Acknowledge the alert for Ann Avery (ANN)").click()
    check_page(page, narrow=True)
    page.get_by_label("What have you done about it?").fill("Phoned; safety plan agreed")
    page.get_by_role("button", name="Acknowledge the alert").click()
    page.wait_for_url("**/alerts/")
    expect(page.get_by_text("No open alerts.")).to_be_visible()
    assert RiskAlert.objects.get().acknowledged_by == worker


def test_person_page_with_consent_and_episode_changes_is_accessible(
    page, tenant_a, live_server
):
    person = factories.on_caseload(tenant_a, "R1", given_name="Robin")
    episode = person.episodes.get()
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    for path in (
        f"/o/alpha/people/{person.pk}/",
        f"/o/alpha/people/{person.pk}/edit/",
        f"/o/alpha/people/{person.pk}/consent/",
        f"/o/alpha/episodes/{episode.pk}/pause/",
        f"/o/alpha/episodes/{episode.pk}/close/",
        f"/o/alpha/episodes/{episode.pk}/contacts/new/",
    ):
        page.goto(path)
        check_page(page, narrow=True)
