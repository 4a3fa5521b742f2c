"""Contracts: adding and editing them (validated, audited), and the burden view."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from openproms.accounts.models import CommissionerBody, Service
from openproms.accounts.policy import Role
from openproms.audit.models import AuditEvent
from openproms.catalogue.models import OrganisationMeasure
from openproms.reports.contract_burden import service_burden
from openproms.reports.models import Contract, ContractRequirement
from tests.conftest import Tenant, verified_client


def use(tenant: Tenant, *measure_ids: str) -> None:
    for measure_id in measure_ids:
        OrganisationMeasure.objects.create(
            organisation=tenant.organisation, measure_id=measure_id, measure_version="1"
        )


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"reports:{name}", kwargs={"org_slug": "alpha", **kwargs})


def valid(tenant: Tenant, body: CommissionerBody, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "commissioner": body.pk,
        "name": "Wellbeing contract",
        "reference": "ICB-1",
        "services": [tenant.service.pk],
        "start_date": "2025-04-01",
        "end_date": "2026-03-31",
        "disclosure_rule": "nhs",
        "measures": ["phq9", "phq2"],
        "time_points": "start_latest",
        "figures": ["reach", "mean_change", "reliable_change"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def body(db: None) -> CommissionerBody:
    return CommissionerBody.objects.create(name="North ICB", slug="north-icb")


@pytest.mark.django_db
def test_a_manager_adds_a_contract_with_its_requirements_and_it_is_audited(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    use(tenant_a, "phq9")
    client = verified_client(tenant_a.members[Role.MANAGER.value].user)
    assert client.get(url("contract_create")).status_code == 200
    response = client.post(url("contract_create"), valid(tenant_a, body))
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert contract.organisation == tenant_a.organisation
    assert contract.commissioner == body
    assert contract.include_pilot is False
    assert list(contract.services.all()) == [tenant_a.service]
    requirements = {r.measure_id: r for r in contract.requirements.all()}
    assert set(requirements) == {"phq9", "phq2"}  # PHQ-2 is derivable from PHQ-9
    assert requirements["phq2"].figures == ["reach", "mean_change", "reliable_change"]
    event = AuditEvent.objects.get(action="contract.create")
    assert event.organisation == tenant_a.organisation
    assert event.detail["requirements"]
    listing = client.get(url("contract_list"))
    assert b"Wellbeing contract" in listing.content


@pytest.mark.django_db
def test_editing_a_contract_changes_its_requirements_and_is_audited(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    use(tenant_a, "phq9", "gad7")
    client = verified_client(tenant_a.members[Role.ORG_ADMIN.value].user)
    client.post(url("contract_create"), valid(tenant_a, body))
    contract = Contract.objects.get()
    edit = url("contract_edit", contract_pk=contract.pk)
    form = client.get(edit)
    assert form.status_code == 200 and b"Wellbeing contract" in form.content
    response = client.post(
        edit,
        valid(
            tenant_a,
            body,
            name="Renamed",
            measures=["gad7"],
            time_points="start_exit",
            include_pilot="on",
            version=contract.version,
        ),
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert (
        contract.name == "Renamed" and contract.include_pilot and contract.version == 2
    )
    assert [(r.measure_id, r.time_points) for r in contract.requirements.all()] == [
        ("gad7", ContractRequirement.TimePoints.START_AND_EXIT)
    ]
    event = AuditEvent.objects.get(action="contract.update")
    assert event.detail["before"]["name"] == "Wellbeing contract"
    assert event.detail["after"]["name"] == "Renamed"
    stale = client.post(edit, valid(tenant_a, body, version=1))
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"name": ""}, b"Enter a name for the contract"),
        ({"commissioner": None}, b"Choose the commissioner who funds this contract"),
        ({"services": []}, b"Choose at least one service"),
        ({"start_date": "2025-02-30"}, b"Enter the start date as a real date"),
        (
            {"end_date": "2025-03-31"},
            b"The end date must be the same as or after the start date",
        ),
        ({"measures": []}, b"Choose at least one measure"),
        ({"measures": ["epds"]}, b"Select a valid choice"),
        ({"disclosure_rule": "lax"}, b"Select a valid choice"),
        ({"time_points": "never"}, b"Select a valid choice"),
        ({"figures": []}, b"Choose at least one figure"),
    ],
)
@pytest.mark.django_db
def test_bad_contract_input_is_a_400_naming_the_field(
    tenant_a: Tenant,
    body: CommissionerBody,
    changes: dict[str, Any],
    field_message: bytes,
) -> None:
    use(tenant_a, "phq9")
    client = verified_client(tenant_a.members[Role.MANAGER.value].user)
    response = client.post(url("contract_create"), valid(tenant_a, body, **changes))
    assert response.status_code == 400
    assert field_message in response.content
    assert not Contract.objects.exists()


@pytest.mark.django_db
def test_another_organisations_service_cannot_be_put_in_a_contract(
    tenant_a: Tenant, tenant_b: Tenant, body: CommissionerBody
) -> None:
    use(tenant_a, "phq9")
    client = verified_client(tenant_a.members[Role.MANAGER.value].user)
    response = client.post(
        url("contract_create"), valid(tenant_a, body, services=[tenant_b.service.pk])
    )
    assert response.status_code == 400
    assert not Contract.objects.exists()


@pytest.mark.django_db
def test_viewers_see_contracts_but_may_not_change_them(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    viewer = verified_client(tenant_a.members[Role.VIEWER.value].user)
    assert viewer.get(url("contract_list")).status_code == 200
    assert b"Add a contract" not in viewer.get(url("contract_list")).content
    assert viewer.get(url("contract_create")).status_code == 403


def _contract(
    tenant: Tenant,
    body: CommissionerBody,
    name: str,
    services: list[Service],
    measures: dict[str, str],
) -> Contract:
    contract = Contract.objects.create(
        organisation=tenant.organisation,
        commissioner=body,
        name=name,
        start_date="2025-04-01",
        end_date="2026-03-31",
    )
    contract.services.set(services)
    for measure_id, time_points in measures.items():
        ContractRequirement.objects.create(
            contract=contract, measure_id=measure_id, time_points=time_points
        )
    return contract


@pytest.mark.django_db
def test_the_burden_counts_questions_and_the_saving_from_derived_measures(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    council = CommissionerBody.objects.create(name="Council", slug="council")
    other = Service.objects.create(organisation=tenant_a.organisation, name="Other")
    _contract(
        tenant_a,
        body,
        "ICB",
        [tenant_a.service],
        {"phq9": "start_latest", "wemwbs": "start_exit"},
    )
    _contract(
        tenant_a,
        council,
        "Council",
        [tenant_a.service, other],
        {"phq2": "start_latest", "swemwbs": "start", "ons4": "start_latest"},
    )
    burden = service_burden(
        organisation=tenant_a.organisation, service=tenant_a.service
    )
    points = {p.key: p for p in burden.points}
    # At the start: PHQ-9 (10 questions, with the difficulty item), PHQ-2 (2, from
    # PHQ-9), WEMWBS (14), SWEMWBS (7, from WEMWBS), ONS4 (4).
    start = points["start"]
    assert start.items_separately == 10 + 2 + 14 + 7 + 4
    assert start.items_asked == 10 + 14 + 4
    assert start.items_saved == 9
    # At follow-ups: PHQ-9, PHQ-2 (from PHQ-9), ONS4.
    assert (points["follow_up"].items_asked, points["follow_up"].items_saved) == (14, 2)
    # At the end: WEMWBS only.
    assert (points["exit"].items_asked, points["exit"].items_saved) == (14, 0)
    assert any("saves each person 7 questions" in line for line in burden.summary)
    assert "2 contracts ask for 5 measures from this service." in burden.summary


@pytest.mark.django_db
def test_the_burden_page_shows_the_numbers(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    _contract(
        tenant_a, body, "ICB", [tenant_a.service], {"phq9": "start", "phq2": "start"}
    )
    client = verified_client(tenant_a.members[Role.VIEWER.value].user)
    page = client.get(url("service_burden", service_pk=tenant_a.service.pk))
    assert page.status_code == 200
    assert b'id="asked-start">10<' in page.content
    assert b'id="saved-start">2<' in page.content
    assert b"Worked out from the PHQ-9 answers" in page.content


@pytest.mark.django_db
def test_the_burden_of_a_service_with_no_contracts_says_so(
    tenant_a: Tenant,
) -> None:
    burden = service_burden(
        organisation=tenant_a.organisation, service=tenant_a.service
    )
    assert burden.points == []
    assert burden.summary == [
        "No contracts pay for this service yet, so nothing is required."
    ]


@pytest.mark.django_db
def test_a_measure_two_contracts_share_is_asked_once(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    council = CommissionerBody.objects.create(name="Council", slug="council")
    _contract(tenant_a, body, "ICB", [tenant_a.service], {"ons4": "start"})
    _contract(tenant_a, council, "Council", [tenant_a.service], {"ons4": "start"})
    burden = service_burden(
        organisation=tenant_a.organisation, service=tenant_a.service
    )
    (start,) = burden.points
    assert start.items_asked == 4
    assert start.measures[0].contracts == ["Council", "ICB"]
    assert (
        "At the start, collecting for each contract on its own would mean 8 questions "
        "per person; sharing the answers saves 4 questions." in burden.summary
    )


@pytest.mark.django_db
def test_the_contract_form_names_measures_and_takes_dates_day_first(
    tenant_a: Tenant, body: CommissionerBody
) -> None:
    use(tenant_a, "phq9", "gad7")
    client = verified_client(tenant_a.members[Role.MANAGER.value].user)
    page = client.get(url("contract_create")).content.decode()
    # A derived measure is named by the names of the measures it comes from.
    assert "PHQ-4 (from GAD-7 and PHQ-9 answers)" in page
    assert "phq9" not in page.replace('value="phq9"', "")
    assert 'type="date"' not in page
    response = client.post(
        url("contract_create"),
        valid(tenant_a, body, start_date="01/04/2025", end_date="31/03/2026"),
    )
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert (contract.start_date.isoformat(), contract.end_date.isoformat()) == (
        "2025-04-01",
        "2026-03-31",
    )
    edit = client.get(url("contract_edit", contract_pk=contract.pk)).content.decode()
    assert 'value="01/04/2025"' in edit and 'value="31/03/2026"' in edit
    listing = client.get(url("contract_list")).content.decode()
    assert "01/04/2025 to 31/03/2026" in listing
