"""Answering with a worker on screen, the result screen, acceptability, corrections."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    AdministrationEdit,
    CollectionSettings,
    TimePoint,
)
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import ANSWERS, due_person
from tests.text_checks import visible_text

pytestmark = pytest.mark.django_db


def _post(answers: dict, submission_id: str | None = None, **extra: str) -> dict:
    data = {f"i_{k}": "" if v is None else str(v) for k, v in answers.items()}
    data["submission_id"] = submission_id or str(uuid.uuid4())
    data.update(extra)
    return data


def _url(tenant: Tenant, point: TimePoint) -> str:
    return reverse(
        "collection:answer_time_point",
        kwargs={"org_slug": tenant.organisation.slug, "time_point_pk": point.pk},
    )


def test_the_form_shows_every_item_with_its_wording_and_codes(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url(tenant_a, point)).content.decode()
    assert page.count('type="radio"') == 10 * 4
    assert "Little interest or pleasure in doing things" in page
    assert "Nearly every day" in page and "(3)" in page
    assert re.search(r'name="submission_id" value="[0-9a-f-]{36}"', page)


def test_answering_a_time_point_stores_it_and_shows_the_result(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a)
    worker = tenant_a.members["worker"].user
    response = verified_client(worker).post(_url(tenant_a, point), _post(ANSWERS))
    administration = Administration.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/results/{administration.pk}/")
    assert administration.mode == "assisted" and administration.collected_by == worker
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED


def test_a_replayed_submission_stores_one_answer(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    data = _post(ANSWERS)
    first = client.post(_url(tenant_a, point), data)
    again = client.post(_url(tenant_a, point), data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Administration.objects.count() == 1


def test_the_same_submission_with_different_answers_is_refused(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    data = _post(ANSWERS)
    client.post(url, data)
    changed = dict(data, i_phq9_1="3")
    response = client.post(url, changed)
    assert response.status_code == 409
    assert "different content" in response.content.decode()
    assert Administration.objects.get().answers["phq9_1"] == 1


def test_an_answer_out_of_range_is_refused_naming_the_question(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(_url(tenant_a, point), _post(ANSWERS | {"phq9_3": 7}))
    assert response.status_code == 400
    assert "Question 3: 7 is not one of the answers" in response.content.decode()
    assert not Administration.objects.exists()


def test_blank_questions_need_confirming_before_saving(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    blank = ANSWERS | {"phq9_2": None, "phq9_5": None}
    refused = client.post(_url(tenant_a, point), _post(blank))
    assert refused.status_code == 400
    assert "Questions 2, 5 are not answered" in refused.content.decode()
    assert not Administration.objects.exists()
    saved = client.post(_url(tenant_a, point), _post(blank, confirm_blanks="on"))
    assert saved.status_code == 302
    assert Administration.objects.get().answers["phq9_2"] is None


def test_an_optional_question_left_blank_needs_no_confirming(tenant_a: Tenant) -> None:
    """PHQ-9's last question ("how difficult") is optional and not scored: left
    blank, the answers save straight away, the other nine stored as given."""
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    response = client.post(
        _url(tenant_a, point), _post(ANSWERS | {"phq9_difficulty": None})
    )
    assert response.status_code == 302
    stored = Administration.objects.get().answers
    assert stored["phq9_difficulty"] is None
    assert stored == ANSWERS | {"phq9_difficulty": None}
    # A required question left blank beside it still asks for confirming, and
    # names only that question.
    _, _, [other] = due_person(tenant_a, reference="OPT-2")
    refused = client.post(
        _url(tenant_a, other),
        _post(ANSWERS | {"phq9_difficulty": None, "phq9_4": None}),
    )
    assert refused.status_code == 400
    assert "Question 4 is not answered" in refused.content.decode()


def test_a_time_point_already_answered_says_so(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    client.post(_url(tenant_a, point), _post(ANSWERS))
    response = client.post(_url(tenant_a, point), _post(ANSWERS))
    assert response.status_code == 409
    assert "was already answered" in response.content.decode()
    assert "was already answered" in client.get(_url(tenant_a, point)).content.decode()
    assert Administration.objects.count() == 1


def test_a_person_of_another_organisation_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    other, _, [point] = due_person(tenant_b)
    client = verified_client(tenant_a.members["manager"].user)
    assert client.get(_url(tenant_a, point)).status_code == 404
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": other.pk, "measure_id": "phq9"},
    )
    assert client.post(url, _post(ANSWERS)).status_code == 404
    assert not Administration.objects.exists()


def test_a_worker_cannot_answer_for_someone_off_their_caseload(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a, key_worker=tenant_a.members["manager"].user)
    client = verified_client(tenant_a.members["worker"].user)
    assert client.get(_url(tenant_a, point)).status_code == 404


def test_a_measure_without_wording_explains_why_it_cannot_be_shown(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "eq5d5l"},
    )
    page = client.get(url).content.decode()
    assert "cannot be shown" in page and "licence" in page
    assert 'type="radio"' not in page


def test_the_result_shows_score_band_and_change_but_never_the_risk_item(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    high = {f"phq9_{n}": 2 for n in range(1, 10)} | {"phq9_difficulty": 2}
    client.post(url, _post(high))
    response = client.post(url, _post(ANSWERS))
    page = client.get(response["Location"]).content.decode()
    assert "Your score is <strong>8</strong>" in page
    assert "Mild" in page
    # The same words as the person's progress page (scoring.easy_read).
    assert "Since you started, your PHQ-9 total score went down from 18 to 8." in page
    assert "better off dead" not in page


def test_a_service_can_show_thank_you_only(tenant_a: Tenant) -> None:
    person, _, _ = due_person(tenant_a)
    CollectionSettings.objects.create(service=tenant_a.service, show_results=False)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    page = client.get(client.post(url, _post(ANSWERS))["Location"]).content.decode()
    assert "Thank you" in page and "Your score" not in page


def test_the_acceptability_question_is_stored_or_skipped(tenant_a: Tenant) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    result = client.post(url, _post(ANSWERS))["Location"]
    assert client.post(result, {"skip": "1"}).status_code == 302
    assert not AcceptabilityResponse.objects.exists()
    assert client.post(result, {"rating": "9"}).status_code == 400
    assert client.post(result, {"rating": "4", "comment": "Fine"}).status_code == 302
    stored = AcceptabilityResponse.objects.get()
    assert (stored.rating, stored.comment, stored.mode) == (4, "Fine", "assisted")
    # Asked once: the result seen again does not ask, and the form sent again
    # records nothing more.
    again = client.get(result).content.decode()
    assert "One last question" not in again and "Your score is" in again
    assert client.post(result, {"rating": "2"}).status_code == 302
    assert AcceptabilityResponse.objects.get().rating == 4


def test_correcting_answers_needs_a_reason_and_is_audited(tenant_a: Tenant) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    client.post(url, _post(ANSWERS))
    administration = Administration.objects.get()
    edit = reverse(
        "collection:answer_edit",
        kwargs={"org_slug": "alpha", "administration_pk": administration.pk},
    )
    assert client.get(edit).status_code == 200
    changed = _post(ANSWERS | {"phq9_1": 3}, version="1")
    assert client.post(edit, changed).status_code == 400
    assert client.post(edit, dict(changed, reason="Typed wrongly")).status_code == 302
    administration.refresh_from_db()
    assert administration.answers["phq9_1"] == 3 and administration.version == 2
    assert AdministrationEdit.objects.get().reason == "Typed wrongly"
    assert AuditEvent.objects.filter(action="administration.edit").exists()
    stale = client.post(edit, dict(changed, reason="Again", version="1"))
    assert stale.status_code == 409
    assert "Someone else changed these answers" in stale.content.decode()
    # Back on the result: the corrected answers' score, no second thanks and
    # no second "one last question".
    result = visible_text(
        client.get(
            reverse(
                "collection:answer_result",
                kwargs={"org_slug": "alpha", "administration_pk": administration.pk},
            )
        ).content
    )
    assert "These results are from the corrected answers." in result
    assert "Thank you for answering" not in result
    assert "One last question" not in result
    assert "Your score is 10" in result


def test_a_manager_sets_how_a_service_collects(tenant_a: Tenant) -> None:
    url = reverse(
        "collection:collection_settings",
        kwargs={"org_slug": "alpha", "service_pk": tenant_a.service.pk},
    )
    client = verified_client(tenant_a.members["manager"].user)
    assert client.post(url, {"double_entry": "on"}).status_code == 302
    found = CollectionSettings.objects.get(service=tenant_a.service)
    assert found.double_entry and not found.show_results
    assert verified_client(tenant_a.members["worker"].user).get(url).status_code == 403


def test_nothing_answered_is_refused_and_the_time_point_stays_due(
    tenant_a: Tenant,
) -> None:
    """Every question blank, even with the tick box ticked: nothing is saved and
    the time point is still due (no tick box offers to save it)."""
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    blank = dict.fromkeys(ANSWERS)
    for extra in ({}, {"confirm_blanks": "on"}):
        refused = client.post(_url(tenant_a, point), _post(blank, **extra))
        assert refused.status_code == 400
        text = visible_text(refused.content)
        assert "None of the questions is answered, so there is nothing to save" in text
        assert "Save with the blank questions left unanswered" not in text
    assert not Administration.objects.exists()
    point.refresh_from_db()
    assert point.status == TimePoint.Status.PENDING


def test_a_result_opened_later_is_not_the_persons_thank_you(tenant_a: Tenant) -> None:
    """Answers given days ago (or typed in from paper) opened from the person's
    page: the result says when they were given, thanks no one and asks no
    "one last question"; a form sent to it records nothing."""
    import datetime as dt

    from django.utils import timezone

    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    result = client.post(url, _post(ANSWERS))["Location"]
    administration = Administration.objects.get()
    Administration.objects.filter(pk=administration.pk).update(
        completed_at=timezone.now() - dt.timedelta(days=3)
    )
    page = visible_text(client.get(result).content)
    day = timezone.localtime(timezone.now() - dt.timedelta(days=3))
    assert (
        f"These are the results of the answers given on {day.day} {day:%B %Y}." in page
    )
    assert "Thank you for answering" not in page
    assert "One last question" not in page
    assert "can talk these results through with you" not in page
    assert client.post(result, {"rating": "4"}).status_code == 302
    assert not AcceptabilityResponse.objects.exists()
