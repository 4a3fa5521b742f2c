"""When answering started (decision 0033): every answering screen (with a worker,
handed over, a self-completion link) records when it was first shown, signed, and
the save keeps it; a changed, missing or borrowed value stores no start time, and
paper has none."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.collection import links
from openproms.collection.answer_started import answer_start_read, answer_start_sign
from openproms.collection.models import Administration, TimePoint
from tests.conftest import Tenant, verified_client
from tests.route_objects.collection_answering import ANSWERS, due_person

KIOSK = "/o/alpha/answer/hand-over/"
MINUTES = 4


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@contextmanager
def _shown_minutes_ago(minutes: float) -> Iterator[dt.datetime]:
    """Pages shown inside this block believe it is ``minutes`` earlier."""
    then = timezone.now() - dt.timedelta(minutes=minutes)
    with mock.patch("django.utils.timezone.now", return_value=then):
        yield then


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def _filled(page: str, answers: dict, **changes: str) -> dict[str, str]:
    """The form as the page gave it (its submission id and start), answered."""
    data = {f"i_{k}": "" if v is None else str(v) for k, v in answers.items()}
    data["submission_id"] = _hidden(page, "submission_id")
    data["started"] = _hidden(page, "started")
    data.update(changes)
    return data


def _close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs((a - b).total_seconds()) < 0.01


def _assisted_url(point: TimePoint) -> str:
    return reverse(
        "collection:answer_time_point",
        kwargs={"org_slug": "alpha", "time_point_pk": point.pk},
    )


# ------------------------------------------------------------- each screen


@pytest.mark.django_db
def test_with_a_worker_the_start_is_when_the_screen_was_first_shown(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    with _shown_minutes_ago(MINUTES) as shown:
        page = client.get(_assisted_url(point)).content.decode()
    assert client.post(_assisted_url(point), _filled(page, ANSWERS)).status_code == 302
    stored = Administration.objects.get()
    assert stored.mode == "assisted"
    assert stored.started_at is not None and _close(stored.started_at, shown)
    assert stored.minutes_to_complete is not None
    assert MINUTES <= stored.minutes_to_complete < MINUTES + 1


@pytest.mark.django_db
def test_a_measure_answered_without_a_time_point_is_timed_too(
    tenant_a: Tenant,
) -> None:
    person, _, _ = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "collection:answer_measure",
        kwargs={"org_slug": "alpha", "person_pk": person.pk, "measure_id": "phq9"},
    )
    with _shown_minutes_ago(2) as shown:
        page = client.get(url).content.decode()
    client.post(url, _filled(page, ANSWERS))
    stored = Administration.objects.get()
    assert stored.time_point is None
    assert stored.started_at is not None and _close(stored.started_at, shown)


@pytest.mark.django_db
def test_a_form_shown_again_after_a_mistake_keeps_its_first_start(
    tenant_a: Tenant,
) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    with _shown_minutes_ago(MINUTES) as shown:
        page = client.get(_assisted_url(point)).content.decode()
    wrong = client.post(_assisted_url(point), _filled(page, ANSWERS | {"phq9_3": 7}))
    assert wrong.status_code == 400
    again = wrong.content.decode()
    assert _hidden(again, "started") == _hidden(page, "started")
    client.post(_assisted_url(point), _filled(again, ANSWERS))
    stored = Administration.objects.get()
    assert stored.started_at is not None and _close(stored.started_at, shown)


@pytest.mark.django_db
def test_a_handed_over_screen_records_its_start(tenant_a: Tenant) -> None:
    person, _, points = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    start = reverse(
        "collection:kiosk_start", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    client.post(start, {"time_points": [str(p.pk) for p in points]})
    with _shown_minutes_ago(MINUTES) as shown:
        page = client.get(KIOSK).content.decode()
    assert client.post(KIOSK, _filled(page, ANSWERS)).status_code == 302
    stored = Administration.objects.get()
    assert stored.mode == "kiosk"
    assert stored.started_at is not None and _close(stored.started_at, shown)


@pytest.mark.django_db
def test_a_self_completion_link_records_its_start(tenant_a: Tenant) -> None:
    person, _, points = due_person(tenant_a)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=tenant_a.members["worker"].user,
    )
    client = Client()
    client.get(f"/s/{made.token}/")
    with _shown_minutes_ago(MINUTES) as shown:
        page = client.get("/s/answer/").content.decode()
    assert client.post("/s/answer/", _filled(page, ANSWERS))["Location"] == "/s/done/"
    stored = Administration.objects.get()
    assert stored.mode == "self"
    assert stored.started_at is not None and _close(stored.started_at, shown)


@pytest.mark.django_db
def test_a_typed_paper_form_has_no_start_time(tenant_a: Tenant) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["data_officer"].user)
    url = reverse(
        "collection:paper_entry_time_point",
        kwargs={"org_slug": "alpha", "time_point_pk": point.pk},
    )
    page = client.get(url).content.decode()
    assert 'name="started"' not in page
    submission_id = _hidden(page, "submission_id")
    data = {f"i_{k}": str(v) for k, v in ANSWERS.items()}
    data["submission_id"] = submission_id
    data["completed_on"] = timezone.localdate().isoformat()
    # Even a validly signed start sent with it is not read: paper has no screen.
    data["started"] = answer_start_sign(
        submission_id=submission_id, measure_id="phq9", time_point_id=point.pk
    )
    assert client.post(url, data).status_code == 302
    stored = Administration.objects.get()
    assert stored.mode == "paper_entry" and stored.started_at is None
    assert stored.minutes_to_complete is None


# ------------------------------------------------------------- tampering


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    ["altered", "missing", "another form's", "made up"],
)
def test_a_changed_or_missing_start_saves_the_answers_with_no_start_time(
    tenant_a: Tenant, change: str
) -> None:
    _, _, [point] = due_person(tenant_a)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_assisted_url(point)).content.decode()
    data = _filled(page, ANSWERS)
    signed = data["started"]
    if change == "altered":
        # One character of the signed body changed: the signature no longer holds.
        data["started"] = ("A" if signed[0] != "A" else "B") + signed[1:]
    elif change == "missing":
        del data["started"]
    elif change == "another form's":
        other = client.get(_assisted_url(point)).content.decode()
        data["started"] = _hidden(other, "started")
    else:
        data["started"] = "2020-01-01T09:00:00"
    assert client.post(_assisted_url(point), data).status_code == 302
    stored = Administration.objects.get()
    assert stored.started_at is None and stored.minutes_to_complete is None


def test_a_start_is_read_back_only_for_its_own_submission_measure_and_time_point() -> (
    None
):
    sid = str(uuid.uuid4())
    then = timezone.now() - dt.timedelta(minutes=3)
    signed = answer_start_sign(
        submission_id=sid, measure_id="phq9", time_point_id=7, at=then
    )
    read = answer_start_read(
        signed, submission_id=sid, measure_id="phq9", time_point_id=7
    )
    assert read is not None and _close(read, then)
    for other in (
        {"submission_id": str(uuid.uuid4()), "measure_id": "phq9", "time_point_id": 7},
        {"submission_id": sid, "measure_id": "gad7", "time_point_id": 7},
        {"submission_id": sid, "measure_id": "phq9", "time_point_id": 8},
        {"submission_id": sid, "measure_id": "phq9", "time_point_id": None},
    ):
        assert answer_start_read(signed, **other) is None  # type: ignore[arg-type]


def test_a_start_in_the_future_or_signed_for_something_else_is_not_kept() -> None:
    sid = str(uuid.uuid4())
    later = answer_start_sign(
        submission_id=sid,
        measure_id="phq9",
        time_point_id=None,
        at=timezone.now() + dt.timedelta(minutes=5),
    )
    assert (
        answer_start_read(
            later, submission_id=sid, measure_id="phq9", time_point_id=None
        )
        is None
    )
    from django.core import signing

    elsewhere = signing.dumps({"s": sid, "m": "phq9", "t": None, "at": 0.0})
    assert (
        answer_start_read(
            elsewhere, submission_id=sid, measure_id="phq9", time_point_id=None
        )
        is None
    )
    assert (
        answer_start_read(
            None, submission_id=sid, measure_id="phq9", time_point_id=None
        )
        is None
    )


@pytest.mark.django_db
def test_a_start_after_the_answers_were_completed_is_not_stored(
    tenant_a: Tenant,
) -> None:
    from openproms.collection.services import administration_submit
    from openproms.scoring import get_measure

    person, episode, _ = due_person(tenant_a)
    completed = timezone.now() - dt.timedelta(days=1)
    result = administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=get_measure("phq9"),
        answers=ANSWERS,
        mode="assisted",
        submission_id=str(uuid.uuid4()),
        episode=episode,
        completed_at=completed,
        started_at=completed + dt.timedelta(minutes=1),
    )
    assert result.administration.started_at is None
