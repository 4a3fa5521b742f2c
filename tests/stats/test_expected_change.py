"""Not on track: the quantile-regression band pinned to statsmodels' QuantReg,
the flag, too little data, and the words."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.regression.quantile_regression import QuantReg

from openproms.stats.expected_change import (
    MIN_PEOPLE,
    assess,
    check_loss,
    design,
    explanation,
    fit_expected,
    quantile_regression,
    uncertainty,
)
from openproms.stats.psychometrics import NotEnoughData


def history(people: int, seed: int = 1, per_person: int = 2):  # type: ignore[no-untyped-def]
    """Continuous made-up scores (no ties, so the solution is unique): later
    scores fall with time from where people start, with spread."""
    rng = np.random.default_rng(seed)
    n = people * per_person
    person = np.repeat(np.arange(people), per_person)
    first = np.repeat(rng.uniform(5, 27, people), per_person)
    weeks = rng.uniform(1, 30, n)
    later = 3 + 0.6 * first - 2 * np.log1p(weeks) + rng.normal(0, 4, n)
    return first, weeks, later, person


@pytest.mark.parametrize("tau", [0.1, 0.5, 0.9])
def test_coefficients_match_statsmodels_quantreg(tau):
    first, weeks, later, _ = history(400)
    x = design(first, weeks)
    ours = quantile_regression(x, later, tau)
    reference = QuantReg(later, x).fit(q=tau, max_iter=5000, p_tol=1e-10).params
    np.testing.assert_allclose(ours, reference, atol=1e-4)
    # Ours is at least as good a minimum of the check loss.
    assert (
        check_loss(later - x @ ours, tau)
        <= check_loss(later - x @ reference, tau) + 1e-6
    )


def test_a_line_through_points_is_found_exactly():
    # Koenker & Bassett: the median line of these five points passes through two.
    x = np.column_stack([np.ones(5), [1.0, 2, 3, 4, 5]])
    y = np.array([1.0, 2, 3, 4, 10])
    np.testing.assert_allclose(quantile_regression(x, y, 0.5), [0.0, 1.0], atol=1e-8)


def test_fewer_than_200_people_is_not_enough():
    first, weeks, later, person = history(MIN_PEOPLE - 1)
    with pytest.raises(NotEnoughData, match=r"199 people .* at least 200"):
        fit_expected(first, weeks, later, person, higher_is_better=False)


def test_worse_than_the_band_is_flagged_and_within_it_is_not():
    first, weeks, later, person = history(300)
    model = fit_expected(
        first, weeks, later, person, higher_is_better=False, bootstrap=5
    )
    inside = assess(model, first=20, weeks=10, latest=10, score_range=(0, 27))
    assert inside.low < inside.expected < inside.high
    assert not inside.not_on_track
    above = assess(model, first=20, weeks=10, latest=inside.high + 1)
    assert above.not_on_track
    # Better than the band (lower, when lower is better) is never flagged.
    assert not assess(model, first=20, weeks=10, latest=0).not_on_track
    assert above.edge == above.high
    assert above.edge_low <= above.edge <= above.edge_high


def test_when_higher_is_better_the_lower_edge_flags():
    first, weeks, later, person = history(300)
    model = fit_expected(
        first, weeks, later, person, higher_is_better=True, bootstrap=5
    )
    a = assess(model, first=20, weeks=10, latest=0)
    assert a.not_on_track and a.edge == a.low
    assert not assess(model, first=20, weeks=10, latest=27).not_on_track


def test_the_explanation_says_expected_band_latest_and_verdict():
    first, weeks, later, person = history(300)
    model = fit_expected(
        first, weeks, later, person, higher_is_better=False, bootstrap=5
    )
    a = assess(model, first=20, weeks=10, latest=25)
    text = explanation(a)
    assert text == (
        f"Expected about {round(a.expected)} by now (most people starting where "
        f"they did score between {round(a.low)} and {round(a.high)}); latest 25: "
        "not on track."
    )
    assert uncertainty(a).startswith("Based on 300 people in this organisation")
    assert "The upper end of that range" in uncertainty(a)


def test_the_band_is_the_10th_to_90th_percentile_of_people_like_them():
    first, weeks, later, person = history(2000, seed=5, per_person=1)
    model = fit_expected(
        first, weeks, later, person, higher_is_better=False, bootstrap=5
    )
    flagged = np.array(
        [
            assess(model, first=f, weeks=w, latest=y).not_on_track
            for f, w, y in zip(first, weeks, later, strict=True)
        ]
    )
    # About 1 in 10 people are above their 90th percentile line.
    assert 0.08 < flagged.mean() < 0.12


def test_a_time_that_never_varies_is_left_out_of_the_model():
    first, _, later, person = history(250)
    weeks = np.full(first.size, 10.0)
    model = fit_expected(
        first, weeks, later, person, higher_is_better=False, bootstrap=3
    )
    assert model.high[2] == 0.0
    a = assess(model, first=20, weeks=10, latest=27)
    assert a.low < a.expected < a.high < 27
    assert a.not_on_track
