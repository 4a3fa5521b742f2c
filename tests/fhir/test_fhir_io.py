"""FHIR in and out of the web app's store: a QuestionnaireResponse saved through
administration_submit (scored, idempotent, every defect named, nothing stored on
refusal), the Questionnaire with an organisation's own wording, a person's
Bundle (the NHS number only with consent to share with their GP), and the
streamed export."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.http import Http404

from openproms.audit.models import AuditEvent
from openproms.catalogue.models import MeasureWording
from openproms.collection.fhir_io import (
    organisation_resources,
    patient_id,
    person_bundle,
    questionnaire_for,
    questionnaire_response_import,
)
from openproms.collection.models import (
    Administration,
    MeasurementPlan,
    OutcomeScore,
    PlanRule,
    RiskAlert,
    TimePoint,
)
from openproms.collection.services import administration_submit
from openproms.fhir import (
    FhirInputError,
    Identifier,
    questionnaire_response,
    validation_issues,
)
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.scoring import get_measure
from tests.conftest import Tenant
from tests.fhir.helpers import (
    LHC_QUESTIONNAIRE,
    LHC_RESPONSE,
    SDC_RESPONSE,
    fixture,
    made_up_wording,
    some_answers,
)

pytestmark = pytest.mark.django_db
PHQ9 = get_measure("phq9")
WHEN = dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)


def _person(tenant: Tenant, reference: str = "P-001", **fields: Any) -> ServiceUser:
    return ServiceUser.objects.create(
        organisation=tenant.organisation, reference=reference, **fields
    )


def _episode(tenant: Tenant, person: ServiceUser) -> Episode:
    return Episode.objects.create(
        organisation=tenant.organisation,
        service_user=person,
        service=tenant.service,
        start_date=dt.date(2026, 1, 5),
    )


def _time_point(tenant: Tenant, episode: Episode, measure: str) -> TimePoint:
    """A start time point for ``measure`` in ``episode``."""
    plan = MeasurementPlan.objects.create(
        organisation=tenant.organisation, service=tenant.service, name="Plan"
    )
    rule = PlanRule.objects.create(
        plan=plan, measure_id=measure, measure_version="1", kind=PlanRule.Kind.START
    )
    return TimePoint.objects.create(
        organisation=tenant.organisation,
        episode=episode,
        rule=rule,
        sequence=1,
        label="Start",
        measure_id=measure,
        measure_version="1",
        due_date=dt.date(2026, 1, 5),
        window_start=dt.date(2026, 1, 5),
    )


def _import(tenant: Tenant, person: ServiceUser, resource: dict, **kwargs: Any):  # type: ignore[no-untyped-def]
    return questionnaire_response_import(
        organisation=tenant.organisation,
        service_user=person,
        resource=resource,
        actor=tenant.members["data"].user if "data" in tenant.members else None,
        **kwargs,
    )


def _our_response(answers: dict[str, int | None], value: str = "ext-1") -> dict:  # type: ignore[type-arg]
    return questionnaire_response(
        PHQ9,
        answers,
        resource_id="r1",
        authored=WHEN,
        identifier=Identifier("https://other.example/ids", value),
    )


def test_the_sdc_example_is_stored_with_10_never_13_and_the_defect_named(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    result = _import(tenant_a, person, fixture(SDC_RESPONSE))
    assert result.created
    adm = result.administration
    assert adm.mode == Administration.Mode.IMPORT
    assert adm.measure_id == "phq9" and adm.scored_with == "phq9@1"
    assert adm.completed_at == dt.datetime(
        2019, 8, 21, 20, 36, 57, 544000, tzinfo=dt.UTC
    )
    stored = {r.scale_id: r.value for r in adm.results.all()}
    assert stored == {"total": 10}
    assert 13 not in adm.answers.values()
    warnings = [i.message for i in result.issues if i.severity == "warning"]
    assert any("PHQ-9 total as 13" in w and "13 was not kept" in w for w in warnings)
    assert any("no identifier" in w for w in warnings)
    # item 9 answered "several days": the key worker's risk alert is raised as for any answer
    assert RiskAlert.objects.filter(administration=adm, item_id="phq9_9").exists()
    event = AuditEvent.objects.get(action="administration.import")
    assert event.detail["stored_scores_not_kept"] == ["total"]
    assert event.detail["created"] is True


def test_importing_the_same_response_twice_stores_it_once(tenant_a: Tenant) -> None:
    person = _person(tenant_a)
    first = _import(tenant_a, person, fixture(SDC_RESPONSE))
    again = _import(tenant_a, person, fixture(SDC_RESPONSE))
    assert not again.created
    assert again.administration.pk == first.administration.pk
    assert Administration.objects.count() == 1


def test_a_different_response_under_the_same_identifier_is_refused(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    _import(tenant_a, person, _our_response(some_answers(PHQ9)))
    with pytest.raises(FhirInputError) as caught:
        _import(tenant_a, person, _our_response(some_answers(PHQ9, shift=1)))
    assert caught.value.issues[0].message == (
        "a different response was already saved under this identifier; nothing was "
        "changed"
    )
    assert Administration.objects.count() == 1


def test_a_defective_response_is_refused_naming_the_defect_and_stores_nothing(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    resource = _our_response(some_answers(PHQ9))
    resource["item"][0]["answer"][0]["valueCoding"]["code"] = "9"
    with pytest.raises(FhirInputError) as caught:
        _import(tenant_a, person, resource)
    assert "question 1 of PHQ-9" in caught.value.issues[0].message
    assert Administration.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="administration").exists()


def test_the_lhc_forms_response_imports_with_its_questionnaire(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    result = _import(
        tenant_a,
        person,
        fixture(LHC_RESPONSE),
        questionnaire=fixture(LHC_QUESTIONNAIRE),
    )
    assert result.score["total"].value == 8
    warnings = [i for i in result.issues if i.severity == "warning"]
    assert any("q1_value" in i.message for i in warnings)
    assert any("no identifier" in i.message for i in warnings)
    again = _import(
        tenant_a,
        person,
        fixture(LHC_RESPONSE),
        questionnaire=fixture(LHC_QUESTIONNAIRE),
    )
    assert not again.created


def test_a_response_exported_here_imports_back_as_the_same_answers(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    stored = administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=PHQ9,
        answers=some_answers(PHQ9),
        mode="assisted",
        submission_id="web-123",
    ).administration
    entries = person_bundle(organisation=tenant_a.organisation, service_user=person)[
        "entry"
    ]
    exported = entries[1]["resource"]
    result = _import(tenant_a, person, exported)
    assert not result.created
    assert result.administration.pk == stored.pk
    exported["item"][0]["answer"][0]["valueCoding"]["code"] = "3"
    with pytest.raises(FhirInputError, match="different response was already saved"):
        _import(tenant_a, person, exported)


def test_a_response_about_another_of_our_people_is_refused(tenant_a: Tenant) -> None:
    person = _person(tenant_a)
    other = _person(tenant_a, "P-002")
    resource = _our_response(some_answers(PHQ9))
    resource["subject"] = {"reference": f"Patient/{patient_id(other.pk)}"}
    with pytest.raises(FhirInputError, match="not the person it is being saved for"):
        _import(tenant_a, person, resource)


def test_an_import_completes_the_time_point_and_counts_in_outcomes(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    episode = _episode(tenant_a, person)
    point = _time_point(tenant_a, episode, "phq9")
    result = _import(tenant_a, person, fixture(SDC_RESPONSE), time_point=point)
    point.refresh_from_db()
    assert point.status == TimePoint.Status.COMPLETED
    assert result.administration.episode == episode
    assert OutcomeScore.objects.get(administration=result.administration).value == 10


def test_another_organisations_person_is_404(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    theirs = _person(tenant_b)
    with pytest.raises(Http404):
        _import(tenant_a, theirs, fixture(SDC_RESPONSE))
    with pytest.raises(Http404):
        person_bundle(organisation=tenant_a.organisation, service_user=theirs)


def test_the_questionnaire_carries_the_organisations_own_wording_only_inside_it(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    supplied = made_up_wording(get_measure("who5"))
    MeasureWording.objects.create(
        organisation=tenant_a.organisation,
        measure_id="who5",
        measure_version="1",
        wording={
            "items": {i.id: i.text for i in supplied.items},
            "options": {
                rid: {str(o.code): o.label for o in rs.options}
                for rid, rs in supplied.response_sets.items()
            },
        },
        licence_reference="Made-up licence 1",
    )
    ours = questionnaire_for(organisation=tenant_a.organisation, measure_id="who5")
    theirs = questionnaire_for(organisation=tenant_b.organisation, measure_id="who5")
    assert ours["item"][0]["text"] == "Made-up question 1"
    assert "supplied by the organisation" in ours["copyright"]
    assert all("text" not in i for i in theirs["item"])
    assert validation_issues(ours) == [] and validation_issues(theirs) == []


def test_the_bundle_has_everything_for_the_person_and_is_valid(
    tenant_a: Tenant,
) -> None:
    person = _person(
        tenant_a,
        given_name="Ann",
        family_name="Example",
        date_of_birth=dt.date(1970, 2, 3),
        nhs_number="9434765919",
    )
    _import(tenant_a, person, fixture(SDC_RESPONSE))
    for measure in ("gad7", "eq5d5l"):
        defn = get_measure(measure)
        administration_submit(
            organisation=tenant_a.organisation,
            service_user=person,
            measure=defn,
            answers=some_answers(defn),
            mode="assisted",
            submission_id=f"web-{measure}",
        )
    result = person_bundle(organisation=tenant_a.organisation, service_user=person)
    assert validation_issues(result) == []
    kinds = [e["resource"]["resourceType"] for e in result["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 3
    assert kinds.count("Observation") == 1 + 1 + 2
    patient = result["entry"][0]["resource"]
    assert {
        "system": "https://fhir.nhs.uk/Id/nhs-number",
        "value": "9434765919",
    } in patient["identifier"]
    first = result["entry"][1]["resource"]
    assert first["questionnaire"] == "https://openproms.org/fhir/Questionnaire/phq9|1"
    phq9_total = result["entry"][2]["resource"]
    assert phq9_total["valueQuantity"]["value"] == 10


def test_no_nhs_number_goes_out_once_the_person_says_no_to_sharing_with_their_gp(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a, nhs_number="9434765919")
    Consent.objects.create(
        service_user=person, kind=Consent.Kind.SHARE_WITH_GP, given=False
    )
    text = json.dumps(
        person_bundle(organisation=tenant_a.organisation, service_user=person)
    )
    assert "9434765919" not in text
    Consent.objects.create(
        service_user=person, kind=Consent.Kind.SHARE_WITH_GP, given=True
    )
    text = json.dumps(
        person_bundle(organisation=tenant_a.organisation, service_user=person)
    )
    assert "9434765919" in text


def test_the_organisation_export_streams_every_resource_once(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    people = [_person(tenant_a, f"P-{n}") for n in range(3)]
    _person(tenant_b, "THEIRS")
    for n, person in enumerate(people):
        administration_submit(
            organisation=tenant_a.organisation,
            service_user=person,
            measure=PHQ9,
            answers=some_answers(PHQ9, shift=n),
            mode="assisted",
            submission_id=f"s-{n}",
        )
    resources = list(
        organisation_resources(organisation=tenant_a.organisation, chunk_size=2)
    )
    kinds = [r["resourceType"] for r in resources]
    assert kinds == ["Patient"] * 3 + ["QuestionnaireResponse", "Observation"] * 3
    assert all(validation_issues(r) == [] for r in resources)
    assert resources[3]["subject"] == {
        "reference": f"Patient/{patient_id(people[0].pk)}"
    }
    assert "THEIRS" not in json.dumps(resources)


def test_a_time_point_for_another_measure_or_person_is_refused(
    tenant_a: Tenant,
) -> None:
    person = _person(tenant_a)
    other = _person(tenant_a, "P-002")

    def point(owner: ServiceUser) -> TimePoint:
        return _time_point(tenant_a, _episode(tenant_a, owner), "gad7")

    with pytest.raises(
        FhirInputError, match="is for GAD-7, but the response answers PHQ-9"
    ):
        _import(tenant_a, person, fixture(SDC_RESPONSE), time_point=point(person))
    with pytest.raises(
        FhirInputError, match="the time point chosen is another person's"
    ):
        _import(tenant_a, person, fixture(SDC_RESPONSE), time_point=point(other))
    assert Administration.objects.count() == 0


def test_a_measure_the_organisation_does_not_have_is_named(tenant_a: Tenant) -> None:
    resource = _our_response(some_answers(PHQ9))
    resource["questionnaire"] = "https://openproms.org/fhir/Questionnaire/our_own|1"
    with pytest.raises(FhirInputError, match="Alpha Charity has no measure 'our_own'"):
        _import(tenant_a, _person(tenant_a), resource)
