"""Group paired change: means, intervals, reliable change, recovery, histograms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from openproms.scoring import MeasureDefinition, get_measure, individual_change
from openproms.scoring.ladder import bespoke_definition
from openproms.stats import (
    PairedScore,
    ScoreArrays,
    follow_up_capture,
    nice_bin_width,
    paired_change,
)

PHQ9 = get_measure("phq9")

# Ten PHQ-9 pairs worked by hand against the NHS Talking Therapies rules (caseness
# >= 10, reliable change 6 or more points; lower is better).
PHQ9_PAIRS = [
    (18, 9),  # improved 9: reliable improvement, recovered, reliable recovery
    (12, 8),  # improved 4: not reliable; recovered (case -> not case)
    (20, 14),  # improved 6 (exactly the threshold): reliable, still a case
    (9, 4),  # not a case at first: not in the recovery denominator
    (15, 22),  # worse 7: reliable deterioration
    (10, 10),  # no change
    (25, 19),  # improved 6: reliable, still a case
    (11, 3),  # improved 8: reliable recovery
    (6, 11),  # worse 5: not reliable; became a case
    (14, 9),  # improved 5: not reliable; recovered
]


def test_phq9_worked_example() -> None:
    r = paired_change(PHQ9, "total", PHQ9_PAIRS)
    first = np.array([p[0] for p in PHQ9_PAIRS], dtype=float)
    latest = np.array([p[1] for p in PHQ9_PAIRS], dtype=float)
    assert r.n == 10
    assert r.mean_first == pytest.approx(14.0)
    assert r.mean_latest == pytest.approx(10.9)
    assert r.mean_change is not None
    assert r.mean_change.value == pytest.approx(-3.1)
    low, high = sps.t.interval(
        0.95, 9, loc=(latest - first).mean(), scale=sps.sem(latest - first)
    )
    assert (r.mean_change.low, r.mean_change.high) == pytest.approx((low, high))
    assert r.effect_size is not None
    assert r.effect_size.value == pytest.approx(-3.1 / first.std(ddof=1))
    assert r.effect_size_dz is not None
    assert r.effect_size_dz.value == pytest.approx(-3.1 / (latest - first).std(ddof=1))
    assert r.correlation == pytest.approx(float(np.corrcoef(first, latest)[0, 1]))
    assert r.reliable is not None
    assert (r.reliable.improved, r.reliable.no_change, r.reliable.deteriorated) == (
        4,
        5,
        1,
    )
    assert r.reliable.threshold == 6 and r.reliable.method == "raw"
    assert r.reliable.share(r.reliable.improved) == pytest.approx(0.4)
    assert r.recovery is not None
    assert r.recovery.cases_at_first == 8
    assert r.recovery.recovered == 4
    assert r.recovery.reliably_recovered == 2
    assert r.recovery.share(r.recovery.recovered) == pytest.approx(0.5)
    # The deterioration threshold is recalled by symmetry, not verified: say so.
    assert not r.reliable.deterioration_verified
    assert "the reliable-deterioration threshold is not verified" in r.caveats
    assert r.higher_is_better is False


def test_histograms_by_band_and_by_fixed_width_count_everyone() -> None:
    r = paired_change(PHQ9, "total", PHQ9_PAIRS, bin_width=5)
    assert r.bands is not None
    assert r.bands.labels[0] == "None to minimal"
    assert sum(r.bands.first) == sum(r.bands.latest) == r.bands.n == 10
    # PHQ-9 bands 0-4, 5-9, 10-14, 15-19, 20-27.
    assert r.bands.first == (0, 2, 4, 2, 2)
    assert r.bands.latest == (2, 3, 3, 1, 1)
    assert r.bins.edges == (0, 5, 10, 15, 20, 25, 27)
    assert r.bins.labels[-1] == "25 to 27"  # the last bin holds the maximum
    assert r.bins.first == (0, 2, 4, 2, 1, 1)
    assert sum(r.bins.latest) == 10


def test_default_bin_width_is_a_round_number() -> None:
    assert nice_bin_width(PHQ9.scale("total")) == 2
    assert nice_bin_width(get_measure("wemwbs").scale("total")) == 5
    assert nice_bin_width(get_measure("eq5d5l").scale("vas")) == 10


def test_pairs_may_be_paired_scores_with_dates_and_groups() -> None:
    pairs = [PairedScore(a, b, groups={"worker": "A"}) for a, b in PHQ9_PAIRS]
    assert paired_change(PHQ9, "total", pairs) == paired_change(
        PHQ9, "total", PHQ9_PAIRS
    )


def test_pairs_may_be_two_arrays_of_scores() -> None:
    first = np.array([a for a, _ in PHQ9_PAIRS], dtype=float)
    latest = np.array([b for _, b in PHQ9_PAIRS], dtype=float)
    arrays = ScoreArrays(first, latest)
    assert len(arrays) == 10
    assert paired_change(PHQ9, "total", arrays) == paired_change(
        PHQ9, "total", PHQ9_PAIRS
    )
    with pytest.raises(ValueError, match="equal length"):
        ScoreArrays(first, latest[:-1])
    with pytest.raises(ValueError, match="outside the range"):
        paired_change(PHQ9, "total", ScoreArrays(first, latest + 20))


def test_small_groups_still_carry_their_n_and_no_interval() -> None:
    empty = paired_change(PHQ9, "total", [])
    assert empty.n == 0 and empty.mean_first is None and empty.mean_change is None
    assert empty.reliable is not None and empty.reliable.share(0) is None
    assert empty.recovery is not None and empty.recovery.share(0) is None
    one = paired_change(PHQ9, "total", [(12, 5)])
    assert one.n == 1 and one.mean_change is None and one.effect_size is None
    same = paired_change(PHQ9, "total", [(12, 5), (12, 7), (12, 9)])
    assert same.effect_size is None  # baseline SD 0: no standardised effect
    assert same.effect_size_dz is not None


def test_a_measure_without_a_threshold_gives_no_reliable_counts() -> None:
    r = paired_change(get_measure("wemwbs"), "total", [(40, 45), (50, 52)])
    assert r.reliable is None and r.recovery is None
    assert "no reliable-change threshold: no reliable change counts" in r.caveats
    assert r.higher_is_better


def test_jacobson_truax_thresholds_come_from_the_definition() -> None:
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
    r = paired_change(defn, "overall", [(4.0, 6.0), (5.0, 6.0), (7.0, 3.0)])
    assert r.reliable is not None
    assert r.reliable.method == "jacobson_truax"
    assert r.reliable.threshold == pytest.approx(1.96 * 0.6 * math.sqrt(2))
    assert (r.reliable.improved, r.reliable.no_change, r.reliable.deteriorated) == (
        1,
        1,
        1,
    )


def test_bad_pairs_fail_loudly() -> None:
    with pytest.raises(ValueError, match="pair 2: 3 -> 28 is outside the range"):
        paired_change(PHQ9, "total", [(3, 4), (3, 28)])
    with pytest.raises(ValueError, match="two scores"):
        paired_change(PHQ9, "total", [(3, math.nan)])
    with pytest.raises(ValueError, match="profile"):
        paired_change(get_measure("eq5d5l"), "profile", [(11111, 21111)])
    with pytest.raises(ValueError, match="bin_width"):
        paired_change(PHQ9, "total", [(3, 4)], bin_width=0)


def test_follow_up_capture_flags_low_capture_without_counts_in_the_message() -> None:
    ok = follow_up_capture(40, 30)
    assert ok.share == pytest.approx(0.75) and not ok.low and ok.message is None
    low = follow_up_capture(40, 19)
    assert low.low and low.message is not None
    assert "50%" in low.message and "19" not in low.message and "40" not in low.message
    assert follow_up_capture(40, 30, min_share=0.8).low
    assert follow_up_capture(0, 0).share is None
    with pytest.raises(ValueError):
        follow_up_capture(3, 4)
    with pytest.raises(ValueError):
        follow_up_capture(3, 2, min_share=1.5)


MEASURES_WITH_THRESHOLDS = [
    get_measure(m) for m in ("phq9", "gad7", "core10", "oxford_hip", "swemwbs")
]


@st.composite
def measure_and_pairs(
    draw: st.DrawFn,
) -> tuple[MeasureDefinition, str, list[tuple[float, float]]]:
    defn = draw(st.sampled_from(MEASURES_WITH_THRESHOLDS))
    scale = next(s for s in defn.scales if s.reliable_change is not None)
    step = 10.0 ** -(scale.decimals or 0)
    lo, hi = round(scale.range_min / step), round(scale.range_max / step)
    value = st.integers(lo, hi).map(lambda k: round(k * step, scale.decimals or 0))
    pairs = draw(st.lists(st.tuples(value, value), max_size=40))
    return defn, scale.id, pairs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(measure_and_pairs())
def test_group_counts_equal_the_sum_of_individual_verdicts(
    case: tuple[MeasureDefinition, str, list[tuple[float, float]]],
) -> None:
    defn, scale_id, pairs = case
    r = paired_change(defn, scale_id, pairs)
    people = [individual_change(defn, scale_id, a, b) for a, b in pairs]
    assert r.reliable is not None
    assert r.reliable.improved == sum(bool(c.reliable_improvement) for c in people)
    assert r.reliable.deteriorated == sum(
        bool(c.reliable_deterioration) for c in people
    )
    assert r.reliable.improved + r.reliable.no_change + r.reliable.deteriorated == r.n
    if r.recovery is not None:
        assert r.recovery.cases_at_first == sum(bool(c.case_before) for c in people)
        assert r.recovery.recovered == sum(bool(c.recovered) for c in people)
        assert r.recovery.reliably_recovered == sum(
            bool(c.reliable_recovery) for c in people
        )
    assert sum(r.bins.first) == sum(r.bins.latest) == r.n == len(pairs)
    if r.bands is not None:
        assert sum(r.bands.first) == sum(r.bands.latest) == r.n
