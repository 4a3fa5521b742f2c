"""The pure rules of a research extract: pseudonyms, date shifts, age bands."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from openproms.sharing.pseudonyms import (
    SHIFT_DAYS,
    age_band,
    date_shift,
    pseudonym,
)

SECRET_A = "a1" * 32
SECRET_B = "b2" * 32


def test_a_pseudonym_is_the_same_within_a_project_and_different_across_projects() -> (
    None
):
    assert pseudonym(SECRET_A, 7) == pseudonym(SECRET_A, 7)
    assert pseudonym(SECRET_A, 7) != pseudonym(SECRET_B, 7)
    assert pseudonym(SECRET_A, 7) != pseudonym(SECRET_A, 8)
    assert len(pseudonym(SECRET_A, 7)) == 20
    assert pseudonym(SECRET_A, 7) != "7"


def test_a_pseudonym_is_the_published_keyed_hash() -> None:
    import hashlib
    import hmac

    expected = hmac.new(bytes.fromhex(SECRET_A), b"pseudonym:42", hashlib.sha256)
    assert pseudonym(SECRET_A, 42) == expected.hexdigest()[:20]


@given(st.integers(min_value=1, max_value=10**9))
def test_a_date_shift_is_within_the_range_never_zero_and_constant(key: int) -> None:
    shift = date_shift(SECRET_A, key)
    assert 1 <= abs(shift) <= SHIFT_DAYS
    assert shift == date_shift(SECRET_A, key)


def test_date_shifts_use_the_whole_range_both_ways() -> None:
    shifts = {date_shift(SECRET_A, key) for key in range(2000)}
    assert min(shifts) == -SHIFT_DAYS and max(shifts) == SHIFT_DAYS
    assert 0 not in shifts


def test_age_bands_are_of_the_age_on_the_day() -> None:
    born = dt.date(1990, 6, 15)
    assert age_band(born, dt.date(2025, 6, 14)) == "25 to 34"
    assert age_band(born, dt.date(2025, 6, 15)) == "35 to 44"
    assert age_band(dt.date(2010, 1, 1), dt.date(2025, 1, 1)) == "Under 18"
    assert age_band(dt.date(1940, 1, 1), dt.date(2025, 1, 1)) == "75 and over"
    assert age_band(None, dt.date(2025, 1, 1)) == ""
