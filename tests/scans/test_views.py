"""The scanned-paper pages: upload, progress, the verification queue, assigning."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration
from openproms.people.models import ServiceUser
from openproms.scans import services
from openproms.scans.models import ScanBatch, ScanItem, ScanPage
from tests.route_objects.collection_answering import due_person
from tests.route_objects.scans import as_pdf, as_png, scanned_pages
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db

PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}


def url(name, tenant, *args):
    return reverse(f"scans:{name}", args=[tenant.organisation.slug, *args])


def _printed(tenant, reference="P-1"):
    person, _, points = due_person(tenant, reference=reference)
    outcome = services.forms_print(
        membership=tenant.members["data_officer"], time_points=points
    )
    return person, points[0], outcome.printed[0]


def _upload(client, tenant, captured, *files):
    with captured(execute=True):
        response = client.post(
            url("batch_list", tenant),
            {"files": [SimpleUploadedFile(n, d) for n, d in files]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ScanBatch.objects.latest("id")


def _double_mark_uploaded(tenant, client_for, captured):
    """A PHQ-9 printed for a due time point, scanned back with question 3 marked
    twice and uploaded by the data officer: (person, time point, printed form,
    the data officer's client, the batch)."""
    person, point, form = _printed(tenant)
    pages = scanned_pages(form, PHQ9, second_marks={"phq9_3": 0})
    client = client_for(tenant.members["data_officer"].user)
    batch = _upload(client, tenant, captured, ("pile.pdf", as_pdf(pages)))
    return person, point, form, client, batch


def test_upload_read_check_and_save(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    person, point, form, client, batch = _double_mark_uploaded(
        tenant_a, client_for, django_capture_on_commit_callbacks
    )
    detail = client.get(url("batch_detail", tenant_a, batch.pk))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "1 answer to check" in text
    assert "waiting for a person" in text
    # The queue's count is every batch's, and the batch page says so.
    assert "In all batches: 1 answer to check." in visible_text(text)
    listing = visible_text(client.get(url("batch_list", tenant_a)).content)
    assert "1 answer to check." in listing and "In all batches" not in listing
    assert not Administration.objects.filter(time_point=point).exists()

    queue = client.get(url("queue", tenant_a))
    item = ScanItem.objects.get(decided=False)
    assert item.item_id == "phq9_3"
    assert queue.url == url("item_check", tenant_a, item.pk)
    page = client.get(queue.url)
    assert page.status_code == 200
    assert 'data-key="n"' in page.content.decode()
    crop = client.get(url("item_crop", tenant_a, item.pk))
    assert crop.status_code == 200 and crop["Content-Type"] == "image/png"
    assert crop.content.startswith(b"\x89PNG")

    bad = client.post(queue.url, {"answer": "9"})
    assert bad.status_code == 400
    assert "Choose one of the answers shown" in bad.content.decode()

    done = client.post(queue.url, {"answer": "3"})
    assert done.status_code == 302
    administration = Administration.objects.get(time_point=point)
    assert administration.answers["phq9_3"] == 3
    assert administration.service_user == person
    assert AuditEvent.objects.filter(action="scan.decide").exists()
    assert ScanPage.objects.filter(batch=batch, status="saved").count() == form.pages
    empty = client.get(url("queue", tenant_a))
    assert empty.status_code == 200
    assert "Nothing to check" in empty.content.decode()
    full = client.get(url("page_image", tenant_a, ScanPage.objects.first().pk))
    assert full.status_code == 200 and full.content.startswith(b"\x89PNG")


def test_a_blank_form_is_assigned_by_searching(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    person, _, point = due_person(tenant_a, reference="BLANK-7")
    tenant_a.organisation.measures.create(measure_id="phq9", measure_version="1")
    membership = tenant_a.members["data_officer"]
    pdf = services.blank_forms_print(
        membership=membership, measure_id="phq9", measure_version="1", copies=1
    )
    assert pdf.startswith(b"%PDF")
    form = services.PrintedForm.objects.get(variant="blank")
    client = client_for(membership.user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        ("blank.pdf", as_pdf(scanned_pages(form, PHQ9))),
    )
    page = ScanPage.objects.filter(status="unmatched").first()
    assert page is not None, [(p.status, p.reason) for p in ScanPage.objects.all()]
    found = client.get(url("page_assign", tenant_a, page.pk), {"q": "BLANK-7"})
    assert person.display_name in found.content.decode()
    saved = client.post(
        url("page_assign", tenant_a, page.pk),
        {"person": person.pk, "time_point": point[0].pk},
    )
    assert saved.status_code == 302
    administration = Administration.objects.get(time_point=point[0])
    assert administration.mode == "paper_scan"
    assert AuditEvent.objects.filter(action="scan.assign").exists()


def test_assigning_a_person_of_another_organisation_is_refused(
    tenant_a, tenant_b, client_for, django_capture_on_commit_callbacks
):
    tenant_a.organisation.measures.create(measure_id="phq9", measure_version="1")
    membership = tenant_a.members["data_officer"]
    services.blank_forms_print(
        membership=membership, measure_id="phq9", measure_version="1", copies=1
    )
    form = services.PrintedForm.objects.get(variant="blank")
    client = client_for(membership.user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        ("blank.png", as_png(scanned_pages(form, PHQ9)[0])),
    )
    page = ScanPage.objects.get(status="unmatched")
    other = ServiceUser.objects.create(
        organisation=tenant_b.organisation, reference="X"
    )
    response = client.post(url("page_assign", tenant_a, page.pk), {"person": other.pk})
    assert response.status_code == 400
    page.refresh_from_db()
    assert page.status == "unmatched"


def test_upload_with_no_files_says_so(tenant_a, client_for):
    client = client_for(tenant_a.members["data_officer"].user)
    response = client.post(url("batch_list", tenant_a), {})
    assert response.status_code == 400
    assert "Choose the scanned files to upload" in response.content.decode()
    assert not ScanBatch.objects.exists()


def test_batch_progress_fragment_and_failed_files(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    client = client_for(tenant_a.members["data_officer"].user)
    batch = _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        ("notes.txt", b"hello"),
    )
    fragment = client.get(url("batch_detail", tenant_a, batch.pk), {"progress": "1"})
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text
    assert "notes.txt" in text and "not read" in text


def test_a_page_without_a_code_is_read_as_a_chosen_measure_and_set_aside(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    import numpy as np

    tenant_a.organisation.measures.create(measure_id="gad7", measure_version="1")
    membership = tenant_a.members["data_officer"]
    services.blank_forms_print(
        membership=membership, measure_id="gad7", measure_version="1", copies=1
    )
    form = services.PrintedForm.objects.get(variant="blank")
    image = scanned_pages(form, {f"gad7_{n}": 1 for n in range(1, 8)})[0]
    image = np.array(image)
    mm = image.shape[1] / 210.0
    image[int(18 * mm) : int(50 * mm), int(163 * mm) : int(193 * mm)] = 255  # no QR
    client = client_for(membership.user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        ("torn.png", as_png(image)),
    )
    page = ScanPage.objects.get()
    assert page.status == "no_code", page.reason
    detail = client.get(url("page_detail", tenant_a, page.pk))
    assert "Read it as a form you choose" in detail.content.decode()
    missing = client.post(url("page_detail", tenant_a, page.pk), {"measure": ""})
    assert missing.status_code == 400
    read = client.post(url("page_detail", tenant_a, page.pk), {"measure": "gad7@1"})
    page.refresh_from_db()
    assert read.status_code == 302, read.content.decode()[-3000:]
    assert page.status == "unmatched"
    assert page.items.count() == 7
    aside = client.post(url("page_set_aside", tenant_a, page.pk), {"reason": ""})
    assert aside.status_code == 400
    aside = client.post(
        url("page_set_aside", tenant_a, page.pk), {"reason": "a practice copy"}
    )
    assert aside.status_code == 302
    page.refresh_from_db()
    assert page.status == "refused" and "practice copy" in page.reason


def test_images_expire_unless_saved(tenant_a, settings):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tests.route_objects.scans import _open_page

    page = _open_page(tenant_a)
    page.image.save("scans/test/old.png", ContentFile(b"x"), save=True)
    ScanPage.objects.filter(pk=page.pk).update(
        created_at=timezone.now() - dt.timedelta(days=100)
    )
    saved = _open_page(tenant_a)
    saved.image.save("scans/test/saved.png", ContentFile(b"x"), save=False)
    saved.status = ScanPage.Status.SAVED
    saved.save()
    ScanPage.objects.filter(pk=saved.pk).update(
        created_at=timezone.now() - dt.timedelta(days=100)
    )
    assert services.scan_images_expire() == 1
    page.refresh_from_db()
    assert not page.image and page.image_removed_at is not None
    saved.refresh_from_db()
    assert saved.image and saved.image_removed_at is None


def test_deleting_the_answers_deletes_the_page_and_its_image(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    _, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        ("pile.pdf", as_pdf(scanned_pages(form, PHQ9))),
    )
    page = ScanPage.objects.filter(status="saved").first()
    storage = page.image.storage
    name = page.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        Administration.objects.get(time_point=point).delete()
        assert storage.exists(name)  # until the deletion commits
    assert not ScanPage.objects.filter(pk=page.pk).exists()
    assert not storage.exists(name)


def test_a_scan_answered_on_screen_meanwhile_is_not_checked_and_says_why(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    """A page waits for a person to check a double mark; meanwhile its time point
    is answered on screen, with a different answer to question 1. Opening the
    check sets the page aside and tells the data officer, naming where the
    paper differs; the answers saved on screen stay as they were."""
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.services import administration_submit

    person, point, _form, client, batch = _double_mark_uploaded(
        tenant_a, client_for, django_capture_on_commit_callbacks
    )
    on_screen = PHQ9 | {"phq9_1": 3}
    administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant_a.organisation, measure_id="phq9", version="1"
        ),
        answers=on_screen,
        mode=Administration.Mode.ASSISTED,
        submission_id="on-screen",
        time_point=point,
    )
    item = ScanItem.objects.get(decided=False)
    opened = client.get(url("item_check", tenant_a, item.pk), follow=True)
    said = visible_text(opened.content)
    assert "Not counted: the PHQ-9 scan for Sam Person (P-1)." in said, said
    assert "already answered on" in said
    assert "question 1 (paper 1, saved 3)" in said
    assert "Nothing to check" in said  # on to the next, here none
    page = ScanPage.objects.filter(batch=batch).first()
    assert page.status == ScanPage.Status.ALREADY_ANSWERED
    assert "question 1 (paper 1, saved 3)" in page.reason
    assert Administration.objects.get(time_point=point).answers == on_screen
    item.refresh_from_db()
    assert not item.decided
