"""Reading uploaded scans: pages become answers through the one submission path."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from openproms.collection.models import Administration, TimePoint
from openproms.scans import read_services, services
from openproms.scans.models import ScanBatch, ScanFile, ScanPage
from tests.route_objects.collection_answering import due_person
from tests.route_objects.scans import as_pdf, as_png, scanned_pages

pytestmark = pytest.mark.django_db

PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}


def _print_due(tenant, person_reference="P-1"):
    person, _episode, points = due_person(tenant, reference=person_reference)
    membership = tenant.members["data_officer"]
    outcome = services.forms_print(membership=membership, time_points=points)
    assert outcome.pdf and outcome.pdf.startswith(b"%PDF")
    return person, points[0], outcome.printed[0]


def _upload(tenant, *files):
    membership = tenant.members["data_officer"]
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    batch = services.batch_create(membership=membership, files=uploads)
    batch.refresh_from_db()
    return batch


def test_a_printed_form_scanned_back_is_saved_to_the_right_person(
    tenant_a, django_capture_on_commit_callbacks
):
    _person, point, form = _print_due(tenant_a)
    point.refresh_from_db()
    assert point.printed_at is not None
    pages = scanned_pages(form, PHQ9)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(tenant_a, ("pile.pdf", as_pdf(pages)))
    batch.refresh_from_db()
    assert batch.status == ScanBatch.Status.DONE
    administration = Administration.objects.get(time_point=point)
    assert administration.mode == Administration.Mode.PAPER_SCAN
    assert administration.answers == PHQ9
    assert len(pages) == form.pages
    for page in ScanPage.objects.filter(batch=batch):
        assert page.status == ScanPage.Status.SAVED, page.reason
        assert page.administration == administration
        assert page.image and page.aligned
    assert not ScanFile.objects.get(batch=batch).upload  # the pile is not kept
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED


def test_the_same_page_twice_is_shown_and_counted_once(
    tenant_a, django_capture_on_commit_callbacks
):
    _, point, form = _print_due(tenant_a)
    images = scanned_pages(form, PHQ9)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(tenant_a, ("a.pdf", as_pdf(images)))
    with django_capture_on_commit_callbacks(execute=True):
        second = _upload(tenant_a, ("again.png", as_png(images[0])))
    page = ScanPage.objects.get(batch=second)
    assert page.status == ScanPage.Status.DUPLICATE
    assert "scanned before" in page.reason
    assert Administration.objects.filter(time_point=point).count() == 1


def test_bad_files_get_a_reason_and_the_rest_carries_on(
    tenant_a, django_capture_on_commit_callbacks
):
    _, point, form = _print_due(tenant_a)
    good = as_pdf(scanned_pages(form, PHQ9))
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(
            tenant_a,
            ("notes.txt", b"not an image"),
            ("broken.pdf", b"%PDF-1.4 broken"),
            ("form.pdf", good),
        )
    files = {f.name: f for f in ScanFile.objects.filter(batch=batch)}
    assert files["notes.txt"].status == ScanFile.Status.REFUSED
    assert files["notes.txt"].reason
    assert files["broken.pdf"].status == ScanFile.Status.REFUSED
    assert files["form.pdf"].status == ScanFile.Status.READ
    assert Administration.objects.filter(time_point=point).exists()


def test_another_organisations_form_is_refused(
    tenant_a, tenant_b, django_capture_on_commit_callbacks
):
    _, _, form = _print_due(tenant_b)
    image = scanned_pages(form, PHQ9)[0]
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(tenant_a, ("theirs.png", as_png(image)))
    page = ScanPage.objects.get(batch=batch)
    assert page.status == ScanPage.Status.REFUSED
    assert "not printed by this organisation" in page.reason, page.reason
    assert not page.image


def test_a_form_for_a_time_point_already_answered_is_set_aside(
    tenant_a, django_capture_on_commit_callbacks
):
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.services import administration_submit

    person, point, form = _print_due(tenant_a)
    administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant_a.organisation, measure_id="phq9", version="1"
        ),
        answers=PHQ9,
        mode=Administration.Mode.PAPER_ENTRY,
        submission_id="typed-in",
        time_point=point,
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(tenant_a, ("late.pdf", as_pdf(scanned_pages(form, PHQ9))))
    statuses = set(
        ScanPage.objects.filter(batch=batch).values_list("status", flat=True)
    )
    assert statuses == {ScanPage.Status.ALREADY_ANSWERED}
    page = ScanPage.objects.filter(batch=batch).first()
    assert "already answered" in page.reason
    assert Administration.objects.filter(time_point=point).count() == 1


def test_a_blank_page_and_a_measure_no_longer_used(
    tenant_a, django_capture_on_commit_callbacks
):
    import numpy as np

    _, _, form = _print_due(tenant_a)
    tenant_a.organisation.measures.create(
        measure_id="phq9", measure_version="1", is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(
            tenant_a,
            ("empty.png", as_png(np.full((1754, 1240), 255, np.uint8))),
            ("stopped.pdf", as_pdf(scanned_pages(form, PHQ9))),
        )
    pages = ScanPage.objects.filter(batch=batch)
    assert [p.status for p in pages.filter(file__name="empty.png")] == ["blank"]
    stopped = list(pages.filter(file__name="stopped.pdf"))
    assert stopped and {p.status for p in stopped} == {ScanPage.Status.REFUSED}
    assert "no longer uses" in stopped[0].reason
    assert not any(p.image for p in pages)
    assert not Administration.objects.exists()


def test_replaying_the_read_saves_nothing_twice(
    tenant_a, django_capture_on_commit_callbacks
):
    _, point, form = _print_due(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        batch = _upload(tenant_a, ("pile.pdf", as_pdf(scanned_pages(form, PHQ9))))
    read_services.batch_read(batch.pk)  # a replayed task: the batch is already read
    assert ScanPage.objects.filter(batch=batch).count() == form.pages
    assert Administration.objects.filter(time_point=point).count() == 1
