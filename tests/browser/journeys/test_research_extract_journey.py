"""A research extract, on the demo: Amira, Riverside's organisation admin,
records a research project with herself as approver, approves it and downloads
its extract as CSV.

What is seen: the project page lists the columns in words and the downloads
once approved. What is stored: the project with its fields and its approval;
the CSV has pseudonyms and no names, NHS numbers or dates of birth of anyone in
the organisation; the download is in the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from openproms.sharing.models import ResearchProject
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

ADMIN = "admin@riverside.example"


def test_the_admin_records_approves_and_downloads_an_extract(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    sign_in_as(page, ADMIN)
    page.goto(f"/o/{riverside.slug}/research/")
    page.get_by_role("link", name="Record a research project").click()
    page.get_by_label("Project name").fill("Peer support follow-up")
    page.get_by_label("Purpose").fill("Northshire university: wellbeing after groups.")
    page.get_by_label("Approver").select_option(label="Amira Khan")
    today = timezone.localdate()
    page.locator("#id_approval_date").fill(today.strftime("%d/%m/%Y"))
    page.locator("#id_expiry_date").fill(
        (today + dt.timedelta(days=180)).strftime("%d/%m/%Y")
    )
    page.get_by_label("Age band").check()
    page.get_by_label("Sex").check()
    page.get_by_label("Date answered").check()
    page.get_by_label("Shift dates", exact=False).check()
    shot(page, "record the project")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", level=1, name="Peer support follow-up").wait_for()
    expect(page.locator("#project-status")).to_have_text("Waiting for approval")
    assert internal_ids_in(page.inner_text("body"), default_library()) == []
    page.get_by_role("button", name="Approve the project").click()
    expect(page.locator("#project-status")).to_contain_text("Approved on")
    shot(page, "approved, with its downloads")

    with page.expect_download() as info:
        page.get_by_role("link", name="Extract (CSV)").click()
    text = info.value.path().read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and list(rows[0]) == [
        "person",
        "age_band",
        "sex",
        "answered_on",
        "measure",
        "scale",
        "score",
    ]
    people = ServiceUser.objects.filter(organisation=riverside)
    for person in people:
        for value in (person.family_name, person.nhs_number, person.reference):
            if value:
                assert value not in text, value
        if person.date_of_birth:
            assert person.date_of_birth.isoformat() not in text

    project = ResearchProject.objects.get(
        organisation=riverside, name="Peer support follow-up"
    )
    assert project.approved_at is not None and project.shift_dates
    assert project.fields == ["age_band", "sex", "answered_on"]
    assert AuditEvent.objects.filter(
        organisation=riverside,
        action="research_extract.download",
        object_id=str(project.pk),
    ).exists()
