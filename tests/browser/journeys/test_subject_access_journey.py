"""Subject access, on the demo: Amira Khan, the organisation admin at Riverside,
finds a person, downloads everything Riverside holds about them from their page,
and reads the summary in the browser.

What is seen: the person page offers "Download everything we hold (subject
access)"; the ZIP holds summary.html, data.json, fhir-bundle.json and, for a person
whose paper forms were scanned, their page images; the summary names the person,
shows each answer set with its questions in words and lists the audit events
(Amira's own look at the person page among them), with no internal identifiers. What is stored: one "person.subject_access" audit event
by Amira about the person, by key only (no name in the event).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from openproms.scans.models import ScanPage
from openproms.scoring import default_library
from tests.browser.crawler import axe_violations
from tests.browser.helpers import assert_no_horizontal_scroll, open_from_menu
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

ADMIN = "admin@riverside.example"
UNPACKED = "http://127.0.0.1:9/download/"


def _person_with_scans() -> ServiceUser:
    """A Riverside person whose answers include a scanned paper form (or, if the
    demo has none, the one with the most answers)."""
    scanned = (
        ScanPage.objects.filter(
            organisation__slug="riverside",
            administration__isnull=False,
            image_removed_at__isnull=True,
        )
        .exclude(image="")
        .select_related("administration__service_user")
        .order_by("pk")
        .first()
    )
    if scanned is not None and scanned.administration is not None:
        return scanned.administration.service_user
    person = (
        ServiceUser.objects.filter(organisation__slug="riverside")
        .annotate(n=Count("administrations"))
        .order_by("-n", "pk")
        .first()
    )
    assert person is not None
    return person


def test_an_admin_downloads_everything_held_about_a_person(
    page: Page, demo: Any, sign_in_as: Any, shot: Any, tmp_path: Any
) -> None:
    admin = sign_in_as(page, ADMIN)
    person = _person_with_scans()
    has_scans = ScanPage.objects.filter(
        administration__service_user=person, image_removed_at__isnull=True
    ).exclude(image="")

    page.goto("/o/riverside/")
    open_from_menu(page, "People")
    page.get_by_label("Search by reference, name or NHS number").fill(person.reference)
    page.get_by_role("button", name="Search").click()
    listed = f"{person.given_name} {person.family_name}".strip() or person.reference
    page.get_by_role("link", name=listed, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    link = page.get_by_role("link", name="Download everything we hold (subject access)")
    link.scroll_into_view_if_needed()
    assert axe_violations(page) == []
    shot(page, "person page with the subject access download")

    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".zip"
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    names = archive.namelist()
    assert {"summary.html", "data.json", "fhir-bundle.json"} <= set(names)
    images = [n for n in names if n.startswith("scans/")]
    assert len(images) == has_scans.count()

    data = json.loads(archive.read("data.json"))
    assert data["person"]["reference"] == person.reference
    assert len(data["administrations"]) == person.administrations.count()
    assert {a["service_user"] for a in data["administrations"]} <= {person.pk}
    # Amira opened the person page just now: her look is in the audit listed.
    looks = [e for e in data["audit_events"] if e["action"] == "records.view"]
    assert admin.display_name in {e["who"] for e in looks}

    # Read the summary as the person would, images beside it.
    # (Served from the unpacked folder under a made-up address: the test browser
    # reaches nothing off the machine and opens no local files.)
    folder = tmp_path / "download"
    archive.extractall(folder)
    page.route(
        f"{UNPACKED}**",
        lambda route: route.fulfill(
            path=str(folder / route.request.url.removeprefix(UNPACKED))
        ),
    )
    page.goto(f"{UNPACKED}summary.html")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Everything Riverside")
    text = page.inner_text("body")
    assert person.reference in text
    assert internal_ids_in(text, list(default_library())) == []
    expect(page.get_by_role("heading", name="Answers and scores")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Who has looked at or changed the record")
    ).to_be_visible()
    assert axe_violations(page) == []
    assert_no_horizontal_scroll(page, axe=True)  # read on a phone
    shot(page, "the summary in the download")
    if images:
        page.get_by_role("link", name=images[0]).click()
        shot(page, "a scanned page from the download")

    event = AuditEvent.objects.get(action="person.subject_access")
    assert event.actor == admin
    assert (event.object_type, event.object_id) == (
        "people.serviceuser",
        str(person.pk),
    )
    assert event.object_repr == ""
    assert person.family_name not in json.dumps(event.detail)
