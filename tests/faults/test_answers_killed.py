"""An answer save and a FHIR import killed part-way: nothing half-written, and the
same submission sent again after the restart is stored once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openproms.accounts.models import Organisation
from openproms.collection.fhir_io import questionnaire_response_import
from openproms.collection.models import (
    Administration,
    OutcomeScore,
    ScaleResult,
    TimePoint,
)
from openproms.collection.services import SubmitResult, administration_submit
from openproms.fhir import Identifier, questionnaire_response
from openproms.people.models import ServiceUser
from openproms.scoring import get_measure
from tests.conftest import _tenant
from tests.faults.conftest import Shared
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.django_db(transaction=True)

PHQ9 = {f"phq9_{n}": n % 4 for n in range(1, 10)} | {"phq9_difficulty": 1}


def _answer_args(reference: str = "P-1") -> dict[str, Any]:
    tenant = _tenant("alpha", "Alpha Charity")
    person, _episode, points = due_person(tenant, reference=reference)
    return {
        "organisation": tenant.organisation.pk,
        "person": person.pk,
        "time_point": points[0].pk,
        "answers": PHQ9,
        "submission_id": "form-7f3a",
    }


def _send(args: dict[str, Any]) -> SubmitResult:
    point = TimePoint.objects.get(pk=args["time_point"])
    return administration_submit(
        organisation=Organisation.objects.get(pk=args["organisation"]),
        service_user=ServiceUser.objects.get(pk=args["person"]),
        measure=get_measure("phq9"),
        answers=args["answers"],
        mode=Administration.Mode.ASSISTED,
        submission_id=args["submission_id"],
        time_point=point,
    )


def _nothing_stored() -> None:
    assert not Administration.objects.exists()
    assert not ScaleResult.objects.exists()
    assert not OutcomeScore.objects.exists()


def test_an_answer_killed_before_its_commit_leaves_nothing_and_is_stored_once_when_sent_again(
    shared: Shared,
) -> None:
    args = _answer_args()
    shared.kill_child_at("answer.before_commit", "answer", **args)
    _nothing_stored()  # the rows written inside the transaction went with it
    point = TimePoint.objects.get(pk=args["time_point"])
    assert point.status != TimePoint.Status.COMPLETED
    # The browser sends the same submission again after the restart.
    first, again = _send(args), _send(args)
    assert first.created and not again.created
    assert first.administration == again.administration
    assert Administration.objects.count() == 1
    assert ScaleResult.objects.filter(administration=first.administration)
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED


def test_an_answer_killed_after_its_commit_is_not_stored_twice_when_sent_again(
    shared: Shared,
) -> None:
    args = _answer_args()
    shared.kill_child_at("answer.committed", "answer", **args)
    stored = Administration.objects.get()  # committed before the kill
    again = _send(args)
    assert not again.created and again.administration == stored
    assert Administration.objects.count() == 1


def test_an_import_killed_part_way_stores_nothing_and_imports_once_afterwards(
    shared: Shared,
) -> None:
    args = _answer_args()
    resource = questionnaire_response(
        get_measure("phq9"),
        PHQ9,
        resource_id="r1",
        authored=dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC),
        identifier=Identifier("https://other.example/ids", "qr-1"),
    )
    import_args = {
        "organisation": args["organisation"],
        "person": args["person"],
        "resource": resource,
    }
    shared.kill_child_at("answer.before_commit", "import", **import_args)
    _nothing_stored()
    first, again = (
        questionnaire_response_import(
            organisation=Organisation.objects.get(),
            service_user=ServiceUser.objects.get(),
            resource=resource,
        )
        for _ in range(2)
    )
    assert first.created and not again.created
    assert Administration.objects.get().mode == Administration.Mode.IMPORT
