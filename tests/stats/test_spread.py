"""The median and quartiles (Hyndman and Fan definition 7, R's default)."""

from __future__ import annotations

import statistics

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openproms.stats.spread import quartiles


def test_quartiles_match_r_quantile_type_7() -> None:
    # R: quantile(c(2, 4, 6, 10), c(0.25, 0.5, 0.75)) gives 3.5, 5, 7.
    found = quartiles([10, 2, 6, 4])
    assert found is not None
    assert (found.lower, found.median, found.upper, found.n) == (3.5, 5, 7, 4)
    assert found.iqr == 3.5


def test_one_value_is_its_own_median_and_quartiles_and_none_gives_none() -> None:
    found = quartiles([4.25])
    assert found is not None and found.lower == found.median == found.upper == 4.25
    assert quartiles([]) is None


# A shared machine can be slow to draw examples: the property, not the speed,
# is under test.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=2, max_size=30
    )
)
def test_quartiles_agree_with_python_inclusive_quantiles(values: list[float]) -> None:
    found = quartiles(values)
    assert found is not None
    lower, middle, upper = statistics.quantiles(values, n=4, method="inclusive")
    for ours, theirs in (
        (found.lower, lower),
        (found.median, middle),
        (found.upper, upper),
    ):
        assert abs(ours - theirs) <= 1e-9 * max(1.0, abs(theirs))
    assert found.lower <= found.median <= found.upper
    assert min(values) <= found.lower and found.upper <= max(values)
