"""The clinician summary: figures from the engine, measurement-error bands, verdicts,
caseness and the text for the clinical record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.scoring import get_measure, individual_change, score_interval
from tests.conftest import Tenant, verified_client
from tests.people.factories import on_caseload, person
from tests.reports import phq9_answers, scored, swemwbs_answers

pytestmark = pytest.mark.django_db


def _url(pk: int, slug: str = "alpha") -> str:
    return reverse(
        "reports:clinician_summary", kwargs={"org_slug": slug, "person_pk": pk}
    )


def _person(tenant: Tenant):  # type: ignore[no-untyped-def]
    who = on_caseload(tenant, "C1", given_name="Cal", family_name="Moss")
    scored(tenant, who, "phq9", phq9_answers(18), 60)
    scored(tenant, who, "phq9", phq9_answers(7), 30)
    scored(tenant, who, "phq9", phq9_answers(15), 1)
    scored(tenant, who, "swemwbs", swemwbs_answers(2), 50)
    scored(tenant, who, "swemwbs", swemwbs_answers(3), 2)
    return who


def test_the_summary_gives_the_engines_verdicts_first_and_previous_against_latest(
    tenant_a: Tenant,
) -> None:
    who = _person(tenant_a)
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    assert page.status_code == 200
    phq9 = next(b for b in page.context["blocks"] if b["scale"].measure_id == "phq9")
    first = individual_change(get_measure("phq9"), "total", 18, 15)
    last = individual_change(get_measure("phq9"), "total", 7, 15)
    assert phq9["scale"].first_change == first
    assert phq9["scale"].last_change == last
    assert phq9["first"] == "No reliable change (-3)"
    assert phq9["last"] == "Reliable deterioration (+8)"
    text = page.content.decode()
    assert first.clinician_sentence.replace("->", "-&gt;") in text


def test_the_summary_shows_the_sem_band_or_says_there_is_none(
    tenant_a: Tenant,
) -> None:
    who = _person(tenant_a)
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    blocks = {b["scale"].measure_id: b for b in page.context["blocks"]}
    swemwbs = blocks["swemwbs"]["scale"]
    for point in swemwbs.points:
        expected = score_interval(get_measure("swemwbs"), "metric", point.value)
        assert point.interval == expected
    assert "errorbar" in str(blocks["swemwbs"]["spec_json"])
    # PHQ-9's definition has no SEM: the page says so, and draws no band.
    assert blocks["phq9"]["scale"].has_sem is False
    assert "errorbar" not in str(blocks["phq9"]["spec_json"])
    text = page.content.decode()
    assert "gives no standard error of measurement" in text
    assert blocks["phq9"]["rows"][0][2] == "No SEM"


def test_the_record_text_has_scores_verdicts_caseness_and_verified_snomed_codes(
    tenant_a: Tenant,
) -> None:
    who = _person(tenant_a)
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    record = page.context["text"]
    assert "ref C1" in record
    assert "PHQ-9 total [SNOMED CT 720433000]: 18 (" in record
    assert "First vs latest: No reliable change (-3)." in record
    assert "Previous vs latest: Reliable deterioration (+8)." in record
    assert "Latest: a case" in record
    assert "SNOMED CT 718466001" in record
    # no internal NHS codes other than verified SNOMED CT ones
    assert "LOINC" not in record and "44261-6" not in record
    html = page.content.decode()
    assert (
        '<textarea class="nhsuk-textarea" id="record-text" rows="8" readonly>' in html
    )
    assert '<button type="button"' in html and ">Copy</button>" in html


def test_the_summary_is_caseload_scoped_and_tenant_walled(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    outsider = person(tenant_a, "X1")
    other_org = on_caseload(tenant_b, "B1")
    worker = verified_client(tenant_a.members["worker"].user)
    assert worker.get(_url(outsider.pk)).status_code == 404
    assert worker.get(_url(other_org.pk)).status_code == 404
    manager = verified_client(tenant_a.members["manager"].user)
    assert manager.get(_url(outsider.pk)).status_code == 200


def test_a_person_with_no_scores_gets_an_empty_summary(tenant_a: Tenant) -> None:
    who = on_caseload(tenant_a, "E1")
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    assert page.status_code == 200
    assert "No scored measures yet." in page.content.decode()


def test_the_person_page_links_to_the_sheet_and_the_summary(tenant_a: Tenant) -> None:
    who = on_caseload(tenant_a, "L1")
    page = verified_client(tenant_a.members["worker"].user).get(
        f"/o/alpha/people/{who.pk}/"
    )
    text = page.content.decode()
    assert f"/o/alpha/people/{who.pk}/progress-sheet.pdf" in text
    assert "Progress sheet (PDF)" in text and "Clinician summary" in text
