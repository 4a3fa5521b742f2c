"""The FHIR R4 endpoints: metadata, Questionnaire read and search by code,
QuestionnaireResponse create (the shared fixtures import; defects are named in
an OperationOutcome and nothing is stored), read and search by patient,
Observation search by patient and code, Patient $everything."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openproms.collection.models import Administration
from openproms.fhir import validation_issues
from tests.api.helpers import (
    answered,
    api_get,
    bearer,
    make_token,
    person_with_episode,
    uses_phq9,
)
from tests.conftest import Tenant
from tests.fhir.helpers import LHC_QUESTIONNAIRE, LHC_RESPONSE, SDC_RESPONSE, fixture

pytestmark = pytest.mark.django_db
FHIR_JSON = "application/fhir+json"


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs={"org_slug": "alpha", **kwargs})


def _post(secret: str, resource: Any, **headers: str) -> Any:
    return Client().post(
        _url("fhir_questionnaire_response"),
        json.dumps(resource) if not isinstance(resource, str) else resource,
        content_type=FHIR_JSON,
        **bearer(secret),
        **headers,
    )


def _about(resource: dict[str, Any], person_pk: int) -> dict[str, Any]:
    resource = dict(resource)
    resource["subject"] = {"reference": f"Patient/person.{person_pk}"}
    return resource


def test_metadata_is_a_capability_statement(tenant_a: Tenant) -> None:
    made = make_token(tenant_a)
    response = api_get(made.secret, _url("fhir_metadata"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(FHIR_JSON)
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    # A maintained validator (fhir.resources, R4B models) accepts it.
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class("CapabilityStatement").model_validate(statement)


def test_without_a_token_the_answer_is_an_operation_outcome(tenant_a: Tenant) -> None:
    response = Client().get(_url("fhir_metadata"))
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_questionnaire_read_and_search_by_code(tenant_a: Tenant) -> None:
    uses_phq9(tenant_a)
    made = make_token(tenant_a)
    found = api_get(made.secret, _url("fhir_questionnaire_search"), code="44249-1")
    bundle = found.json()
    assert bundle["type"] == "searchset" and bundle["total"] == 1
    questionnaire = bundle["entry"][0]["resource"]
    assert questionnaire["url"].endswith("/Questionnaire/phq9")
    none = api_get(made.secret, _url("fhir_questionnaire_search"), code="0000-0")
    assert none.json()["total"] == 0
    read = api_get(
        made.secret,
        _url("fhir_questionnaire_read", questionnaire_id=questionnaire["id"]),
    )
    assert read.status_code == 200 and read.json()["id"] == questionnaire["id"]
    missing = api_get(
        made.secret, _url("fhir_questionnaire_read", questionnaire_id="gad7.1")
    )
    assert missing.status_code == 404
    assert missing.json()["resourceType"] == "OperationOutcome"


def test_the_sdc_example_imports_scored_10_and_says_13_was_not_kept(
    tenant_a: Tenant,
) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    resource = _about(fixture(SDC_RESPONSE), person.pk)
    response = _post(made.secret, resource, HTTP_PREFER="return=OperationOutcome")
    assert response.status_code == 201
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    said = " ".join(i["diagnostics"] for i in outcome["issue"])
    assert "13" in said and "10" in said
    stored = Administration.objects.get()
    assert stored.results.get(scale_id="total").value == 10
    assert response["Location"].endswith(f"QuestionnaireResponse/response.{stored.pk}")
    again = _post(made.secret, resource)
    assert again.status_code == 200
    assert again.json()["resourceType"] == "QuestionnaireResponse"
    assert Administration.objects.count() == 1


def test_the_lhc_forms_response_imports(tenant_a: Tenant) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    resource = _about(fixture(LHC_RESPONSE), person.pk)
    # Its Questionnaire has no codes: named only by its own address, the measure
    # is not known, and the outcome says so.
    refused = _post(made.secret, resource)
    assert refused.status_code == 422
    assert refused.json()["issue"][0]["expression"] == [
        "QuestionnaireResponse.questionnaire"
    ]
    # Carried along in ``contained``, its answers are read through it (its
    # own defects named as warnings).
    resource["contained"] = [dict(fixture(LHC_QUESTIONNAIRE), id="q")]
    resource["questionnaire"] = "#q"
    response = _post(made.secret, resource, HTTP_PREFER="return=OperationOutcome")
    assert response.status_code == 201, response.content
    said = [i["diagnostics"] for i in response.json()["issue"]]
    assert any("q1_value" in line for line in said)
    assert Administration.objects.get().results.get(scale_id="total").value == 8


def test_a_defective_response_gets_an_outcome_naming_the_defect_and_nothing_is_stored(
    tenant_a: Tenant,
) -> None:
    uses_phq9(tenant_a)
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a, access="read_write")
    resource = _about(fixture(SDC_RESPONSE), person.pk)
    resource["item"][0]["item"][0]["answer"][0]["valueCoding"]["code"] = "LA-nonsense"
    response = _post(made.secret, resource)
    assert response.status_code == 422, response.content
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["severity"] == "error"
    assert "question 1" in outcome["issue"][0]["diagnostics"]
    assert not Administration.objects.exists()


def test_bad_bodies_and_unknown_patients_are_named(tenant_a: Tenant) -> None:
    made = make_token(tenant_a, access="read_write")
    assert _post(made.secret, "{not json").status_code == 400
    wrong_type = _post(made.secret, {"resourceType": "Patient"})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["issue"][0]["expression"] == ["resourceType"]
    unknown = _post(made.secret, _about(fixture(SDC_RESPONSE), 999999))
    assert unknown.status_code == 422
    assert "Patient/person.999999" in unknown.json()["issue"][0]["diagnostics"]
    assert not Administration.objects.exists()


def test_a_read_token_cannot_create(tenant_a: Tenant) -> None:
    person = person_with_episode(tenant_a)
    made = make_token(tenant_a)
    response = _post(made.secret, _about(fixture(SDC_RESPONSE), person.pk))
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"


def test_response_read_and_search_by_patient(tenant_a: Tenant) -> None:
    person = person_with_episode(tenant_a)
    stored = answered(tenant_a, person)
    made = make_token(tenant_a)
    read = api_get(
        made.secret,
        _url("fhir_questionnaire_response_read", response_id=f"response.{stored.pk}"),
    )
    assert read.status_code == 200
    assert read.json()["subject"]["reference"] == f"Patient/person.{person.pk}"
    found = api_get(
        made.secret,
        _url("fhir_questionnaire_response"),
        patient=f"Patient/person.{person.pk}",
    ).json()
    assert found["total"] == 1
    assert validation_issues(found["entry"][0]["resource"]) == []


def test_observations_by_patient_and_code(tenant_a: Tenant) -> None:
    person = person_with_episode(tenant_a)
    answered(tenant_a, person)
    made = make_token(tenant_a)
    everything = api_get(
        made.secret,
        _url("fhir_observation_search"),
        patient=f"person.{person.pk}",
    ).json()
    assert everything["total"] >= 1
    code = everything["entry"][0]["resource"]["code"]["coding"][0]
    some = api_get(
        made.secret,
        _url("fhir_observation_search"),
        patient=f"person.{person.pk}",
        code=f"{code['system']}|{code['code']}",
    ).json()
    assert some["total"] >= 1
    assert all(
        e["resource"]["code"]["coding"][0]["code"] == code["code"]
        for e in some["entry"]
    )


def test_everything_is_the_persons_bundle_and_another_organisation_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    person = person_with_episode(tenant_a)
    answered(tenant_a, person)
    theirs = person_with_episode(tenant_b, "B-1")
    made = make_token(tenant_a)
    bundle = api_get(
        made.secret,
        _url("fhir_patient_everything", patient_id=f"person.{person.pk}"),
    ).json()
    assert bundle["resourceType"] == "Bundle"
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    other = api_get(
        made.secret,
        _url("fhir_patient_everything", patient_id=f"person.{theirs.pk}"),
    )
    assert other.status_code == 404
    assert other.json()["resourceType"] == "OperationOutcome"


def test_everything_for_a_token_limited_to_a_service_leaves_out_other_services(
    tenant_a: Tenant,
) -> None:
    from openproms.accounts.models import Service
    from openproms.collection.services import administration_submit
    from openproms.people.models import Episode
    from tests.api.helpers import PHQ9, answers

    person = person_with_episode(tenant_a)
    seen = answered(tenant_a, person)
    other = Service.objects.create(organisation=tenant_a.organisation, name="Other")
    elsewhere = Episode.objects.create(
        organisation=tenant_a.organisation,
        service_user=person,
        service=other,
        start_date=dt.date(2026, 2, 2),
    )
    hidden = administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=PHQ9,
        answers=answers(),
        mode="assisted",
        submission_id="web-other",
        episode=elsewhere,
    ).administration
    made = make_token(tenant_a, services=[tenant_a.service])
    bundle = api_get(
        made.secret,
        _url("fhir_patient_everything", patient_id=f"person.{person.pk}"),
    ).json()
    responses = [
        entry["resource"]["id"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    assert any(str(seen.pk) in rid for rid in responses)
    assert not any(str(hidden.pk) in rid for rid in responses)
    assert len(responses) == 1
