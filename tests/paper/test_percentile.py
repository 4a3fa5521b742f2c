"""The reader's own percentile gives exactly NumPy's: the reader's decisions must
not move when a step is only made faster (decisions_digest.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from openproms.paper.read_types import percentile


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and bool(((a == b) | (np.isnan(a) & np.isnan(b))).all())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("q", [25, 50, 75, 95, 98])
def test_it_is_numpys_nanpercentile_bit_for_bit(dtype: type, q: int) -> None:
    rng = np.random.default_rng(q)
    for _ in range(300):
        shape = tuple(int(n) for n in rng.integers(1, 12, size=3))
        a = (rng.random(shape) * rng.choice([1.0, 0.1, 255.0])).astype(dtype)
        if rng.random() < 0.5:
            a = np.round(a, int(rng.integers(0, 4)))
        a[rng.random(shape) < rng.random()] = np.nan  # all-NaN slices too
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanpercentile(a, q, axis=-1)
        assert _same(percentile(a, q), expected)


@pytest.mark.parametrize("q", [75, 95, 98])
def test_on_one_array_without_nan_it_is_numpys_percentile(q: int) -> None:
    rng = np.random.default_rng(q)
    for size in (1, 2, 3, 7, 50, 401):
        a = rng.random(size).astype(np.float32)
        got = percentile(a, q)
        assert got.shape == () and float(got) == float(np.percentile(a, q))
