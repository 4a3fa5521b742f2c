"""Scanned paper in the browser, as a data officer: uploading a batch (with a file
that cannot be read), watching what became of it, working through the verification
queue by keyboard alone, and saying whose blank form a page is. Every page is
checked with axe and at 320 px wide."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from openproms.collection.models import Administration, TimePoint
from openproms.people.models import ServiceUser
from openproms.scans import read_services, services
from openproms.scans.models import PrintedForm, ScanBatch, ScanItem, ScanPage
from tests.browser.helpers import check_page, sign_in_verified
from tests.conftest import Tenant
from tests.route_objects.collection_answering import due_person
from tests.route_objects.scans import as_pdf, as_png, scanned_pages

pytestmark = pytest.mark.browser

PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}
PHQ9_SCORE = sum(v for k, v in PHQ9.items() if k != "phq9_difficulty")  # 13
DOUBTFUL = "phq9_3"  # marked 3, with a second mark on 0: a person must choose
# Reading a PDF happens while the upload is answered (tasks run at once in tests),
# which takes a while on a slow machine.
READING_MS = 120_000


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _printed_form(
    tenant: Tenant, reference: str
) -> tuple[ServiceUser, TimePoint, PrintedForm]:
    """A person with PHQ-9 due and the form printed for them."""
    person, _, [point] = due_person(tenant, reference=reference)
    outcome = services.forms_print(
        membership=tenant.members["data_officer"], time_points=[point]
    )
    return person, point, outcome.printed[0]


def _uploaded(tenant: Tenant, name: str, data: bytes) -> ScanBatch:
    """A batch uploaded (and read) without the browser, for tests about what follows."""
    batch = services.batch_create(
        membership=tenant.members["data_officer"],
        files=[SimpleUploadedFile(name, data)],
    )
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE, batch.error
    return batch


def _expect_image_shown(page: Page, selector: str) -> None:
    page.wait_for_function(
        "(s) => { const img = document.querySelector(s);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
    )


def test_upload_a_batch_and_see_what_became_of_each_file(
    page, tenant_a, live_server, tmp_path
):
    person, point, form = _printed_form(tenant_a, "SCAN-1")
    pdf = tmp_path / "pile.pdf"
    pdf.write_bytes(as_pdf(scanned_pages(form, PHQ9, second_marks={DOUBTFUL: 0})))
    notes = tmp_path / "notes.txt"
    notes.write_text("Milk, eggs, bread\n")

    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    page.goto("/o/alpha/scans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scanned forms")
    expect(page.get_by_text("Nothing has been uploaded yet.")).to_be_visible()
    check_page(page, narrow=True)

    # Nothing chosen: the error summary leads to the field.
    page.get_by_role("button", name="Upload and read").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the scanned files to upload")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page)

    page.set_input_files("#id_files", [str(pdf), str(notes)])
    # The files are read before the answer comes (tasks run at once in tests).
    page.get_by_role("button", name="Upload and read").click(timeout=READING_MS)
    page.wait_for_url(re.compile(r"/o/alpha/scans/batches/\d+/$"), timeout=READING_MS)
    batch = ScanBatch.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Batch {batch.pk}")

    # The batch page says what became of each file and page.
    status = page.get_by_role("status")
    expect(status).to_contain_text("1 waiting for a person", timeout=READING_MS)
    files = page.locator("#batch-body li")
    expect(files.filter(has_text="notes.txt")).to_contain_text(
        "not read: not an image or PDF file that can be read"
    )
    expect(files.filter(has_text="pile.pdf")).to_contain_text("read")
    expect(files.filter(has_text="pile.pdf")).not_to_contain_text("not read")
    table = page.get_by_role("region", name="Pages")
    expect(table).to_contain_text("Answers to check")
    expect(table).to_contain_text(person.display_name)
    expect(page.get_by_text("1 answer to check.")).to_be_visible()
    check_page(page, narrow=True)
    assert not Administration.objects.filter(time_point=point).exists()

    # The upload page now lists the batch and the work waiting.
    page.get_by_role("link", name="All batches").click()
    expect(page.get_by_role("region", name="Batches")).to_contain_text(
        f"Batch {batch.pk}"
    )
    check_page(page, narrow=True)

    # The queue leads straight to the doubtful item.
    page.get_by_role("link", name="Start checking").click()
    item = ScanItem.objects.get(decided=False)
    assert item.item_id == DOUBTFUL
    page.wait_for_url(f"**/o/alpha/scans/items/{item.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Check question {item.number}"
    )
    caption = page.locator(".nhsuk-caption-l")
    expect(caption).to_contain_text(person.display_name)
    expect(caption).to_contain_text("· 1 to check")
    _expect_image_shown(page, ".app-scan-crop__image")
    expect(
        page.get_by_role("img", name=f"Question {item.number} as it was scanned")
    ).to_be_visible()
    answers = page.get_by_role("group", name=re.compile(rf"^Question {item.number}:"))
    expect(answers.locator("kbd")).to_have_text(["0", "1", "2", "3", "n"])
    check_page(page, narrow=True)

    # Saving with no answer chosen is refused: the error summary takes focus (not
    # the answers), and its link leads to the answers; the keys still work.
    page.locator("input[name=answer]").evaluate_all(
        "(radios) => radios.forEach((r) => { r.checked = false; })"
    )
    page.get_by_role("button", name="Save and check the next").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose the answer the person marked, or No answer")
    expect(page).to_have_title(re.compile(r"^Error: Check question"))
    expect(summary).to_be_focused()
    check_page(page)
    summary.get_by_role("link").click()
    expect(page.locator("#answer-0")).to_be_focused()
    page.keyboard.press("1")
    expect(page.locator("input[name=answer][value='1']")).to_be_checked()
    assert not ScanItem.objects.get(pk=item.pk).decided


def test_the_verification_queue_by_keyboard_alone(page, tenant_a, live_server):
    person, point, form = _printed_form(tenant_a, "SCAN-2")
    _uploaded(
        tenant_a,
        "pile.pdf",
        as_pdf(scanned_pages(form, PHQ9, second_marks={DOUBTFUL: 0})),
    )
    item = ScanItem.objects.get(decided=False)
    assert item.item_id == DOUBTFUL

    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    page.goto("/o/alpha/scans/")
    expect(page.get_by_text("1 answer to check.")).to_be_visible()
    tab_to(page, "a[href='/o/alpha/scans/check/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/o/alpha/scans/items/{item.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check question 3")

    # The page puts focus on the answers; the keys choose, Enter saves.
    expect(page.locator("input[name=answer]:focus")).to_have_count(1)
    page.keyboard.press("n")
    expect(page.locator("#answer-none")).to_be_checked()
    expect(page.locator("#answer-none")).to_be_focused()
    page.keyboard.press("2")
    two = page.locator("input[name=answer][value='2']")
    expect(two).to_be_checked()
    expect(two).to_be_focused()
    expect(page.locator("#answer-none")).not_to_be_checked()
    page.keyboard.press("Enter")

    page.wait_for_url("**/o/alpha/scans/check/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing to check")
    expect(page.get_by_text("Every answer read from the scans")).to_be_visible()
    check_page(page, narrow=True)

    item.refresh_from_db()
    assert item.decided and item.code == 2
    assert item.decided_by == tenant_a.members["data_officer"].user
    administration = Administration.objects.get(time_point=point)
    assert administration.mode == "paper_scan"
    assert administration.service_user == person
    assert administration.answers[DOUBTFUL] == 2
    assert administration.answers["phq9_9"] == PHQ9["phq9_9"]
    score = PHQ9_SCORE - PHQ9[DOUBTFUL] + 2  # 12
    assert ScanPage.objects.filter(status="saved", administration=administration)

    # The person's page shows the score, and leads back to the scanned form.
    page.goto(f"/o/alpha/people/{person.pk}/")
    answered = page.get_by_role("region", name="Answered measures")
    expect(answered.locator("tr").filter(has_text="PHQ-9")).to_contain_text(
        re.compile(rf"\b{score}(\.0)? \(Moderate\)")
    )
    expect(answered).to_contain_text("Paper form, scanned")
    check_page(page)
    answered.get_by_role("link", name=re.compile("^The scanned form")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("pile.pdf, page 1")
    expect(page.locator(".nhsuk-summary-list")).to_contain_text("Saved")
    expect(page.get_by_role("region", name="Answers read")).to_contain_text(
        "checked by"
    )
    check_page(page, narrow=True)


def test_a_blank_form_is_assigned_by_searching_for_the_person(
    page, tenant_a, live_server
):
    person, _, [point] = due_person(tenant_a, reference="BLANK-7")
    tenant_a.organisation.measures.create(measure_id="phq9", measure_version="1")
    services.blank_forms_print(
        membership=tenant_a.members["data_officer"],
        measure_id="phq9",
        measure_version="1",
        copies=1,
    )
    form = PrintedForm.objects.get(variant="blank")
    _uploaded(tenant_a, "blank.pdf", as_pdf(scanned_pages(form, PHQ9)))
    assert ScanPage.objects.filter(status="unmatched").count() == form.pages
    scanned = ScanPage.objects.filter(status="unmatched").order_by("index").first()

    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    page.goto("/o/alpha/scans/check/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No answers to check")
    check_page(page, narrow=True)
    tab_to(page, f"a[href='/o/alpha/scans/pages/{scanned.pk}/assign/']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/o/alpha/scans/pages/{scanned.pk}/assign/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Whose form is this?")
    search = page.get_by_role("searchbox", name="Find the person")
    expect(search).to_be_focused()
    check_page(page, narrow=True)  # reloads the page: the search box has focus again

    expect(search).to_be_focused()
    page.keyboard.type("BLANK-7")
    page.keyboard.press("Enter")
    page.wait_for_url("**/assign/?q=BLANK-7")
    expect(
        page.get_by_role("heading", level=2, name="People matching “BLANK-7”")
    ).to_be_visible()
    card = page.locator(".nhsuk-card").filter(has_text=person.display_name)
    expect(card).to_have_count(1)
    save = card.get_by_role(
        "button",
        name=re.compile(
            rf"^Save as PHQ-9 .*, due .*for {re.escape(person.display_name)}$"
        ),
    )
    expect(save).to_have_count(1)
    check_page(page, narrow=True)
    save.click()

    page.wait_for_url("**/o/alpha/scans/check/")
    expect(
        page.get_by_text(f"The form is now {person.display_name}'s.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nothing to check")
    check_page(page)

    administration = Administration.objects.get(time_point=point)
    assert administration.mode == "paper_scan"
    assert administration.service_user == person
    assert administration.answers == PHQ9
    assert set(ScanPage.objects.values_list("status", flat=True)) == {"saved"}

    page.goto(f"/o/alpha/people/{person.pk}/")
    answered = page.get_by_role("region", name="Answered measures")
    expect(answered).to_contain_text(re.compile(rf"\b{PHQ9_SCORE}(\.0)? \(Moderate\)"))
    expect(answered).to_contain_text("Paper form, scanned")
    check_page(page)


def test_the_batch_page_updates_itself_while_the_batch_is_read(
    page, tenant_a, live_server, monkeypatch
):
    from openproms.scans import tasks

    _, _, form = _printed_form(tenant_a, "SCAN-3")
    # Uploaded but not read yet: the reading is started below, with the page open.
    monkeypatch.setattr(tasks, "read_batch", SimpleNamespace(enqueue=lambda pk: None))
    batch = services.batch_create(
        membership=tenant_a.members["data_officer"],
        files=[SimpleUploadedFile("pile.pdf", as_pdf(scanned_pages(form, PHQ9)))],
    )
    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    page.goto(f"/o/alpha/scans/batches/{batch.pk}/")
    body = page.locator("#batch-body")
    expect(body).to_contain_text("Waiting to be read: 0 pages read so far")
    expect(body).to_contain_text("This page updates by itself.")
    status = page.get_by_role("status")
    expect(status).to_have_count(1)
    expect(status).to_have_text("")  # no count read out every 2 seconds
    check_page(page, narrow=True, reload=False)
    # Mark the live region: it must still be the same element once the result
    # arrives, or a screen reader would not announce it.
    status.evaluate("(region) => { region.dataset.kept = 'yes'; }")

    read_services.batch_read(batch.pk)
    expect(status).to_contain_text("0 waiting for a person", timeout=READING_MS)
    expect(status).to_contain_text(
        f"{len(PHQ9)} of {len(PHQ9)} answers accepted automatically"
    )
    expect(status).to_have_attribute("data-kept", "yes")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(body).not_to_contain_text("This page updates by itself.")
    expect(body).not_to_have_attribute("hx-trigger", re.compile("."))
    expect(page.get_by_role("region", name="Pages")).to_contain_text("Saved")
    check_page(page, narrow=True)


def test_the_search_boxes_clear_button_icon_is_served(page, tenant_a, live_server):
    """The cross that clears a search box (NHS.UK frontend) was asked for at
    /assets/images/ and not found, on the scan and typed paper entry pages."""
    due_person(tenant_a, reference="ICON-1")
    tenant_a.organisation.measures.create(measure_id="phq9", measure_version="1")
    services.blank_forms_print(
        membership=tenant_a.members["data_officer"],
        measure_id="phq9",
        measure_version="1",
        copies=1,
    )
    form = PrintedForm.objects.get(variant="blank")
    _uploaded(tenant_a, "blank.png", as_png(scanned_pages(form, PHQ9)[0]))
    scanned = ScanPage.objects.get(status="unmatched")
    icons: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: icons.append((r.status, r.url)) if "icon-cross" in r.url else None,
    )
    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    for path in (
        f"/o/alpha/scans/pages/{scanned.pk}/assign/",
        f"/o/alpha/scans/pages/{scanned.pk}/assign/?q=ICON",
        "/o/alpha/answer/paper/",
        "/o/alpha/answer/paper/?q=ICON",
    ):
        icons.clear()
        page.goto(path)
        expect(page.get_by_role("searchbox", name="Find the person")).to_be_visible()
        page.wait_for_load_state("networkidle")
        assert icons, f"{path}: the search box's icon was not asked for"
        assert all(status == 200 for status, _ in icons), (path, icons)
        assert all("/static/" in url for _, url in icons), (path, icons)
