"""Research extracts: only people who agreed to research and are not restricted,
under the project's pseudonyms, with only the chosen fields and no names, NHS
numbers or dates of birth; downloadable by the approver only, once approved and
until the project expires; every download audited; CSV, Parquet and a data
dictionary that describes every column."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.models import Membership
from openproms.accounts.policy import Role
from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from openproms.sharing import pseudonyms
from openproms.sharing.models import ResearchProject
from openproms.sharing.research_consent import research_consent_record
from tests.conftest import Tenant, make_user, verified_client
from tests.people import factories
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

PHQ9 = {f"phq9_{n}": 1 for n in range(1, 10)} | {"phq9_difficulty": 1}


def _agree(person: ServiceUser, given: bool, days_ago: int = 10) -> None:
    research_consent_record(
        service_user=person,
        given=given,
        decided_on=timezone.localdate() - dt.timedelta(days=days_ago),
        note="",
        actor=None,
    )


def _person(tenant: Tenant, reference: str, **fields: Any) -> ServiceUser:
    person = factories.on_caseload(
        tenant,
        reference,
        given_name=f"Given{reference}",
        family_name=f"Family{reference}",
        nhs_number=fields.pop("nhs_number", ""),
        date_of_birth=dt.date(1970, 4, 3),
        **fields,
    )
    for days in (60, 30):
        # Noon on the local day: "now less 60 days" late in the evening falls on
        # the next local day when a clock change lies between.
        day = timezone.localdate() - dt.timedelta(days=days)
        factories.answered(
            tenant,
            person,
            "phq9",
            PHQ9,
            when=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
        )
    return person


@pytest.fixture
def people(tenant_a: Tenant) -> dict[str, ServiceUser]:
    agreed = _person(tenant_a, "A1", nhs_number="9434765919")
    changed_mind = _person(tenant_a, "A2")
    never_asked = _person(tenant_a, "A3")
    restricted = _person(tenant_a, "A4")
    second = _person(tenant_a, "A5")
    _agree(agreed, True)
    _agree(changed_mind, True, days_ago=20)
    _agree(changed_mind, False, days_ago=5)
    _agree(restricted, True)
    ServiceUser.objects.filter(pk=restricted.pk).update(restricted_at=timezone.now())
    _agree(second, True)
    return {
        "agreed": agreed,
        "changed_mind": changed_mind,
        "never_asked": never_asked,
        "restricted": restricted,
        "second": second,
    }


def _project(tenant: Tenant, **fields: Any) -> ResearchProject:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "organisation": tenant.organisation,
        "name": "Outcomes study",
        "purpose": "How scores change.",
        "approver": tenant.members["org_admin"].user,
        "approval_date": today - dt.timedelta(days=3),
        "expiry_date": today + dt.timedelta(days=90),
        "fields": ["age_band", "sex", "answered_on", "episode_start", "band"],
        "shift_dates": True,
        "approved_at": timezone.now(),
    }
    values.update(fields)
    return ResearchProject.objects.create(**values)


def _url(name: str, project: ResearchProject) -> str:
    return reverse(
        f"sharing:{name}",
        kwargs={"org_slug": project.organisation.slug, "project_pk": project.pk},
    )


def _csv(tenant: Tenant, project: ResearchProject) -> list[dict[str, str]]:
    client = verified_client(tenant.members["org_admin"].user)
    response = client.get(_url("research_extract_csv", project))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def test_only_people_who_agreed_and_are_not_restricted_are_in_the_extract(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    rows = _csv(tenant_a, project)
    expected = {
        pseudonyms.pseudonym(project.secret, people[k].pk) for k in ("agreed", "second")
    }
    assert {row["person"] for row in rows} == expected
    assert len(rows) == 2 * 2 * len(default_library().get("phq9").scales)


def test_the_extract_has_no_names_nhs_numbers_dates_of_birth_or_keys(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    client = verified_client(tenant_a.members["org_admin"].user)
    text = b"".join(
        client.get(_url("research_extract_csv", project)).streaming_content  # type: ignore[attr-defined]
    ).decode()
    for person in people.values():
        assert person.given_name not in text and person.family_name not in text
        assert person.reference not in text
    assert "9434765919" not in text and "1970-04-03" not in text
    header = text.splitlines()[0].split(",")
    assert header == [
        "person",
        "age_band",
        "sex",
        "episode_start",
        "answered_on",
        "measure",
        "scale",
        "score",
        "band",
    ]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["age_band"] for row in rows} == {"55 to 64"}
    assert {row["measure"] for row in rows} == {"PHQ-9"}


def test_dates_are_shifted_the_same_for_each_person_keeping_intervals(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    person = people["agreed"]
    shift = pseudonyms.date_shift(project.secret, person.pk)
    mine = [
        r
        for r in _csv(tenant_a, project)
        if r["person"] == pseudonyms.pseudonym(project.secret, person.pk)
    ]
    start = person.episodes.get().start_date
    assert {r["episode_start"] for r in mine} == {
        (start + dt.timedelta(days=shift)).isoformat()
    }
    answered = sorted({dt.date.fromisoformat(r["answered_on"]) for r in mine})
    assert (answered[1] - answered[0]).days == 30
    real = timezone.localdate() - dt.timedelta(days=60)
    assert answered[0] == real + dt.timedelta(days=shift)

    unshifted = _project(tenant_a, name="No shift", shift_dates=False)
    dates = {r["answered_on"] for r in _csv(tenant_a, unshifted)}
    assert real.isoformat() in dates


def test_a_person_has_another_pseudonym_in_another_project(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    one = {r["person"] for r in _csv(tenant_a, _project(tenant_a))}
    two = {r["person"] for r in _csv(tenant_a, _project(tenant_a, name="Second"))}
    assert len(one) == len(two) == 2 and not one & two


def test_the_parquet_extract_holds_the_same_rows_with_types(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.get(_url("research_extract_parquet", project))
    assert response.status_code == 200
    table = pq.read_table(io.BytesIO(response.content))
    rows = _csv(tenant_a, project)
    assert table.num_rows == len(rows)
    assert table.column_names == list(rows[0])
    assert str(table.schema.field("answered_on").type) == "date32[day]"
    assert str(table.schema.field("score").type) == "double"
    assert sorted(table.column("person").to_pylist()) == sorted(
        r["person"] for r in rows
    )


def test_the_data_dictionary_describes_every_column(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    client = verified_client(tenant_a.members["org_admin"].user)
    dictionary = list(
        csv.DictReader(
            io.StringIO(
                client.get(_url("research_dictionary_csv", project)).content.decode()
            )
        )
    )
    assert [d["column"] for d in dictionary] == list(_csv(tenant_a, project)[0])
    assert all(d["label"] and d["description"] for d in dictionary)
    shifted = next(d for d in dictionary if d["column"] == "answered_on")
    assert "Shifted" in shifted["description"]
    markdown = client.get(
        _url("research_dictionary_markdown", project)
    ).content.decode()
    assert "| answered_on | Date answered | date |" in markdown


def test_only_the_approver_may_download(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    other_admin = make_user("second-admin@alpha.test", "Second Admin")
    Membership.objects.create(
        user=other_admin, organisation=tenant_a.organisation, role=Role.ORG_ADMIN
    )
    client = verified_client(other_admin)
    for name in ("research_extract_csv", "research_extract_parquet"):
        response = client.get(_url(name, project))
        assert response.status_code == 403
        assert "Only the project's approver" in visible_text(response.content)
    assert client.post(_url("research_approve", project)).status_code == 403
    assert not AuditEvent.objects.filter(action="research_extract.download").exists()


def test_an_unapproved_project_is_approved_by_its_approver_then_downloads(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a, approved_at=None)
    client = verified_client(tenant_a.members["org_admin"].user)
    refused = client.get(_url("research_extract_csv", project))
    assert refused.status_code == 403
    assert "not been approved" in refused.content.decode()
    assert client.post(_url("research_approve", project)).status_code == 302
    project.refresh_from_db()
    assert project.approved_at is not None
    assert client.get(_url("research_extract_csv", project)).status_code == 200


def test_an_expired_project_refuses_downloads_with_a_plain_message(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    today = timezone.localdate()
    project = _project(
        tenant_a,
        approval_date=today - dt.timedelta(days=400),
        expiry_date=today - dt.timedelta(days=1),
    )
    client = verified_client(tenant_a.members["org_admin"].user)
    response = client.get(_url("research_extract_parquet", project))
    assert response.status_code == 403
    words = (today - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert f"This project expired on {words}" in response.content.decode()
    page = client.get(_url("research_detail", project)).content.decode()
    assert "can no longer be downloaded" in page


def test_every_download_is_audited_with_the_people_in_it(
    tenant_a: Tenant, people: dict[str, ServiceUser]
) -> None:
    project = _project(tenant_a)
    _csv(tenant_a, project)
    client = verified_client(tenant_a.members["org_admin"].user)
    client.get(_url("research_extract_parquet", project))
    client.get(_url("research_dictionary_csv", project))
    events = AuditEvent.objects.filter(action="research_extract.download").order_by(
        "pk"
    )
    assert [e.detail["what"] for e in events] == [
        "extract (CSV)",
        "extract (Parquet)",
        "data dictionary (CSV)",
    ]
    assert events[0].people == f"|{people['agreed'].pk}|{people['second'].pk}|"
    assert events[0].organisation == tenant_a.organisation


def test_a_project_is_recorded_with_a_clear_message_for_each_problem(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["org_admin"].user)
    url = reverse("sharing:research_create", kwargs={"org_slug": "alpha"})
    worker = tenant_a.members["worker"].user
    bad = client.post(
        url,
        {
            "name": "",
            "purpose": "Study",
            "approver": str(worker.pk),
            "approval_date": "01/04/2026",
            "expiry_date": "31/02/2026",
            "fields": ["age_band", "postcode"],
        },
    )
    assert bad.status_code == 400
    text = visible_text(bad.content)
    assert "Enter the project's name" in text
    assert "Choose an approver from the list" in text
    assert "Enter the date the project expires as a real date" in text
    assert not ResearchProject.objects.exists()

    today = timezone.localdate()
    good = client.post(
        url,
        {
            "name": "Course study",
            "purpose": "How the course helps.",
            "approver": str(tenant_a.members["org_admin"].user.pk),
            "approval_date": today.strftime("%d/%m/%Y"),
            "expiry_date": (today + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
            "fields": ["age_band", "service"],
            "shift_dates": "on",
        },
    )
    assert good.status_code == 302
    project = ResearchProject.objects.get()
    assert project.fields == ["age_band", "service"] and project.shift_dates
    assert project.approved_at is None and len(project.secret) == 64
    page = client.get(good["Location"])
    assert internal_ids_in(visible_text(page.content), list(default_library())) == []
    assert "Approve the project" in page.content.decode()


def test_a_research_consent_decision_is_recorded_from_the_person_page(
    tenant_a: Tenant,
) -> None:
    person = factories.on_caseload(tenant_a, "C1", given_name="Cara")
    client = verified_client(tenant_a.members["worker"].user)
    url = reverse(
        "sharing:research_consent_create",
        kwargs={"org_slug": "alpha", "person_pk": person.pk},
    )
    assert client.post(url, {"decided_on": "01/01/2025"}).status_code == 400
    response = client.post(url, {"given": "yes", "decided_on": "01/01/2025"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "To use their answers for research" in page and "Agreed" in page
    assert AuditEvent.objects.filter(action="research_consent.record").exists()
