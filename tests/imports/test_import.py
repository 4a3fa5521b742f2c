"""Checking, dry run and commit of historic data (CSV), and every bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openproms.collection.models import Administration
from openproms.imports.models import ImportJob
from openproms.people.models import Episode, ServiceUser
from tests.conftest import Tenant
from tests.imports.helpers import (
    csv_of,
    good_rows,
    messages,
    run,
    uses,
    written,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant(tenant_a: Tenant) -> Tenant:
    uses(tenant_a, "gad7", "phq9")
    return tenant_a


def test_the_dry_run_shows_exactly_what_the_commit_does(tenant: Tenant) -> None:
    content = csv_of(*good_rows(tenant))
    before = written()
    dry = run(tenant, content, commit=False)
    assert dry.status == ImportJob.Status.CHECKED, messages(dry)
    assert written() == before
    done = run(tenant, content, commit=True)
    assert done.status == ImportJob.Status.IMPORTED
    assert done.outcome["counts"] == dry.outcome["counts"]
    assert done.outcome["lines"] == dry.outcome["lines"]
    assert dry.outcome["counts"] == {
        "people_created": 2,
        "people_updated": 0,
        "episodes_created": 2,
        "episodes_updated": 0,
        "episodes_ended": 1,
        "answers_created": 3,
        "scores_created": 0,
        "time_points_scheduled": 0,
        "time_points_history": 0,
        "rows_skipped": 0,
    }


def test_answers_are_scored_on_import_and_marked_imported(tenant: Tenant) -> None:
    run(tenant, csv_of(*good_rows(tenant)), commit=True)
    ann = ServiceUser.objects.get(reference="R-001")
    assert (ann.given_name, ann.date_of_birth) == ("Ann", dt.date(1980, 2, 1))
    first = Administration.objects.get(
        service_user=ann, completed_at__date=dt.date(2021, 1, 4)
    )
    assert first.mode == Administration.Mode.IMPORT
    assert first.results.get(scale_id="total").value == 10
    assert first.episode is not None and first.episode.start_date == dt.date(2021, 1, 4)
    bob_episode = Episode.objects.get(service_user__reference="R-002")
    assert bob_episode.end_date == dt.date(2021, 6, 30)
    assert bob_episode.status == Episode.Status.CLOSED
    assert Administration.objects.filter(service_user=ann).count() == 2


def test_importing_the_same_file_again_changes_nothing(tenant: Tenant) -> None:
    content = csv_of(*good_rows(tenant))
    run(tenant, content, commit=True)
    before = written()
    again = run(tenant, content, commit=True)
    assert again.status == ImportJob.Status.IMPORTED
    counts = again.outcome["counts"]
    assert counts["answers_created"] == counts["people_created"] == 0
    assert counts["episodes_created"] == 0 and counts["rows_skipped"] == 3
    assert written() | {"events": 0} == before | {"events": 0}


def test_answers_imported_before_with_different_values_refuse_the_whole_file(
    tenant: Tenant,
) -> None:
    rows = good_rows(tenant)
    run(tenant, csv_of(rows[0]), commit=True)
    changed = rows[0].replace(",1,2,1,0,3,2,1", ",0,0,0,0,0,0,0")
    before = written()
    job = run(tenant, csv_of(changed, rows[2]), commit=True)
    assert job.status == ImportJob.Status.PROBLEMS
    assert written() == before
    assert "imported before with different answers" in messages(job)[0]
    assert job.outcome["problems"][0]["row"] == 2


def _refused(tenant: Tenant, content: bytes, name: str = "old.csv") -> ImportJob:
    before = written()
    job = run(tenant, content, commit=True, name=name)
    assert job.status == ImportJob.Status.PROBLEMS
    assert written() == before, "a refused file wrote something"
    return job


def test_a_file_in_a_wrong_encoding_writes_nothing(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    content = csv_of(rows[0]) + rows[2].replace("Bob", "Bj\x81rn").encode("latin-1")
    job = _refused(tenant, content)
    assert job.outcome["problems"][0]["row"] == 3
    assert "Row 3" in messages(job)[0]


@pytest.mark.parametrize(
    ("date", "says"),
    [
        ("04-01-2021", "ambiguous"),
        ("04/01/21", "two-digit year"),
        ("Jan 4th 2021", "not a date in a form this import reads"),
    ],
)
def test_a_date_in_an_unknown_or_ambiguous_form_is_named(
    tenant: Tenant, date: str, says: str
) -> None:
    rows = good_rows(tenant)
    bad = rows[1].replace("1 March 2021", date)
    job = _refused(tenant, csv_of(rows[0], bad, rows[2]))
    assert len(job.outcome["problems"]) == 1
    problem = job.outcome["problems"][0]
    assert problem["row"] == 3
    assert problem["column"] == "J (Date answered)"
    assert says in problem["message"] and date in problem["message"]


def test_the_same_person_with_two_dates_of_birth_is_named(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    other = rows[1].replace("01/02/1980", "02/01/1980")
    job = _refused(tenant, csv_of(rows[0], other))
    assert messages(job) == [
        "Row 3, column D (Date of birth): R-001 has date of birth 2 January 1980 "
        "here but 1 February 1980 on row 2. One person has one date of birth: "
        "correct whichever is wrong."
    ]


def test_a_date_of_birth_unlike_the_one_held_is_named(tenant: Tenant) -> None:
    ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference="R-001",
        date_of_birth=dt.date(1980, 2, 2),
    )
    job = _refused(tenant, csv_of(good_rows(tenant)[0]))
    assert "held with date of birth 2 February 1980" in messages(job)[0]


def test_an_out_of_range_answer_is_named_by_row_and_column(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    bad = rows[2].replace(",3,3,3,3,3,3,3", ",3,3,7,3,3,3,3")
    job = _refused(tenant, csv_of(rows[0], bad))
    assert job.outcome["problems"] == [
        {
            "row": 3,
            "column": "M (Q3)",
            "message": "Row 3, column M (Q3): GAD-7 question 3: \u201c7\u201d is not "
            "an allowed answer: expected a whole number from 0 to 3.",
        }
    ]


def test_an_unknown_measure_is_named(tenant: Tenant) -> None:
    bad = good_rows(tenant)[0].replace("GAD-7", "GAD-8")
    job = _refused(tenant, csv_of(bad))
    assert (
        "\u201cGAD-8\u201d is not a measure your organisation uses" in messages(job)[0]
    )
    assert job.outcome["problems"][0]["column"] == "I (Measure)"


def test_an_unknown_service_is_named(tenant: Tenant) -> None:
    bad = good_rows(tenant)[0].replace(tenant.service.name, "Nowhere")
    job = _refused(tenant, csv_of(bad))
    assert "\u201cNowhere\u201d is not one of your services" in messages(job)[0]


def test_blank_rows_are_skipped_and_reported_not_refused(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    job = run(tenant, csv_of(rows[0], ",,,,,,,,,,,,,,,,", "", rows[2]), commit=True)
    assert job.status == ImportJob.Status.IMPORTED
    assert [s["row"] for s in job.outcome["skipped"]] == [3, 4]
    assert job.outcome["skipped"][0]["message"] == "Row 3 is blank: skipped."
    assert job.outcome["counts"]["rows_skipped"] == 2
    assert Administration.objects.count() == 2


def test_a_restricted_person_gets_nothing_saved_and_is_named(tenant: Tenant) -> None:
    ServiceUser.objects.create(
        organisation=tenant.organisation,
        reference="R-002",
        restricted_at=timezone.now(),
    )
    job = _refused(tenant, csv_of(*good_rows(tenant)))
    assert messages(job) == [
        "Row 4, column A (Reference): R-002's data is restricted, so nothing can be "
        "recorded for them. An organisation admin can lift the restriction on their "
        "page."
    ]


def test_every_problem_is_listed_not_only_the_first(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    bad_answer = rows[0].replace(",1,2,1,0,3,2,1", ",1,2,1,0,9,2,1")
    bad_measure = rows[2].replace("GAD-7", "XYZ")
    job = _refused(tenant, csv_of(bad_answer, rows[1], bad_measure))
    assert [p["row"] for p in job.outcome["problems"]] == [2, 4]


def test_the_same_answers_twice_in_a_file_are_imported_once(tenant: Tenant) -> None:
    rows = good_rows(tenant)
    job = run(tenant, csv_of(rows[0], rows[0]), commit=True)
    assert job.status == ImportJob.Status.IMPORTED, messages(job)
    assert Administration.objects.count() == 1
    assert job.outcome["counts"]["rows_skipped"] == 1


def test_a_new_name_for_a_held_person_is_an_update(tenant: Tenant) -> None:
    ServiceUser.objects.create(
        organisation=tenant.organisation, reference="R-001", given_name="Annie"
    )
    job = run(tenant, csv_of(good_rows(tenant)[0]), commit=True)
    assert job.outcome["counts"]["people_updated"] == 1
    assert ServiceUser.objects.get(reference="R-001").given_name == "Ann"


def test_imported_answers_raise_alerts_and_feed_outcome_reports_like_any_answer(
    tenant: Tenant,
) -> None:
    from openproms.audit.models import AuditEvent
    from openproms.collection.models import OutcomeScore, RiskAlert

    service = tenant.service.name
    headings = (
        "Reference,Service,Episode start,Episode end,Measure,Date answered,"
        + ",".join(f"Q{n}" for n in range(1, 11))
    )
    content = csv_of(
        f"R-9,{service},2021-01-04,2021-06-30,PHQ-9,04/01/2021,1,1,1,1,1,1,1,1,2,1",
        headings=headings,
    )
    job = run(tenant, content, commit=True)
    assert job.status == ImportJob.Status.IMPORTED, messages(job)
    administration = Administration.objects.get()
    assert administration.results.get(scale_id="total").value == 10
    assert RiskAlert.objects.filter(administration=administration).count() == 1
    assert list(OutcomeScore.objects.values_list("value", flat=True)) == [10.0]
    person = ServiceUser.objects.get(reference="R-9")
    imported = AuditEvent.objects.get(action="administration.import")
    assert imported.people == f"|{person.pk}|"
    assert imported.detail["administrations"] == [administration.pk]
    assert AuditEvent.objects.filter(action="import.commit").count() == 1
