"""Measurement error: every SEM the library gives, pinned to its published source,
and a plain reason wherever no figure exists.

Figures and sources (shared/guide/reliability-for-sem.md, [V] rows, re-read in the
stored abstracts):

* PHQ-9: Löwe et al. 2004, Med Care 42:1194, MCID for individual change "estimated
  as 2 standard errors of measurement, was 5 points" -> SEM 2.5.
* GAD-7: Bischoff et al. 2020, Psychology, Community & Health 8:176, reliable change
  index 5.59 (Jacobson & Truax, 1.96 x sqrt(2) x SEM) -> SEM 2.02.
* CORE-10: Barkham et al. 2013, Couns Psychother Res 13:3, alpha 0.90, reliable
  change index 6 at 90% (1.645 x sqrt(2) x SEM) -> SEM 2.58.
* WEMWBS: alpha 0.91 (Tennant et al. 2007, HQLO 5:63, Scottish population sample)
  and SD 8.96 (Scottish Health Survey 2018, Table 1.2) -> SEM 2.69.
* SWEMWBS: published SEM 1.03 (Shah et al. 2018, HQLO 16:239).
* DIALOG: alpha 0.71 / 0.57 (Priebe et al. 2012, BMC Psychiatry 12:113) and SD
  1.1 / 1.17 (Mosler et al. 2020, BMC Health Serv Res) -> SEM 0.59 / 0.77.
* OHS / OKS: published SEM 2.7 / 2.1 (Browne, Bastaki & Dawson 2013, HQLO 11:128).
* WHO-5: minimal detectable change 23.60 on 0-100 (Schougaard et al. 2018, HQLO,
  doi 10.1186/s12955-018-1001-0) -> SEM 8.51 (percentage), 2.13 (raw).
* EPDS: reliable change index 4 (Matthey 2004, J Affect Disord 78) -> SEM 1.44.
* K10 (test-retest ICC 0.89, Aust Psychol 2021) and ReQoL-10 (test-retest above
  0.85, Keetharuth et al. 2018, BJPsych 212:42): reliability published, no SD with
  a known population, so no SEM.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import pytest

from openproms.scoring import (
    DefinitionError,
    caseness_phrase,
    default_library,
    definition_from_dict,
    get_measure,
    has_measurement_error,
    margin_text,
    no_sem_reason,
    scale_measurement_error,
    score_interval,
)

RCI95 = 1.96 * math.sqrt(2)
RCI90 = 1.645 * math.sqrt(2)


def _error(measure: str, scale: str):  # type: ignore[no-untyped-def]
    found = scale_measurement_error(get_measure(measure).scale(scale))
    assert found is not None, (measure, scale)
    return found


def _cited(error: Any, *words: str) -> None:
    text = " ".join(f"{s.citation} {s.url or ''}" for s in error.sources)
    for word in words:
        assert word in text, (word, text)
    assert all(s.confidence == "verified" for s in error.sources)


def test_phq9_sem_is_half_the_five_point_mcid_that_loewe_2004_calls_two_sems() -> None:
    error = _error("phq9", "total")
    assert error.sem == pytest.approx(2.5)
    assert error.basis == "published_change"
    _cited(error, "Löwe", "Med Care", "10.1097/00005650-200412000-00006")
    assert margin_text(get_measure("phq9").scale("total"), error) == (
        "+/- 5 points, 95%"
    )


def test_gad7_sem_comes_from_the_bischoff_2020_reliable_change_index() -> None:
    error = _error("gad7", "total")
    assert error.sem == pytest.approx(5.59 / RCI95)
    assert error.sem == pytest.approx(2.02, abs=0.005)
    _cited(error, "Bischoff", "10.5964/pch.v8i1.309")
    assert margin_text(get_measure("gad7").scale("total"), error) == (
        "+/- 4 points, 95%"
    )
    rel = get_measure("gad7").scale("total").reliability
    assert rel is not None and (rel.value, rel.kind) == (0.87, "test_retest")


def test_core10_sem_comes_from_barkham_2013_reliable_change_at_90_percent() -> None:
    scale = get_measure("core10").scale("clinical")
    error = _error("core10", "clinical")
    assert error.sem == pytest.approx(6 / RCI90)
    assert error.sem == pytest.approx(2.58, abs=0.005)
    _cited(error, "Barkham", "10.1080/14733145.2012.729069")
    assert margin_text(scale, error) == "+/- 5.1 points, 95%"
    assert scale.reliability is not None and scale.reliability.value == 0.90
    # The reliable-change threshold and the cut-off now cite the same paper.
    assert scale.reliable_change is not None and scale.caseness is not None
    assert "Barkham" in scale.reliable_change.source.citation
    assert scale.reliable_change.source.confidence == "verified"
    assert "Barkham" in scale.caseness.source.citation


def test_wemwbs_sem_is_the_scottish_sd_times_root_one_minus_tennants_alpha() -> None:
    scale = get_measure("wemwbs").scale("total")
    error = _error("wemwbs", "total")
    assert scale.reliability is not None and scale.reference_sd is not None
    assert (scale.reliability.value, scale.reference_sd.value) == (0.91, 8.96)
    # SEM = SD x sqrt(1 - r) = 8.96 x 0.3
    assert error.sem == pytest.approx(8.96 * math.sqrt(1 - 0.91))
    assert error.sem == pytest.approx(2.688)
    assert error.basis == "reliability_and_sd"
    _cited(error, "Tennant", "Scottish Health Survey 2018", "Table 1.2")
    assert margin_text(scale, error) == "+/- 5 points, 95%"


def test_dialog_sems_come_from_priebes_alpha_and_the_elft_routine_sd() -> None:
    life = _error("dialog", "quality_of_life")
    treatment = _error("dialog", "treatment_satisfaction")
    assert life.sem == pytest.approx(1.1 * math.sqrt(1 - 0.71))
    assert treatment.sem == pytest.approx(1.17 * math.sqrt(1 - 0.57))
    for error in (life, treatment):
        _cited(error, "Priebe", "Mosler")


def test_published_sems_for_swemwbs_and_the_oxford_scores() -> None:
    assert _error("swemwbs", "metric").sem == 1.03
    _cited(_error("swemwbs", "metric"), "Shah")
    assert _error("oxford_hip", "total").sem == 2.7
    assert _error("oxford_knee", "total").sem == 2.1
    _cited(_error("oxford_hip", "total"), "Browne", "Health Qual Life Outcomes")


def test_who5_sem_comes_from_the_published_minimal_detectable_change() -> None:
    percentage = _error("who5", "percentage")
    raw = _error("who5", "raw")
    assert percentage.sem == pytest.approx(23.6 / RCI95)
    assert percentage.sem == pytest.approx(8.51, abs=0.005)
    assert raw.sem == pytest.approx(percentage.sem / 4)
    _cited(raw, "Schougaard", "10.1186/s12955-018-1001-0")
    assert margin_text(get_measure("who5").scale("percentage"), percentage) == (
        "+/- 17 percentage points, 95%"
    )


def test_epds_sem_and_reliable_change_come_from_matthey_2004() -> None:
    scale = get_measure("epds").scale("total")
    error = _error("epds", "total")
    assert error.sem == pytest.approx(4 / RCI95)
    _cited(error, "Matthey", "10.1016/S0165-0327(02)00313-0")
    assert scale.reliable_change is not None
    assert scale.reliable_change.threshold == 4


@pytest.mark.parametrize(
    ("measure", "scale", "value"),
    [("k10", "total", 0.89), ("reqol10", "total", 0.85)],
)
def test_a_published_reliability_without_an_sd_is_recorded_but_gives_no_band(
    measure: str, scale: str, value: float
) -> None:
    found = get_measure(measure).scale(scale)
    assert found.reliability is not None
    assert found.reliability.value == value
    assert found.reliability.kind == "test_retest"
    assert found.reliability.source.confidence == "verified"
    assert scale_measurement_error(found) is None
    reason = no_sem_reason(found)
    assert reason is not None and "spread of scores (SD)" in reason


@pytest.mark.parametrize(
    ("measure", "scale"),
    [
        ("ons4", "life_satisfaction"),
        ("ons4", "anxiety"),
        ("ucla3", "total"),
        ("phq2", "total"),
        ("gad2", "total"),
        ("mycaw", "concern_1"),
        ("openproms_life_ladder", "overall"),
        ("eq5d5l", "vas"),
        ("rand36", "pain"),
    ],
)
def test_scores_without_a_usable_published_figure_have_no_band_and_say_why(
    measure: str, scale: str
) -> None:
    found = get_measure(measure).scale(scale)
    assert not has_measurement_error(found)
    assert score_interval(get_measure(measure), scale, found.range_max) is None
    reason = no_sem_reason(found)
    assert reason and reason.endswith(".")


def test_every_scale_gives_an_sem_or_a_plain_reason_with_no_ids() -> None:
    for d in default_library():
        for s in d.scales:
            reason = no_sem_reason(s)
            assert has_measurement_error(s) == (reason is None), (d.key, s.id)
            if reason is not None:
                assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", reason), reason


def test_every_measurement_error_figure_is_verified_and_cited() -> None:
    for d in default_library():
        for s in d.scales:
            for part in (s.sem, s.sem_from_change, s.reliability, s.reference_sd):
                if part is not None:
                    assert part.source.citation, (d.key, s.id)
                    assert part.source.confidence == "verified", (d.key, s.id)


def test_the_margin_is_said_in_the_scales_own_units() -> None:
    swemwbs = get_measure("swemwbs").scale("metric")
    assert margin_text(swemwbs, _error("swemwbs", "metric")) == (
        "+/- 2.0 metric points, 95%"
    )
    promis = get_measure("promis_global10")
    interval = score_interval(promis, "physical", 39.8)
    assert interval is not None
    assert margin_text(promis.scale("physical"), interval.error) == (
        "+/- 8.0 T-score points, 95%"
    )


def test_caseness_is_said_the_right_way_round() -> None:
    gad7 = get_measure("gad7").scale("total").caseness
    assert gad7 is not None
    assert caseness_phrase(gad7, 3) == "below the caseness threshold (8 or more)"
    assert caseness_phrase(gad7, 8) == (
        "at or above the caseness threshold (8 or more)"
    )
    reqol = get_measure("reqol10").scale("total").caseness
    assert reqol is not None
    assert caseness_phrase(reqol, 20) == (
        "below the caseness threshold (a case is below 24)"
    )
    assert caseness_phrase(reqol, 30) == (
        "at or above the caseness threshold (a case is below 24)"
    )


# ---------------------------------------------------------------- validation


def _with_scale(measure: str, **changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(dict(get_measure(measure).raw))
    scale = raw["scales"][0]
    for key, value in changes.items():
        if value is None:
            scale.pop(key, None)
        else:
            scale[key] = value
    return raw


SOURCE = {"citation": "A paper", "url": None, "confidence": "verified"}


def _problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as e:
        definition_from_dict(raw)
    return list(e.value.problems)


def test_a_published_sem_and_a_change_figure_together_are_refused() -> None:
    raw = _with_scale("gad7", sem={"value": 2.0, "source": SOURCE})
    assert any("not both" in p for p in _problems(raw))


def test_a_reference_sd_without_a_reliability_is_refused() -> None:
    raw = _with_scale(
        "ucla3", reference_sd={"value": 2.0, "population": "Adults", "source": SOURCE}
    )
    assert any("reference_sd needs a reliability" in p for p in _problems(raw))


def test_a_no_band_reason_beside_a_figure_that_gives_one_is_refused() -> None:
    raw = _with_scale("phq9", no_sem_reason="None published.")
    assert any("no_sem_reason says there is no SEM" in p for p in _problems(raw))


def test_a_change_figure_must_say_which_multiple_of_the_sem_it_is() -> None:
    change = {"value": 5, "figure": "MCID", "equals": "3 x SEM", "source": SOURCE}
    raw = _with_scale("phq9", sem_from_change=change)
    assert any("sem_from_change/equals" in p for p in _problems(raw))


def test_a_profile_cannot_have_an_sem() -> None:
    raw = copy.deepcopy(dict(get_measure("eq5d5l").raw))
    raw["scales"][0]["sem"] = {"value": 1.0, "source": SOURCE}
    assert any("profile is a label" in p for p in _problems(raw))
