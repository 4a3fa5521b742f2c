"""Individual change: reliable change, MID, caseness, recovery, and sentences."""

from __future__ import annotations

import copy
import math

import pytest

from openproms.scoring import (
    definition_from_dict,
    get_measure,
    individual_change,
    jacobson_truax_threshold,
    reliable_change_index,
    score_interval,
    standard_error_of_difference,
    standard_error_of_measurement,
)
from openproms.scoring.ladder import bespoke_definition


def test_sem_and_s_diff_follow_the_psyctc_formulas() -> None:
    # SEM = SD sqrt(1 - r); S_diff = sqrt(2 SEM^2) (psyctc.org; Jacobson & Truax 1991).
    assert standard_error_of_measurement(10, 0.84) == pytest.approx(4.0)
    assert standard_error_of_difference(4.0) == pytest.approx(4 * math.sqrt(2))
    assert jacobson_truax_threshold(10, 0.84) == pytest.approx(1.96 * 4 * math.sqrt(2))
    # 1.96 x S_diff = 2.77 x SEM (why WEMWBS papers quote "2.77 SEM").
    assert jacobson_truax_threshold(10, 0.84) / 4.0 == pytest.approx(2.772, abs=1e-3)
    assert reliable_change_index(20, 10, 10, 0.84) == pytest.approx(
        -10 / (4 * math.sqrt(2))
    )


def test_phq9_fall_of_six_from_caseness_is_reliable_recovery() -> None:
    c = individual_change(get_measure("phq9"), "total", 18, 9)
    assert (c.delta, c.direction, c.reliable, c.reliable_improvement) == (
        -9,
        "improved",
        True,
        True,
    )
    assert (c.case_before, c.case_after, c.recovered, c.reliable_recovery) == (
        True,
        False,
        True,
        True,
    )
    assert c.person_sentence == (
        "Your score fell by 9 points, from 18 to 9. On this questionnaire a lower score "
        "is better, so this is a move in the right direction. Changes of 6 or more are "
        "usually a real change, not chance."
    )
    assert "reliable improvement" in c.clinician_sentence
    assert "recovered (reliable recovery)" in c.clinician_sentence
    # Caseness is said plainly, the right way round (not "Case at end: no (Above
    # the ... threshold)").
    assert (
        "Caseness (10 or more): a case at the start, not a case at the end; "
        "recovered (reliable recovery)." in c.clinician_sentence
    )
    assert "Above the" not in c.clinician_sentence


def test_phq9_fall_of_five_is_not_reliable() -> None:
    c = individual_change(get_measure("phq9"), "total", 14, 9)
    assert c.reliable is False
    assert c.recovered is True
    assert c.reliable_recovery is False
    assert "not a reliable change" in c.clinician_sentence


def test_iapt_reliable_change_uses_or_more_so_exactly_the_threshold_counts() -> None:
    assert individual_change(get_measure("gad7"), "total", 12, 8).reliable is True
    assert individual_change(get_measure("gad7"), "total", 12, 9).reliable is False


def test_deterioration_on_an_unverified_threshold_says_so() -> None:
    c = individual_change(get_measure("phq9"), "total", 8, 15)
    assert c.reliable_deterioration is True
    assert c.deterioration_verified is False
    assert "has not yet been checked against its published source" in c.person_sentence
    assert "deterioration unverified" in c.clinician_sentence


def test_an_unverified_reliable_change_threshold_is_flagged_in_both_sentences() -> None:
    raw = copy.deepcopy(dict(get_measure("core10").raw))
    raw["scales"][0]["reliable_change"]["source"] = {
        "citation": "Often quoted as 6 points",
        "url": None,
        "confidence": "unverified",
    }
    c = individual_change(definition_from_dict(raw), "clinical", 20, 12)
    assert c.threshold_verified is False
    assert "not yet been checked" in c.person_sentence
    assert "[UNVERIFIED threshold]" in c.clinician_sentence
    assert "the reliable-change threshold is not verified" in c.caveats


def test_core10_reliable_change_of_six_is_verified_in_barkham_2013() -> None:
    # "reliable change index (90% CI) of 6" (Barkham et al. 2013, abstract).
    c = individual_change(get_measure("core10"), "clinical", 20, 12)
    assert (c.threshold, c.threshold_verified, c.reliable) == (6, True, True)
    assert "[UNVERIFIED threshold]" not in c.clinician_sentence
    assert "Barkham" in c.clinician_sentence


def test_wemwbs_has_a_mid_but_no_reliable_change_threshold() -> None:
    c = individual_change(get_measure("wemwbs"), "total", 40, 44)
    assert c.reliable is None
    assert (c.mid, c.meaningful) == (3, True)
    assert c.person_sentence == (
        "Your score rose by 4 points, from 40 to 44. On this questionnaire a higher score "
        "is better, so this is a move in the right direction. Changes of 3 or more are "
        "usually large enough to matter."
    )


def test_a_measure_without_thresholds_gives_no_verdict() -> None:
    c = individual_change(get_measure("ucla3"), "total", 7, 5)
    assert c.reliable is None and c.meaningful is None
    assert "no agreed figure" in c.person_sentence
    assert "no verdict given" in c.clinician_sentence


def test_an_unverified_direction_is_not_called_better_or_worse() -> None:
    c = individual_change(get_measure("mycaw"), "concern_1", 5, 2)
    assert "right direction" not in c.person_sentence
    assert "which direction is better is not verified" in " ".join(c.caveats)


def test_no_change_is_described_plainly() -> None:
    c = individual_change(get_measure("phq9"), "total", 7, 7)
    assert c.direction == "no_change"
    assert c.person_sentence.startswith("Your score is the same as last time (7).")


def test_swemwbs_reliable_change_and_measurement_error_in_clinician_sentence() -> None:
    c = individual_change(get_measure("swemwbs"), "metric", 19.98, 23.21)
    assert c.reliable is True  # 3.23 >= 2.87 (Shah et al. 2018)
    assert c.s_diff == pytest.approx(1.03 * math.sqrt(2))
    assert "the standard error of the difference is 1.46" in c.clinician_sentence
    assert "S_diff" not in c.clinician_sentence


def test_scores_outside_the_range_and_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="outside the range"):
        individual_change(get_measure("phq9"), "total", 3, 28)
    with pytest.raises(ValueError, match="profile"):
        individual_change(get_measure("eq5d5l"), "profile", 11111, 21111)


def test_jacobson_truax_threshold_is_used_when_sd_and_reliability_are_given() -> None:
    raw = dict(get_measure("openproms_life_ladder").raw)
    raw = {**raw, "kind": "bespoke", "id": "bespoke_rc"}
    scales = [dict(s) for s in raw["scales"]]
    scales[-1]["reliable_change"] = {
        "sd": 1.5,
        "reliability": 0.84,
        "source": {"citation": "Our own pilot data", "confidence": "verified"},
    }
    raw["scales"] = scales
    defn = bespoke_definition(raw)
    c = individual_change(defn, "overall", 4.0, 6.0)
    assert c.threshold_method == "jacobson_truax"
    assert c.threshold == pytest.approx(1.96 * 0.6 * math.sqrt(2))  # 1.663
    assert c.reliable is True
    assert (
        "1.96 times the standard error of the difference (Jacobson & Truax)"
        in c.clinician_sentence
    )


def test_interval_uses_the_promis_standard_error_for_that_t_score() -> None:
    iv = score_interval(get_measure("promis_global10"), "physical", 39.8)
    assert iv is not None
    assert iv.sem == 4.1
    assert (iv.low, iv.high) == pytest.approx((39.8 - 1.96 * 4.1, 39.8 + 1.96 * 4.1))


def test_interval_is_clipped_to_the_scale_and_absent_without_a_sem() -> None:
    iv = score_interval(get_measure("swemwbs"), "metric", 35.0)
    assert iv is not None and iv.high == 35.0
    assert score_interval(get_measure("ons4"), "life_satisfaction", 7) is None
