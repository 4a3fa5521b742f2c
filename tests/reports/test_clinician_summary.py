"""The clinician summary: figures from the engine, measurement-error bands, verdicts,
caseness and the text for the clinical record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from openproms.reports.charts import score_history_chart
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


def _ons4(level: int) -> dict[str, int]:
    return {
        "ons4_life_satisfaction": level,
        "ons4_worthwhile": level,
        "ons4_happiness": level,
        "ons4_anxiety": 10 - level,
    }


def _blocks(tenant: Tenant, who) -> dict[tuple[str, str], dict]:  # type: ignore[no-untyped-def]
    page = verified_client(tenant.members["worker"].user).get(_url(who.pk))
    return {
        (b["scale"].measure_id, b["scale"].scale.id): b for b in page.context["blocks"]
    }


def test_a_band_is_drawn_where_the_definition_gives_an_sem(tenant_a: Tenant) -> None:
    who = _person(tenant_a)
    blocks = _blocks(tenant_a, who)
    phq9 = blocks[("phq9", "total")]
    # PHQ-9: SEM 2.5, half the 5-point MCID Löwe et al. 2004 give as 2 SEM.
    for point in phq9["scale"].points:
        assert point.interval is not None
        assert point.interval.sem == pytest.approx(2.5)
        assert point.interval.low == pytest.approx(max(0, point.value - 4.9))
        assert point.interval.high == pytest.approx(min(27, point.value + 4.9))
        expected = score_interval(get_measure("phq9"), "total", point.value)
        assert point.interval == expected
    assert phq9["spec"]["title"]["text"] == (
        "PHQ-9 total with 95% measurement-error band"
    )
    assert any(layer["mark"]["type"] == "errorbar" for layer in phq9["spec"]["layer"])
    assert phq9["error_words"] == "+/- 5 points, 95%"
    assert phq9["rows"][0][2] == "13.1 to 22.9"
    swemwbs = blocks[("swemwbs", "metric")]
    assert "with 95% measurement-error band" in swemwbs["spec"]["title"]["text"]


def test_no_band_is_claimed_where_none_is_drawn_and_the_page_says_why(
    tenant_a: Tenant,
) -> None:
    who = on_caseload(tenant_a, "N1")
    scored(tenant_a, who, "ons4", _ons4(4), 30)
    scored(tenant_a, who, "ons4", _ons4(6), 1)
    scored(tenant_a, who, "phq9", phq9_answers(12), 30)
    scored(tenant_a, who, "phq9", phq9_answers(6), 1)
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    blocks = page.context["blocks"]
    for block in blocks:
        title = block["spec"]["title"]["text"]
        drawn = any(
            layer["mark"]["type"] == "errorbar" for layer in block["spec"]["layer"]
        )
        assert ("band" in title) == drawn == block["band"], title
    ons4 = next(b for b in blocks if b["scale"].scale.id == "life_satisfaction")
    assert ons4["spec"]["title"]["text"] == "ONS4 Life satisfaction scores"
    assert ons4["columns"] == ["Date", "Score", "Score band", "Case"]
    assert (
        "No reliability has been published for this ONS question"
        in (ons4["no_band_reason"])
    )
    text = page.content.decode()
    assert "gives no standard error of measurement" not in text
    assert "No band" in text
    assert "No reliability has been published for this ONS question" in text
    # PHQ-9 on the same page keeps its band, with its source beside it.
    assert "Löwe B, Unützer J" in text


def test_the_record_text_states_the_measurement_error_and_caseness_plainly(
    tenant_a: Tenant,
) -> None:
    who = on_caseload(tenant_a, "R1")
    scored(tenant_a, who, "phq9", phq9_answers(12), 30)
    scored(tenant_a, who, "phq9", phq9_answers(6), 1)
    scored(tenant_a, who, "ons4", _ons4(6), 1)
    page = verified_client(tenant_a.members["worker"].user).get(_url(who.pk))
    record = page.context["text"]
    assert "  Latest: 6 (Mild); below the caseness threshold (10 or more)." in record
    assert "  Measurement error: +/- 5 points, 95%." in record
    assert (
        "  Measurement error: no band (no published figure to work it out from)."
        in record
    )
    # Never the old wording that read as if the person were above the threshold.
    assert "not a case (caseness" not in record
    assert "Above the" not in record
    assert "  First vs latest: Reliable improvement (-6)." in record
    assert "..\n" not in record and not record.endswith("..")


def test_a_scale_without_a_reliable_change_threshold_reads_cleanly_in_the_record(
    tenant_a: Tenant,
) -> None:
    who = on_caseload(tenant_a, "T1")
    scored(tenant_a, who, "ons4", _ons4(4), 30)
    scored(tenant_a, who, "ons4", _ons4(6), 1)
    record = (
        verified_client(tenant_a.members["worker"].user)
        .get(_url(who.pk))
        .context["text"]
    )
    assert (
        "  First vs latest: No reliable-change threshold in the definition.\n" in record
    )
    assert ".." not in record


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
    assert (
        "  Latest: 15 (Moderately severe); at or above the caseness threshold "
        "(10 or more)." in record
    )
    assert "  Measurement error: +/- 5 points, 95%." in record
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


def test_the_score_history_chart_is_titled_with_a_band_only_when_it_draws_one() -> None:
    with_band = score_history_chart(
        name="GAD-7 total",
        points=[
            {"date": "2026-01-01", "score": 11, "low": 7.05, "high": 14.95},
            {"date": "2026-02-01", "score": 8, "low": 4.05, "high": 11.95},
        ],
        domain=(0, 21),
    )
    assert with_band["title"]["text"] == "GAD-7 total with 95% measurement-error band"
    assert [layer["mark"]["type"] for layer in with_band["layer"]] == [
        "errorbar",
        "line",
    ]
    without = score_history_chart(
        name="ONS4 Happiness",
        points=[{"date": "2026-01-01", "score": 6}, {"date": "2026-02-01", "score": 7}],
        domain=(0, 10),
    )
    assert without["title"]["text"] == "ONS4 Happiness scores"
    assert [layer["mark"]["type"] for layer in without["layer"]] == ["line"]
