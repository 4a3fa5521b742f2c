"""Observations, Patient and Bundle: what goes out with a person's answers, valid
FHIR, and streamed for many."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from openproms.fhir import (
    Person,
    ResponseRecord,
    bundle,
    bundle_chunks,
    full_url,
    observation,
    patient,
    person_resources,
    relative_reference,
    validation_issues,
    write_ndjson,
)
from openproms.scoring import default_library, get_measure, score_response
from tests.fhir.helpers import some_answers

WHEN = dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC)
PERSON = Person(
    resource_id="person.7",
    reference="RIV-0007",
    reference_system="https://openproms.org/fhir/sid/person/riverside",
    given_name="Ann",
    family_name="Example",
    birth_date=dt.date(1970, 2, 3),
    nhs_number="9434765919",
)


def _record(
    measure: str, answers: dict[str, int | None] | None = None
) -> ResponseRecord:
    defn = get_measure(measure)
    given = some_answers(defn) if answers is None else answers
    score = score_response(defn, given)
    return ResponseRecord(
        measure=defn,
        answers=given,
        scales=list(score.scales.values()),
        resource_id="response.3",
        authored=WHEN,
    )


def test_an_observation_carries_code_value_band_time_and_source() -> None:
    defn = get_measure("phq9")
    score = score_response(defn, {f"phq9_{n}": 1 for n in range(1, 10)})
    obs = observation(
        defn,
        score["total"],
        resource_id="response.3.total",
        subject="Patient/person.7",
        response="QuestionnaireResponse/response.3",
        effective=WHEN,
    )
    assert validation_issues(obs) == []
    assert [c["code"] for c in obs["code"]["coding"]] == [
        "44261-6",
        "720433000",
        "total",
    ]
    assert obs["valueQuantity"] == {
        "value": 9,
        "unit": "points",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert obs["interpretation"][0]["text"] == "Mild"
    assert obs["interpretation"][0]["coding"][0]["code"] == "1"
    assert obs["derivedFrom"] == [{"reference": "QuestionnaireResponse/response.3"}]
    assert obs["effectiveDateTime"] == "2025-03-04T09:30:00+00:00"
    assert obs["category"][0]["coding"][0]["code"] == "survey"


def test_a_scale_with_no_score_says_why_and_has_no_value() -> None:
    defn = get_measure("phq9")
    score = score_response(defn, {"phq9_1": 1})
    obs = observation(
        defn,
        score["total"],
        resource_id="x",
        subject="Patient/p",
        response="QuestionnaireResponse/r",
        effective=WHEN,
    )
    assert validation_issues(obs) == []
    assert "valueQuantity" not in obs
    assert obs["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert obs["note"][0]["text"].startswith("No score: 8 of 9 items not answered")


def test_a_prorated_score_says_so() -> None:
    defn = get_measure("core10")
    answers = some_answers(defn) | {"core10_1": None}
    obs = observation(
        defn,
        score_response(defn, answers)["clinical"],
        resource_id="x",
        subject="Patient/p",
        response="QuestionnaireResponse/r",
        effective=WHEN,
    )
    assert "Prorated: 1 question not answered" in obs["note"][0]["text"]


def test_an_eq5d_profile_is_a_string_not_a_quantity() -> None:
    defn = get_measure("eq5d5l")
    answers = some_answers(defn)
    obs = observation(
        defn,
        score_response(defn, answers)["profile"],
        resource_id="x",
        subject="Patient/p",
        response="QuestionnaireResponse/r",
        effective=WHEN,
    )
    assert validation_issues(obs) == []
    assert obs["valueString"].isdigit() and len(obs["valueString"]) == 5


def test_percent_scales_use_the_ucum_percent() -> None:
    defn = get_measure("who5")
    obs = observation(
        defn,
        score_response(defn, some_answers(defn))["percentage"],
        resource_id="x",
        subject="Patient/p",
        response="QuestionnaireResponse/r",
        effective=WHEN,
    )
    assert obs["valueQuantity"]["code"] == "%"


def test_the_patient_is_minimal_and_has_the_nhs_number_only_when_given() -> None:
    with_number = patient(PERSON)
    assert validation_issues(with_number) == []
    assert with_number["identifier"] == [
        {
            "system": "https://openproms.org/fhir/sid/person/riverside",
            "value": "RIV-0007",
        },
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"},
    ]
    assert set(with_number) == {"resourceType", "id", "identifier", "name", "birthDate"}
    without = patient(
        Person("person.8", "RIV-8", "https://openproms.org/fhir/sid/person/r")
    )
    assert without == {
        "resourceType": "Patient",
        "id": "person.8",
        "identifier": [
            {"system": "https://openproms.org/fhir/sid/person/r", "value": "RIV-8"}
        ],
    }


@pytest.mark.parametrize("key", [d.key for d in default_library()])
def test_a_bundle_for_a_person_is_valid_and_refers_by_full_url(key: str) -> None:
    result = bundle(
        person_resources(PERSON, [_record(key.split("@")[0])], refer=full_url),
        bundle_id="person.7.everything",
        timestamp=WHEN,
    )
    assert validation_issues(result) == []
    urls = {e["fullUrl"] for e in result["entry"]}
    kinds = [e["resource"]["resourceType"] for e in result["entry"]]
    assert kinds[:2] == ["Patient", "QuestionnaireResponse"]
    defn = get_measure(*key.split("@"))
    assert kinds.count("Observation") == len(defn.scales)
    for entry in result["entry"][1:]:
        assert entry["resource"]["subject"]["reference"] in urls
    for entry in result["entry"][2:]:
        assert entry["resource"]["derivedFrom"][0]["reference"] in urls


def test_an_amended_response_and_its_scores_say_so() -> None:
    record = _record("phq9")
    amended = ResponseRecord(**{**record.__dict__, "amended": True})
    resources = list(person_resources(PERSON, [amended], refer=relative_reference))
    assert resources[1]["status"] == "amended"
    assert resources[2]["status"] == "amended"


def test_full_urls_are_stable_uuids() -> None:
    assert full_url("Patient", "person.7") == full_url("Patient", "person.7")
    assert full_url("Patient", "person.7") != full_url("Patient", "person.8")
    assert full_url("Patient", "person.7").startswith("urn:uuid:")


def test_the_streamed_bundle_and_ndjson_hold_every_resource() -> None:
    resources = list(
        person_resources(
            PERSON, [_record("phq9"), _record("gad7")], refer=relative_reference
        )
    )
    text = "".join(bundle_chunks(iter(resources), bundle_id="b", timestamp=WHEN))
    assert [e["resource"] for e in json.loads(text)["entry"]] == resources
    out = io.StringIO()
    assert write_ndjson(iter(resources), out) == len(resources)
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == resources
    assert all(validation_issues(r) == [] for r in resources)
