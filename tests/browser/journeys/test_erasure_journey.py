"""The organisation admin erases a person on request, restricts another's data,
and looks at how long records are kept, on the whole demo, in a real browser.

Each step asserts what the admin sees and what is stored: after the erasure the
person, their answers and their scanned page images are gone, the erasure record
names no one, and the audit log says what was done without their name."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from openproms.audit.models import AuditEvent
from openproms.collection.models import TimePoint
from openproms.governance.models import Erasure
from openproms.people.models import ServiceUser
from openproms.scans.models import ScanPage
from tests.browser.helpers import check_page

pytestmark = pytest.mark.browser

ORG = "riverside"


def _scanned_person() -> ServiceUser:
    page = (
        ScanPage.objects.filter(organisation__slug=ORG, administration__isnull=False)
        .exclude(image="")
        .select_related("administration__service_user")
        .first()
    )
    assert page is not None, "the demo has a scanned form saved to a person"
    return page.administration.service_user  # type: ignore[union-attr]


def test_admin_erases_a_person_restricts_another_and_checks_retention(
    page, demo, sign_in_as, shot
):
    sign_in_as(page, "admin@riverside.example")
    person = _scanned_person()
    images = [
        Path(f.path)
        for p in ScanPage.objects.filter(administration__service_user=person)
        for f in (p.image, p.aligned)
        if f
    ]
    assert images and all(p.exists() for p in images)

    # The person's page offers erasure to the admin.
    page.goto(f"/o/{ORG}/people/{person.pk}/")
    page.get_by_role("link", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase this person")
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(
        "Erasing cannot be undone"
    )
    shot(page, "erase confirmation")
    check_page(page, narrow=True)

    # A wrong reference is refused and nothing changes.
    page.get_by_label("Why are you erasing this person?").fill(
        "They asked us by email to erase their data"
    )
    page.get_by_label("Type their reference to confirm").fill("WRONG-1")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "The reference you typed is not this person's reference"
    )
    shot(page, "wrong reference refused")
    assert ServiceUser.objects.filter(pk=person.pk).exists()

    # The right reference erases them.
    page.get_by_label("Type their reference to confirm").fill(person.reference)
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People erased")
    expect(page.get_by_text("The person is erased.")).to_be_visible()
    erasure = Erasure.objects.get(organisation__slug=ORG)
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("On request: They asked us by email")
    expect(row).to_contain_text("Amira Khan")
    body = page.inner_text("body")
    assert person.reference not in body and person.family_name not in body
    assert "are not rewritten" in body
    shot(page, "people erased")
    check_page(page, narrow=True)
    assert not ServiceUser.objects.filter(pk=person.pk).exists()
    assert not any(p.exists() for p in images)
    assert erasure.files_removed == len(images)

    # The audit log says what was done, without naming them.
    page.goto(f"/o/{ORG}/audit/")
    expect(page.locator("body")).to_contain_text("Person erased")
    assert person.family_name not in page.inner_text("body")
    shot(page, "audit log")
    assert AuditEvent.objects.filter(action="person.erase").count() == 1

    # Restrict another person: their page says so and they drop off the due list.
    other = (
        ServiceUser.objects.filter(
            organisation__slug=ORG,
            episodes__time_points__status=TimePoint.Status.PENDING,
        )
        .distinct()
        .first()
    )
    assert other is not None
    page.goto(f"/o/{ORG}/people/{other.pk}/")
    page.get_by_role("link", name="Restrict their data").click()
    shot(page, "restrict form")
    check_page(page)
    page.get_by_label("Why is their data restricted?").fill(
        "They asked us to stop while they check their record"
    )
    page.get_by_role("button", name="Restrict their data").click()
    expect(page.locator("#restriction")).to_contain_text("Their data is restricted")
    shot(page, "person restricted")
    assert not TimePoint.objects.filter(
        episode__service_user=other, status=TimePoint.Status.PENDING
    ).exists()
    page.goto(f"/o/{ORG}/due/")
    assert other.display_name not in page.inner_text("body")

    # Retention: the period, where the default comes from, and who goes next.
    page.goto(f"/o/{ORG}/")
    page.get_by_role(
        "link", name="How long records are kept, and who will be erased next"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "How long records are kept"
    )
    expect(page.locator("body")).to_contain_text("Records Management Code of Practice")
    shot(page, "retention")
    check_page(page, narrow=True)
