"""A coded factor gives the same design, group means and funnel as the plain
labels it codes."""

from __future__ import annotations

import numpy as np

from openproms.stats import Factor
from openproms.stats.casemix import design_matrix, fit_casemix, standardised_funnel
from openproms.stats.funnel import group_means


def _labels(rng: np.random.Generator, n: int) -> list[str | None]:
    pool: list[str | None] = ["b", "a", "c", None, "", "Not recorded"]
    return [pool[i] for i in rng.integers(0, len(pool), n)]


def test_design_and_means_are_the_same_from_codes_and_from_labels():
    rng = np.random.default_rng(5)
    n = 500
    raw = _labels(rng, n)
    plain = [v or "Not recorded" for v in raw]
    # Codes with a level nobody has, and levels in no particular order.
    levels = ("c", "unused", "Not recorded", "a", "b")
    coded = Factor(np.array([levels.index(v) for v in plain]), levels)
    first = rng.normal(15, 4, n)
    x_plain, terms_plain = design_matrix(n, {"first": first}, {"f": raw})
    x_coded, terms_coded = design_matrix(n, {"first": first}, {"f": coded})
    assert terms_plain == terms_coded
    assert np.array_equal(x_plain, x_coded)
    values = rng.normal(0, 1, n)
    assert group_means(values, plain) == group_means(values, coded)
    assert coded.labels().tolist() == plain
    assert list(coded.members()) == sorted(set(plain))
    model = fit_casemix(values, numeric={"first": first}, categorical={"f": coded})
    assert standardised_funnel(model, values, coded) == standardised_funnel(
        model, values, plain
    )


def test_a_factor_from_labels_keeps_them_in_order_of_first_appearance():
    factor = Factor.of(["x", "y", "x", "z"])
    assert factor.levels == ("x", "y", "z")
    assert factor.codes.tolist() == [0, 1, 0, 2]
    assert factor.counts() == {"x": 2, "y": 1, "z": 1}
    assert len(factor) == 4
