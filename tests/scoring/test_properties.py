"""Rules stated generally, checked for every library measure with hypothesis.

For every measure: scores stay in range; the vectorised path equals the scalar path
row for row (float and integer inputs); reverse-keyed items push the score the other
way; more missing items than the rule allows gives no score.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.scoring import (
    MeasureDefinition,
    default_library,
    get_measure,
    score_response,
    score_table,
)
from openproms.scoring.definitions import Scale

KEYS = [(d.id, d.version) for d in default_library()]
# Capped so the whole scoring suite stays well under a minute on CI's 2 cores.
FAST = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
QUICK = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def answers_for(
    defn: MeasureDefinition, *, complete: bool = False
) -> st.SearchStrategy[dict[str, int | None]]:
    parts: dict[str, st.SearchStrategy[int | None]] = {}
    for item in defn.items:
        codes = st.sampled_from(sorted(item.response_set.codes))
        parts[item.id] = (
            codes if complete else st.one_of(st.none(), codes, codes, codes)
        )
    return st.fixed_dictionaries(parts)  # type: ignore[arg-type]


def as_float_columns(
    defn: MeasureDefinition, rows: list[dict[str, int | None]]
) -> dict[str, np.ndarray]:
    return {
        i: np.array([math.nan if r[i] is None else float(r[i]) for r in rows])  # type: ignore[arg-type]
        for i in defn.item_ids
    }


@pytest.mark.parametrize(("measure_id", "version"), KEYS)
@FAST
@given(data=st.data())
def test_scores_stay_in_range_and_vector_equals_scalar(
    measure_id: str, version: str, data: st.DataObject
) -> None:
    defn = get_measure(measure_id, version)
    rows = data.draw(st.lists(answers_for(defn), min_size=1, max_size=8))
    scalar = [score_response(defn, r) for r in rows]
    table = score_table(defn, as_float_columns(defn, rows))
    assert table.valid.all()
    assert table.errors == []
    for i, expected in enumerate(scalar):
        assert table.row(i) == expected
        for s in defn.scales:
            v = expected[s.id].value
            if v is not None:
                assert s.range_min <= v <= s.range_max


@pytest.mark.parametrize(("measure_id", "version"), KEYS)
@QUICK
@given(data=st.data())
def test_integer_arrays_take_the_fast_path_with_identical_results(
    measure_id: str, version: str, data: st.DataObject
) -> None:
    defn = get_measure(measure_id, version)
    rows = data.draw(st.lists(answers_for(defn, complete=True), min_size=1, max_size=8))
    arr = np.array([[r[i] for i in defn.item_ids] for r in rows], dtype=np.int16)
    table = score_table(defn, arr)
    for i, r in enumerate(rows):
        assert table.row(i) == score_response(defn, r)


def _monotone_scales(defn: MeasureDefinition) -> list[Scale]:
    return [s for s in defn.scales if s.method != "profile" and not s.recode]


@pytest.mark.parametrize(("measure_id", "version"), KEYS)
@QUICK
@given(data=st.data())
def test_reversed_items_push_the_score_down_and_others_push_it_up(
    measure_id: str, version: str, data: st.DataObject
) -> None:
    defn = get_measure(measure_id, version)
    scales = _monotone_scales(defn)
    if not scales:
        return
    base = data.draw(answers_for(defn, complete=True))
    scale = data.draw(st.sampled_from(scales))
    item_id = data.draw(st.sampled_from(scale.items))
    rs = defn.item(item_id).response_set
    low = score_response(defn, dict(base, **{item_id: rs.min}))[scale.id].value
    high = score_response(defn, dict(base, **{item_id: rs.max}))[scale.id].value
    assert low is not None and high is not None
    if item_id in scale.reverse:
        assert high < low
    else:
        assert high > low or (scale.decimals is not None and high >= low)


@pytest.mark.parametrize(("measure_id", "version"), KEYS)
@QUICK
@given(data=st.data())
def test_too_many_missing_items_give_no_score(
    measure_id: str, version: str, data: st.DataObject
) -> None:
    defn = get_measure(measure_id, version)
    answers = data.draw(answers_for(defn, complete=True))
    scale = data.draw(st.sampled_from(defn.scales))
    n_drop = scale.missing.max_missing + 1
    dropped = data.draw(st.permutations(scale.items))[:n_drop]
    for i in dropped:
        answers[i] = None
    result = score_response(defn, answers)[scale.id]
    assert result.value is None
    assert (
        result.reason is not None and f"{n_drop} of {len(scale.items)}" in result.reason
    )
    table = score_table(defn, as_float_columns(defn, [answers]))
    assert math.isnan(table.scales[scale.id].value[0])
    assert table.row(0) == score_response(defn, answers)


@pytest.mark.parametrize(("measure_id", "version"), KEYS)
@QUICK
@given(data=st.data())
def test_a_bad_value_invalidates_only_its_row_in_a_batch(
    measure_id: str, version: str, data: st.DataObject
) -> None:
    defn = get_measure(measure_id, version)
    rows = data.draw(st.lists(answers_for(defn, complete=True), min_size=2, max_size=5))
    item = data.draw(st.sampled_from(defn.items))
    bad_row = data.draw(st.integers(0, len(rows) - 1))
    cols = as_float_columns(defn, rows)
    cols[item.id][bad_row] = item.response_set.max + 1
    table = score_table(defn, cols)
    assert table.valid.tolist() == [i != bad_row for i in range(len(rows))]
    assert [(e.row, e.item_id) for e in table.errors] == [(bad_row + 1, item.id)]
    assert table.row(bad_row) is None
