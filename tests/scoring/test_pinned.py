"""Published scoring rules pinned to their sources (each test cites where from)."""

from __future__ import annotations

import pytest

from openproms.scoring import get_measure, score_response


def _all(prefix: str, n: int, code: int) -> dict[str, object]:
    return {f"{prefix}_{i}": code for i in range(1, n + 1)}


# SWEMWBS raw -> metric conversion (Rasch), as published by Warwick Medical School and
# reproduced identically by >= 6 public implementations (measures guide §2,
# swemwbs_conversion.csv; e.g. danlewer/aow_adolescent_mh swemwbs_metric_lookup.csv).
SWEMWBS_METRIC = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25,
    22: 19.98, 23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03,
    29: 26.02, 30: 27.03, 31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


def _swemwbs_answers(raw: int) -> dict[str, object]:
    codes = [1] * 7
    extra = raw - 7
    for j in range(7):
        add = min(4, extra)
        codes[j] += add
        extra -= add
    return {f"swemwbs_{j + 1}": c for j, c in enumerate(codes)}


@pytest.mark.parametrize("raw", sorted(SWEMWBS_METRIC))
def test_swemwbs_raw_sum_converts_to_the_published_metric_score(raw: int) -> None:
    result = score_response(get_measure("swemwbs"), _swemwbs_answers(raw))
    assert result["metric"].value == SWEMWBS_METRIC[raw]


def test_swemwbs_with_one_item_missing_has_no_score() -> None:
    # Conversion valid only for complete 7-item responses (measures guide §2).
    answers = _swemwbs_answers(20)
    answers["swemwbs_4"] = None
    result = score_response(get_measure("swemwbs"), answers)
    assert result["metric"].value is None
    assert "all 7 are needed" in (result["metric"].reason or "")


# ONS4 thresholds: ONS FOI "A set of annual UK SWB score distributions".
@pytest.mark.parametrize(
    ("scale", "score", "band"),
    [
        ("life_satisfaction", 0, "Low"), ("life_satisfaction", 4, "Low"),
        ("life_satisfaction", 5, "Medium"), ("life_satisfaction", 6, "Medium"),
        ("worthwhile", 7, "High"), ("worthwhile", 8, "High"),
        ("happiness", 9, "Very high"), ("happiness", 10, "Very high"),
        ("anxiety", 0, "Very low"), ("anxiety", 1, "Very low"), ("anxiety", 2, "Low"),
        ("anxiety", 3, "Low"), ("anxiety", 4, "Medium"), ("anxiety", 5, "Medium"),
        ("anxiety", 6, "High"), ("anxiety", 10, "High"),
    ],
)  # fmt: skip
def test_ons4_scores_fall_in_the_ons_bands(scale: str, score: int, band: str) -> None:
    result = score_response(get_measure("ons4"), {f"ons4_{scale}": score})
    assert result[scale].value == score
    assert result[scale].band == band


def test_ons4_anxiety_is_banded_the_other_way_round() -> None:
    d = get_measure("ons4")
    assert d.scale("anxiety").direction == "higher_is_worse"
    assert d.scale("happiness").direction == "higher_is_better"


def _phq9(total: int) -> dict[str, object]:
    codes = [0] * 9
    left = total
    for j in range(8):  # keep item 9 at 0 so no alert
        codes[j] = min(3, left)
        left -= codes[j]
    assert left == 0
    return {f"phq9_{j + 1}": c for j, c in enumerate(codes)}


# PHQ-9 severity: LOINC LL382-3 (Kroenke 2001); caseness >= 10: NHS Talking Therapies.
@pytest.mark.parametrize(
    ("total", "band", "case"),
    [
        (0, "None to minimal", False), (4, "None to minimal", False), (5, "Mild", False),
        (9, "Mild", False), (10, "Moderate", True), (14, "Moderate", True),
        (15, "Moderately severe", True), (19, "Moderately severe", True),
        (20, "Severe", True), (24, "Severe", True),
    ],
)  # fmt: skip
def test_phq9_totals_get_loinc_bands_and_iapt_caseness(
    total: int, band: str, case: bool
) -> None:
    r = score_response(get_measure("phq9"), _phq9(total))["total"]
    assert (r.value, r.band, r.case) == (total, band, case)


def test_phq9_item_9_above_zero_raises_a_risk_alert() -> None:
    answers = _phq9(3)
    answers["phq9_9"] = 1
    alerts = score_response(get_measure("phq9"), answers).alerts
    assert [a.item_id for a in alerts] == ["phq9_9"]
    assert not score_response(get_measure("phq9"), _phq9(3)).alerts


def test_phq9_difficulty_item_is_asked_but_not_scored() -> None:
    answers = _phq9(12)
    answers["phq9_difficulty"] = 3
    assert score_response(get_measure("phq9"), answers)["total"].value == 12


def test_iapt_reliable_change_thresholds_are_6_for_phq9_and_4_for_gad7() -> None:
    # NHS Talking Therapies Manual (via cbtwatch.com); Gyani et al. 2013.
    phq = get_measure("phq9").scale("total").reliable_change
    gad = get_measure("gad7").scale("total").reliable_change
    assert phq is not None and phq.threshold == 6
    assert gad is not None and gad.threshold == 4
    assert get_measure("gad7").scale("total").caseness.threshold == 8  # type: ignore[union-attr]


# GAD-7 bands 5/10/15 (Spitzer et al. 2006); caseness >= 8 (NHS Talking Therapies).
@pytest.mark.parametrize(
    ("total", "band", "case"),
    [(4, "Minimal", False), (5, "Mild", False), (7, "Mild", False), (8, "Mild", True),
     (9, "Mild", True), (10, "Moderate", True), (14, "Moderate", True),
     (15, "Severe", True), (21, "Severe", True)],
)  # fmt: skip
def test_gad7_totals_get_spitzer_bands_and_iapt_caseness(
    total: int, band: str, case: bool
) -> None:
    codes = [min(3, max(0, total - 3 * j)) for j in range(7)]
    r = score_response(
        get_measure("gad7"), {f"gad7_{j + 1}": c for j, c in enumerate(codes)}
    )
    assert (r["total"].value, r["total"].band, r["total"].case) == (total, band, case)


# PHQ-4: Kroenke 2009 / Löwe 2010 (awell-score phq_4 README): 0-2 normal, 3-5 mild,
# 6-8 moderate, 9-12 severe; each subscale >= 3 positive.
@pytest.mark.parametrize(
    ("codes", "band", "anxiety_case", "depression_case"),
    [
        ((0, 0, 1, 1), "Normal", False, False),
        ((1, 2, 0, 0), "Mild", True, False),
        ((0, 1, 2, 2), "Mild", False, True),
        ((3, 3, 0, 0), "Moderate", True, False),
        ((2, 2, 2, 2), "Moderate", True, True),
        ((3, 3, 3, 0), "Severe", True, True),
        ((3, 3, 3, 3), "Severe", True, True),
    ],
)
def test_phq4_total_bands_and_subscale_screens(
    codes: tuple[int, ...], band: str, anxiety_case: bool, depression_case: bool
) -> None:
    r = score_response(
        get_measure("phq4"), {f"phq4_{j + 1}": c for j, c in enumerate(codes)}
    )
    assert r["total"].value == sum(codes)
    assert r["total"].band == band
    assert r["anxiety"].case is anxiety_case
    assert r["depression"].case is depression_case


# CORE-10: CORE System Trust, "What's in a name (1)": clinical score = mean x 10;
# prorate with one item missing; no score with two or more. Items 2 and 3 reversed
# (CamCOPS core10.py).
def test_core10_complete_score_is_the_sum_with_items_2_and_3_reversed() -> None:
    answers = {f"core10_{i}": 0 for i in range(1, 11)}
    result = score_response(get_measure("core10"), answers)["clinical"]
    assert result.value == 8.0  # items 2 and 3 answered 0 score 4 each
    assert not result.prorated


def test_core10_one_missing_item_is_prorated() -> None:
    codes = [3, 1, 1, 2, 2, 0, 3, 2, 2]  # item 10 missing; items 2, 3 reverse to 3
    answers: dict[str, object] = {f"core10_{i + 1}": c for i, c in enumerate(codes)}
    result = score_response(get_measure("core10"), answers)["clinical"]
    assert result.value == 22.2  # 20 / 9 x 10 = 22.22, reported to 1 decimal
    assert result.prorated
    assert result.items_missing == ("core10_10",)
    assert result.band == "Moderate to severe"


def test_core10_two_missing_items_give_no_score() -> None:
    answers: dict[str, object] = {f"core10_{i}": 2 for i in range(1, 9)}
    result = score_response(get_measure("core10"), answers)["clinical"]
    assert result.value is None
    assert result.reason == "2 of 10 items not answered; at most 1 may be missing"


# Oxford Hip / Knee: NHS PROMs 0-4 scoring, 0-48; > 2 missing -> no score; 1-2 missing
# -> the mean of the other answers stands in (awell-score READMEs citing OUI).
@pytest.mark.parametrize("measure", ["oxford_hip", "oxford_knee"])
def test_oxford_missing_item_rule(measure: str) -> None:
    d = get_measure(measure)
    prefix = "ohs" if measure == "oxford_hip" else "oks"
    full = {f"{prefix}_{i}": 4 for i in range(1, 13)}
    assert score_response(d, full)["total"].value == 48
    one = dict(full, **{f"{prefix}_12": None, f"{prefix}_11": 2})
    assert score_response(d, one)["total"].value == 45.82  # 42 x 12 / 11
    two = {f"{prefix}_{i}": 3 for i in range(1, 11)}
    r = score_response(d, two)["total"]
    assert (r.value, r.prorated) == (36.0, True)
    three = {f"{prefix}_{i}": 3 for i in range(1, 10)}
    assert score_response(d, three)["total"].value is None


def test_oxford_knee_bands_follow_kalairajah() -> None:
    d = get_measure("oxford_knee")
    for total, band in [(19, "Severe"), (20, "Moderate to severe"), (39, "Mild to moderate"),
                        (40, "Satisfactory")]:  # fmt: skip
        codes = [min(4, max(0, total - 4 * j)) for j in range(12)]
        r = score_response(d, {f"oks_{j + 1}": c for j, c in enumerate(codes)})["total"]
        assert (r.value, r.band) == (total, band)


# EPDS: items 1, 2, 4 score 0-3 top to bottom; items 3, 5-10 reverse-scored 3-0
# (RCPsych scoring text; CamCOPS epds.py). Item 10 > 0 -> further assessment.
def test_epds_reversed_items_score_top_answer_as_3() -> None:
    d = get_measure("epds")
    top = score_response(d, _all("epds", 10, 0))
    assert top["total"].value == 21  # seven reversed items x 3
    bottom = score_response(d, _all("epds", 10, 3))
    assert bottom["total"].value == 9  # items 1, 2, 4 x 3
    assert [a.item_id for a in top.alerts] == ["epds_10"]
    assert bottom.alerts == ()


def test_epds_cut_off_13_marks_possible_depression() -> None:
    d = get_measure("epds")
    answers = _all("epds", 10, 3)  # 9 points
    answers["epds_3"] = 0  # reversed: +3 -> 12
    assert score_response(d, answers)["total"].case is False
    answers["epds_5"] = 2  # reversed: +1 -> 13
    r = score_response(d, answers)["total"]
    assert (r.value, r.case, r.band) == (13, True, "Likely depression: assess further")


# WHO-5: raw 0-25, percentage = raw x 4; < 50% (raw < 13) poor wellbeing
# (awell-score who_5 README citing WHO 2024 and Topp 2015; CORC).
def test_who5_percentage_is_raw_times_four() -> None:
    d = get_measure("who5")
    r = score_response(
        d, {"who5_1": 5, "who5_2": 3, "who5_3": 2, "who5_4": 2, "who5_5": 1}
    )
    assert r["raw"].value == 13
    assert r["percentage"].value == 52
    assert r["percentage"].case is False
    r = score_response(
        d, {"who5_1": 5, "who5_2": 3, "who5_3": 2, "who5_4": 2, "who5_5": 0}
    )
    assert (r["raw"].value, r["percentage"].value, r["percentage"].case) == (
        12,
        48,
        True,
    )


# PROMIS Global Health v1.2 raw -> T (awell-score t_score_tables.ts; Stanford CHOIR),
# Global07 pain 0-10 recoded 0->5, 1-3->4, 4-6->3, 7-9->2, 10->1.
@pytest.mark.parametrize(
    ("code", "pain", "gph", "gmh"),
    [(1, 10, 16.2, 21.2), (3, 5, 39.8, 43.5), (4, 2, 50.8, 53.3), (5, 0, 67.7, 67.6)],
)
def test_promis_global_health_raw_scores_convert_to_t_scores(
    code: int, pain: int, gph: float, gmh: float
) -> None:
    items = ["global01", "global02", "global03", "global04", "global05", "global06",
             "global08r", "global09r", "global10r"]  # fmt: skip
    answers: dict[str, object] = dict.fromkeys(items, code)
    answers["global07"] = pain
    r = score_response(get_measure("promis_global10"), answers)
    assert r["physical"].value == gph
    assert r["mental"].value == gmh


@pytest.mark.parametrize(("pain", "recoded"), [(0, 5), (1, 4), (3, 4), (4, 3), (6, 3),
                                               (7, 2), (9, 2), (10, 1)])  # fmt: skip
def test_promis_pain_rating_is_recoded_to_one_to_five(pain: int, recoded: int) -> None:
    answers = {"global03": 1, "global06": 1, "global08r": 1, "global07": pain}
    r = score_response(get_measure("promis_global10"), answers)["physical"]
    table = {4: 16.2, 5: 19.9, 6: 23.5, 7: 26.7, 8: 29.6}
    assert r.value == table[3 + recoded]


# RAND-36: RAND scoring instructions worked example (energy/fatigue 23=4, 27=3, 29=3,
# 31 blank -> (40 + 60 + 40) / 3 = 46.7).
def test_rand36_averages_answered_items_after_rand_recoding() -> None:
    r = score_response(
        get_measure("rand36"), {"rand36_23": 4, "rand36_27": 3, "rand36_29": 3}
    )
    assert r["energy_fatigue"].value == 46.67
    assert r["physical_functioning"].value is None


def test_rand36_best_answers_score_100_on_every_scale() -> None:
    best = {1: 1, 20: 1, 22: 1, 34: 1, 36: 1, 21: 1, 23: 1, 26: 1, 27: 1, 30: 1,
            24: 6, 25: 6, 28: 6, 29: 6, 31: 6, 32: 5, 33: 5, 35: 5}  # fmt: skip
    answers: dict[str, object] = {f"rand36_{i}": 3 for i in range(3, 13)}
    answers.update({f"rand36_{i}": 2 for i in range(13, 20)})
    answers.update({f"rand36_{i}": c for i, c in best.items()})
    r = score_response(get_measure("rand36"), answers)
    assert all(s.value == 100 for s in r.scales.values())


def test_eq5d5l_profile_is_the_five_levels_side_by_side() -> None:
    dims = ["mobility", "self_care", "usual_activities", "pain_discomfort",
            "anxiety_depression"]  # fmt: skip
    answers: dict[str, object] = {
        f"eq5d_{k}": c for k, c in zip(dims, [2, 1, 1, 4, 3], strict=True)
    }
    answers["eq_vas"] = 70
    r = score_response(get_measure("eq5d5l"), answers)
    assert r["profile"].value == 21143
    assert r["vas"].value == 70


def test_dialog_scores_are_means_with_satisfaction_bands() -> None:
    answers: dict[str, object] = {f"dialog_{i}": 4 for i in range(1, 9)}
    answers.update({"dialog_9": 5, "dialog_10": 4, "dialog_11": 4})
    r = score_response(get_measure("dialog"), answers)
    assert (r["quality_of_life"].value, r["quality_of_life"].band) == (4.0, "Neutral")
    assert (r["treatment_satisfaction"].value, r["treatment_satisfaction"].band) == (
        4.33,
        "Satisfied",
    )
