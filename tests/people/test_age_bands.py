"""Age bands worked out on whole arrays agree with the one-person rule."""

from __future__ import annotations

import datetime as dt

import numpy as np

from openproms.people.categories import age_band, age_bands


def test_age_bands_agree_with_age_band_date_by_date():
    rng = np.random.default_rng(11)
    born: list[dt.date | None] = [
        dt.date(2000, 2, 29),
        dt.date(2000, 2, 29),
        dt.date(2010, 6, 15),
        dt.date(2010, 6, 15),
        dt.date(1950, 12, 31),
        None,
        dt.date(2030, 1, 1),  # born after the score: no band
    ]
    on = [
        dt.date(2016, 2, 28),  # the day before a leap-day birthday counts
        dt.date(2016, 3, 1),
        dt.date(2026, 6, 14),  # 15 the day before the 16th birthday
        dt.date(2026, 6, 15),
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 1),
    ]
    for _ in range(2000):
        b = dt.date(1920, 1, 1) + dt.timedelta(days=int(rng.integers(0, 36500)))
        born.append(b)
        on.append(b + dt.timedelta(days=int(rng.integers(0, 36500))))
    expected = [age_band(b, o) for b, o in zip(born, on, strict=True)]
    got = age_bands(
        np.array([b or "NaT" for b in born], dtype="datetime64[D]"),
        np.array(on, dtype="datetime64[D]"),
    )
    assert got.tolist() == expected
    assert expected[:7] == [
        "Under 16",
        "16 to 24",
        "Under 16",
        "16 to 24",
        "75 and over",
        "Not known",
        "Not known",
    ]
