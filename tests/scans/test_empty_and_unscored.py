"""Scanned forms with nothing marked, or too little to score: an empty form goes to
a person and never becomes a completed measure; answers too few to score are saved,
but say so, and the time point stays open."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration, TimePoint
from openproms.scans import services
from openproms.scans.models import ScanPage
from tests.route_objects.collection_answering import due_person
from tests.route_objects.scans import as_pdf, scanned_pages

pytestmark = pytest.mark.django_db

UCLA3_EMPTY = {"ucla3_1": None, "ucla3_2": None, "ucla3_3": None}


def _printed(tenant, measure="ucla3", reference="P-1"):
    person, _, [point] = due_person(tenant, measures=(measure,), reference=reference)
    outcome = services.forms_print(
        membership=tenant.members["data_officer"], time_points=[point]
    )
    return person, point, outcome.printed[0]


def _upload(client, tenant, captured, name, data):
    with captured(execute=True):
        response = client.post(
            reverse("scans:batch_list", args=[tenant.organisation.slug]),
            {"files": [SimpleUploadedFile(name, data)]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]


def _url(name, tenant, *args):
    return reverse(f"scans:{name}", args=[tenant.organisation.slug, *args])


def test_an_unfilled_form_goes_to_a_person_and_its_time_point_stays_open(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    _person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        "empty.pdf",
        as_pdf(scanned_pages(form, UCLA3_EMPTY)),
    )
    page = ScanPage.objects.get()
    assert page.status == "empty", (page.status, page.reason)
    assert page.is_open
    assert "a person says what happened" in page.reason
    assert not Administration.objects.exists()
    point.refresh_from_db()
    assert point.status == TimePoint.Status.PENDING

    # The batch and the queue send it to a person, who sees the three choices.
    batch = client.get(_url("batch_detail", tenant_a, page.batch_id)).content.decode()
    assert "No answers marked" in batch and "read automatically" not in batch
    queue = client.get(_url("queue", tenant_a)).content.decode()
    assert _url("page_detail", tenant_a, page.pk) in queue
    detail = client.get(_url("page_detail", tenant_a, page.pk)).content.decode()
    for choice in ("Handed back empty", "Not this person", "Scan it again"):
        assert choice in detail


def test_handed_back_empty_records_the_time_point_as_declined_with_the_reason(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    _person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        "empty.pdf",
        as_pdf(scanned_pages(form, UCLA3_EMPTY)),
    )
    page = ScanPage.objects.get()
    missing = client.post(
        _url("page_empty", tenant_a, page.pk), {"choice": "declined", "reason": " "}
    )
    assert missing.status_code == 400
    assert "Say why it was handed back empty" in missing.content.decode()
    page.refresh_from_db()
    point.refresh_from_db()
    assert page.status == ScanPage.Status.EMPTY
    assert point.status == TimePoint.Status.PENDING

    done = client.post(
        _url("page_empty", tenant_a, page.pk),
        {"choice": "declined", "reason": "did not want to answer today"},
    )
    assert done.status_code == 302
    page.refresh_from_db()
    point.refresh_from_db()
    assert page.status == ScanPage.Status.DECLINED and not page.is_open
    assert "did not want to answer today" in page.reason
    assert point.status == TimePoint.Status.MISSED
    assert point.missed_reason == TimePoint.MissedReason.DECLINED
    assert point.missed_note == "did not want to answer today"
    assert point.missed_recorded_by == tenant_a.members["data_officer"].user
    assert not Administration.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"scan.resolve_empty", "time_point.record_missed"} <= actions


@pytest.mark.parametrize("choice", ["not_theirs", "rescan"])
def test_not_this_person_or_scan_again_leaves_the_time_point_open(
    choice, tenant_a, client_for, django_capture_on_commit_callbacks
):
    _person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    images = scanned_pages(form, UCLA3_EMPTY)
    _upload(
        client, tenant_a, django_capture_on_commit_callbacks, "e.pdf", as_pdf(images)
    )
    page = ScanPage.objects.get()
    done = client.post(_url("page_empty", tenant_a, page.pk), {"choice": choice})
    assert done.status_code == 302
    page.refresh_from_db()
    point.refresh_from_db()
    assert page.status == ScanPage.Status.REFUSED
    assert point.status == TimePoint.Status.PENDING and not point.missed_reason
    if choice == "rescan":
        assert "scanned again" in page.reason
        # The form scanned again, now filled in, is read and saved (not a duplicate).
        filled = scanned_pages(form, {"ucla3_1": 1, "ucla3_2": 2, "ucla3_3": 3}, seed=5)
        _upload(
            client,
            tenant_a,
            django_capture_on_commit_callbacks,
            "again.pdf",
            as_pdf(filled),
        )
        again = ScanPage.objects.latest("id")
        assert again.status == ScanPage.Status.SAVED, again.reason
        point.refresh_from_db()
        assert point.status == TimePoint.Status.COMPLETED
    else:
        assert "not this person's form" in page.reason


def test_too_few_answers_are_saved_but_the_time_point_is_not_shown_as_done(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from openproms.collection import counts, states

    person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        "partly.pdf",
        as_pdf(scanned_pages(form, {"ucla3_1": 2, "ucla3_2": None, "ucla3_3": None})),
    )
    page = ScanPage.objects.get()
    assert page.status == "unscored", (page.status, page.reason)
    administration = Administration.objects.get()
    assert administration.answers == {"ucla3_1": 2, "ucla3_2": None, "ucla3_3": None}
    assert administration.service_user == person
    assert administration.time_point == point
    assert [r.value for r in administration.results.all()] == [None]
    assert page.administration == administration
    point = counts.with_unscored(TimePoint.objects.filter(pk=point.pk)).get()
    # Answered, not done: the one definition of the time point states says so.
    assert counts.state_of(point, timezone.localdate()) == states.NO_SCORE
    assert "no score could be made" in page.reason
    assert "UCLA-3 total" in page.reason and "2 of 3 items not answered" in page.reason
    assert "answered with no score, not as done" in page.reason
    assert AuditEvent.objects.filter(
        action="scan.save_unscored", object_id=str(administration.pk)
    ).exists()
    detail = client.get(_url("page_detail", tenant_a, page.pk)).content.decode()
    assert "Saved without a score" in detail and "no score could be made" in detail
    batch = client.get(_url("batch_detail", tenant_a, page.batch_id)).content.decode()
    assert "Saved without a score" in batch


def test_a_form_with_enough_answers_still_completes_its_time_point(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    _person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        "full.pdf",
        as_pdf(scanned_pages(form, {"ucla3_1": 1, "ucla3_2": 3, "ucla3_3": 2})),
    )
    page = ScanPage.objects.get()
    assert page.status == ScanPage.Status.SAVED, page.reason
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED
    assert Administration.objects.get().time_point == point


def test_an_empty_form_whose_time_point_was_answered_since_cannot_be_declined(
    tenant_a, client_for, django_capture_on_commit_callbacks
):
    _person, point, form = _printed(tenant_a)
    client = client_for(tenant_a.members["data_officer"].user)
    _upload(
        client,
        tenant_a,
        django_capture_on_commit_callbacks,
        "empty.pdf",
        as_pdf(scanned_pages(form, UCLA3_EMPTY)),
    )
    page = ScanPage.objects.get()
    TimePoint.objects.filter(pk=point.pk).update(status=TimePoint.Status.COMPLETED)
    refused = client.post(
        _url("page_empty", tenant_a, page.pk),
        {"choice": "declined", "reason": "handed back"},
    )
    assert refused.status_code == 400
    assert "cannot be recorded as declined" in refused.content.decode()
    page.refresh_from_db()
    point.refresh_from_db()
    assert page.status == ScanPage.Status.EMPTY
    assert point.status == TimePoint.Status.COMPLETED and not point.missed_reason
    assert not AuditEvent.objects.filter(action="scan.resolve_empty").exists()


def test_saved_pages_keep_their_images_with_or_without_a_score(tenant_a, settings):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from tests.route_objects.scans import _open_page

    kept = []
    for status in (ScanPage.Status.SAVED, ScanPage.Status.UNSCORED):
        page = _open_page(tenant_a)
        page.image.save(f"scans/test/{status}.png", ContentFile(b"x"), save=False)
        page.status = status
        page.save()
        kept.append(page)
    ScanPage.objects.update(created_at=timezone.now() - dt.timedelta(days=100))
    services.scan_images_expire()
    for page in kept:
        page.refresh_from_db()
        assert page.image and page.image_removed_at is None
