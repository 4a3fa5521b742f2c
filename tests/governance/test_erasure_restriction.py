"""Restriction: the person's data stays but is not processed (no time points, no
links, not on the due or missed lists, not contacted, in no report); lifting it
brings them back. And after an erasure, reports made afterwards no longer count
the person."""

from __future__ import annotations

from typing import Any

import pytest

from openproms.collection import links
from openproms.collection.due_lists import default_filters, due_list, missed_list
from openproms.collection.models import SelfCompletionLink, TimePoint
from openproms.governance.erasure import person_erase
from openproms.governance.restriction import (
    RestrictionError,
    person_restrict,
    person_unrestrict,
)
from openproms.people.consent import people_who_may_be_contacted
from openproms.people.models import ServiceUser
from openproms.reports.report_builder import build_report
from tests.conftest import Tenant
from tests.reports.test_commissioner_reports import END, START, make_contract, shown
from tests.reports.test_consent import _values, ten_people
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.django_db


def _admin(tenant: Tenant) -> Any:
    return tenant.members["org_admin"].user


def test_a_restricted_person_gets_no_time_points_links_or_place_on_the_lists(
    tenant_a: Tenant,
) -> None:
    person, _episode, points = due_person(tenant_a, reference="R-1")
    other, _, _ = due_person(tenant_a, reference="R-2")
    worker = tenant_a.members["worker"]
    link = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=worker.user,
    ).link
    manager = tenant_a.members["manager"]
    due_before = {
        tp.episode.service_user.reference
        for tp in due_list(membership=manager, filters=default_filters(manager))
    }
    assert due_before == {"R-1", "R-2"}

    person_restrict(
        service_user=person, reason="Checking their record", actor=_admin(tenant_a)
    )

    person.refresh_from_db()
    assert person.restricted_at is not None
    assert person.restriction_reason == "Checking their record"
    statuses = set(
        TimePoint.objects.filter(episode__service_user=person).values_list(
            "status", flat=True
        )
    )
    assert statuses == {TimePoint.Status.CANCELLED}
    link.refresh_from_db()
    assert link.revoked_at is not None
    due_after = {
        tp.episode.service_user.reference
        for tp in due_list(membership=manager, filters=default_filters(manager))
    }
    assert due_after == {"R-2"}
    TimePoint.objects.filter(episode__service_user=person).update(
        status=TimePoint.Status.MISSED
    )
    assert (
        not missed_list(membership=manager, filters=default_filters(manager))
        .filter(episode__service_user=person)
        .exists()
    )
    contactable = people_who_may_be_contacted(tenant_a.organisation)
    assert list(contactable) == [other]
    assert (
        SelfCompletionLink.objects.filter(
            service_user=person, revoked_at__isnull=True
        ).count()
        == 0
    )


def test_lifting_a_restriction_brings_their_time_points_back(tenant_a: Tenant) -> None:
    person, _episode, _points = due_person(tenant_a, reference="R-1")
    person_restrict(service_user=person, reason="For now", actor=_admin(tenant_a))
    with pytest.raises(RestrictionError, match="already restricted"):
        person_restrict(service_user=person, reason="Again", actor=_admin(tenant_a))
    person_unrestrict(service_user=person, actor=_admin(tenant_a))
    person.refresh_from_db()
    assert person.restricted_at is None and person.restriction_reason == ""
    assert set(
        TimePoint.objects.filter(episode__service_user=person).values_list(
            "status", flat=True
        )
    ) == {TimePoint.Status.PENDING}
    with pytest.raises(RestrictionError, match="not restricted"):
        person_unrestrict(service_user=person, actor=_admin(tenant_a))


def test_a_restricted_person_counts_in_no_report_for_anyone(
    tenant_a: Tenant, commissioner: Any
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    assert _values(tenant_a, "organisation") == (10, 10)
    for reference in ("REF-008", "REF-009"):
        person_restrict(
            service_user=ServiceUser.objects.get(reference=reference),
            reason="Asked us to stop",
            actor=_admin(tenant_a),
        )
    assert _values(tenant_a, "organisation") == (8, 8)
    assert _values(tenant_a, "funders") == (8, 8)
    report = build_report(contract, start=START, end=END)
    assert shown(report, "mean_latest") == 8.4  # the other eight: 8.375


def test_reports_made_after_an_erasure_no_longer_count_the_person(
    tenant_a: Tenant, commissioner: Any
) -> None:
    ten_people(tenant_a)
    contract = make_contract(tenant_a, commissioner.body)
    assert shown(build_report(contract, start=START, end=END), "mean_latest") == 11.1
    for reference in ("REF-008", "REF-009"):
        person_erase(
            service_user=ServiceUser.objects.get(reference=reference),
            reason="Asked to be erased",
            actor=_admin(tenant_a),
        )
    assert _values(tenant_a, "organisation") == (8, 8)
    assert shown(build_report(contract, start=START, end=END), "mean_latest") == 8.4


def test_no_answers_are_recorded_for_a_restricted_person(tenant_a: Tenant) -> None:
    import uuid

    from openproms.collection.models import Administration
    from openproms.collection.services import DataRestricted, administration_submit
    from openproms.scoring import get_measure

    person, _episode, _points = due_person(tenant_a, reference="R-9")
    person_restrict(
        service_user=person, reason="Checking their record", actor=_admin(tenant_a)
    )
    measure = get_measure("gad7")
    with pytest.raises(DataRestricted, match="restricted"):
        administration_submit(
            organisation=tenant_a.organisation,
            service_user=person,
            measure=measure,
            answers=dict.fromkeys(measure.item_ids, 1),
            mode="assisted",
            submission_id=str(uuid.uuid4()),
            collected_by=tenant_a.members["worker"].user,
        )
    assert not Administration.objects.filter(service_user=person).exists()
