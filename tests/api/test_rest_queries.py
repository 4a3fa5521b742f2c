"""The REST API's lists cost a fixed number of queries whatever the page size
(no query per row), and ``updated_since`` finds answers and time points by each
kind of change, page after page (decision 0032)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Service
from openproms.collection.models import Administration, AdministrationEdit, TimePoint
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, get_measure
from tests.api.helpers import api_get, make_token
from tests.conftest import Tenant
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.django_db

# The gate (token with its maker's role, the rate-limit UPDATE, the token's
# services, the audit INSERT) and the page's own reads, with room for the
# test run's savepoints; what matters is that it does not grow with the page.
MOST_QUERIES = 14
# updated_since adds, for each kind of change, a bounded walk over the next keys
# and a read of that change's own keys (decision 0032): at most two queries each.
MOST_QUERIES_SINCE = MOST_QUERIES + 1 + 2 * 4
LONG_AGO = timezone.now() - dt.timedelta(days=30)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:v1:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _first_codes(measure: MeasureDefinition) -> dict[str, int]:
    return {
        item.id: (
            item.response_set.options[0].code
            if item.response_set.options
            else item.response_set.min
        )
        for item in measure.items
    }


def _answered_people(tenant: Tenant, count: int) -> list[ServiceUser]:
    """People with an episode, PHQ-9 and GAD-7 due, and both answered."""
    people = []
    for n in range(count):
        person, episode, points = due_person(
            tenant, measures=("phq9", "gad7"), reference=f"P-{n}"
        )
        for point in points:
            measure = get_measure(point.measure_id, point.measure_version)
            administration_submit(
                organisation=tenant.organisation,
                service_user=person,
                measure=measure,
                answers=_first_codes(measure),
                mode="assisted",
                submission_id=f"web-{point.pk}",
                episode=episode,
                time_point=point,
            )
        people.append(person)
    return people


def _get(secret: str, url: str, **params: Any) -> tuple[int, dict[str, Any]]:
    with CaptureQueriesContext(connection) as queries:
        response = api_get(secret, url, **params)
    assert response.status_code == 200, response.content
    return len(queries.captured_queries), response.json()


LISTS = ["people_list", "episode_list", "time_point_list", "administration_list"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("since", [None, LONG_AGO.isoformat()])
def test_a_list_page_costs_a_fixed_number_of_queries_whatever_its_size(
    tenant_a: Tenant, name: str, since: str | None
) -> None:
    _answered_people(tenant_a, 4)
    extra = {"updated_since": since} if since else {}
    for made in [
        make_token(tenant_a),
        make_token(tenant_a, services=[tenant_a.service]),
    ]:
        small, one = _get(made.secret, _url(name), limit=1, **extra)
        large, three = _get(made.secret, _url(name), limit=3, **extra)
        assert len(one["items"]) == 1 and len(three["items"]) == 3
        assert one["next"] and three["next"]
        if since is None:
            assert small == large <= MOST_QUERIES
        else:
            assert max(small, large) <= MOST_QUERIES_SINCE


def test_a_detail_costs_a_few_queries(tenant_a: Tenant) -> None:
    person = _answered_people(tenant_a, 1)[0]
    made = make_token(tenant_a)
    episode = Episode.objects.get(service_user=person)
    point = TimePoint.objects.filter(episode=episode).first()
    answers = Administration.objects.filter(service_user=person).first()
    assert point is not None and answers is not None
    for name, key, pk in [
        ("person_detail", "person_id", person.pk),
        ("episode_detail", "episode_id", episode.pk),
        ("time_point_detail", "time_point_id", point.pk),
        ("administration_detail", "administration_id", answers.pk),
    ]:
        count, body = _get(made.secret, _url(name, **{key: pk}))
        assert body["id"] == pk
        assert count <= MOST_QUERIES


def _all_pages(secret: str, url: str, **params: Any) -> list[int]:
    seen: list[int] = []
    body = api_get(secret, url, **params).json()
    while True:
        seen += [row["id"] for row in body["items"]]
        if not body["next"]:
            return seen
        body = api_get(secret, body["next"]).json()


def test_updated_since_gives_answers_saved_or_corrected_page_by_page(
    tenant_a: Tenant,
) -> None:
    _answered_people(tenant_a, 3)
    stored = list(Administration.objects.order_by("pk"))
    Administration.objects.update(created_at=LONG_AGO)
    recent = timezone.now() - dt.timedelta(hours=1)
    # Saved since: the 2nd and 5th; corrected since: the 1st and 5th (twice);
    # corrected long ago only: the 3rd.
    Administration.objects.filter(pk__in=[stored[1].pk, stored[4].pk]).update(
        created_at=timezone.now()
    )
    for answers, when in [
        (stored[0], timezone.now()),
        (stored[4], timezone.now()),
        (stored[4], timezone.now()),
        (stored[2], LONG_AGO),
    ]:
        AdministrationEdit.objects.create(
            administration=answers,
            edited_at=when,
            reason="Typed wrongly",
            before={},
            after={},
        )
    made = make_token(tenant_a)
    expected = [stored[0].pk, stored[1].pk, stored[4].pk]
    for limit in [1, 2, 100]:
        found = _all_pages(
            made.secret,
            _url("administration_list"),
            updated_since=recent.isoformat(),
            limit=limit,
        )
        assert found == expected


def test_updated_since_gives_time_points_by_each_kind_of_change(
    tenant_a: Tenant,
) -> None:
    people = _answered_people(tenant_a, 2)
    other = Service.objects.create(organisation=tenant_a.organisation, name="Other")
    _, opened, _ = due_person(tenant_a, reference="P-new")
    points = list(TimePoint.objects.order_by("pk"))
    Episode.objects.filter(service_user__in=people).update(created_at=LONG_AGO)
    Administration.objects.update(created_at=LONG_AGO)
    now = timezone.now()
    # P-0's first answered since and second printed since; P-1's first recorded
    # missed long ago and second unchanged; P-new's episode opened since.
    Administration.objects.filter(time_point=points[0]).update(created_at=now)
    TimePoint.objects.filter(pk=points[1].pk).update(printed_at=now)
    TimePoint.objects.filter(pk=points[2].pk).update(missed_recorded_at=LONG_AGO)
    recent = (now - dt.timedelta(hours=1)).isoformat()
    expected = [points[0].pk, points[1].pk]
    expected += [p.pk for p in points if p.episode_id == opened.pk]
    made = make_token(tenant_a)
    for limit in [1, 2, 100]:
        found = _all_pages(
            made.secret, _url("time_point_list"), updated_since=recent, limit=limit
        )
        assert found == expected
    TimePoint.objects.filter(pk=points[3].pk).update(missed_recorded_at=now)
    found = _all_pages(made.secret, _url("time_point_list"), updated_since=recent)
    assert found == sorted([*expected, points[3].pk])
    # A token for another service sees none of them.
    elsewhere = make_token(tenant_a, services=[other])
    assert (
        _all_pages(elsewhere.secret, _url("time_point_list"), updated_since=recent)
        == []
    )


def test_updated_since_gives_episodes_opened_or_ended_and_people_changed(
    tenant_a: Tenant,
) -> None:
    people = _answered_people(tenant_a, 4)
    other = Service.objects.create(organisation=tenant_a.organisation, name="Other")
    episodes = list(Episode.objects.filter(service_user__in=people).order_by("pk"))
    Episode.objects.update(created_at=LONG_AGO)
    ServiceUser.objects.update(updated_at=LONG_AGO)
    now = timezone.now()
    # The first episode opened since, the third ended today, the others neither
    # (the fourth ended long ago); the second person's details changed since.
    Episode.objects.filter(pk=episodes[0].pk).update(created_at=now)
    Episode.objects.filter(pk=episodes[2].pk).update(end_date=now.date())
    Episode.objects.filter(pk=episodes[3].pk).update(end_date=LONG_AGO.date())
    ServiceUser.objects.filter(pk=people[1].pk).update(updated_at=now)
    recent = (now - dt.timedelta(hours=1)).isoformat()
    made = make_token(tenant_a)
    for limit in [1, 2, 100]:
        assert _all_pages(
            made.secret, _url("episode_list"), updated_since=recent, limit=limit
        ) == [episodes[0].pk, episodes[2].pk]
        assert _all_pages(
            made.secret, _url("people_list"), updated_since=recent, limit=limit
        ) == [people[1].pk]
    later = (now + dt.timedelta(days=1)).isoformat()
    assert _all_pages(made.secret, _url("episode_list"), updated_since=later) == []
    assert _all_pages(made.secret, _url("people_list"), updated_since=later) == []
    # A token for another service sees no episode of this one.
    elsewhere = make_token(tenant_a, services=[other])
    assert (
        _all_pages(elsewhere.secret, _url("episode_list"), updated_since=recent) == []
    )
