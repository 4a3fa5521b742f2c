"""Standard demographic categories (England and Wales Census 2021 questions).

Kept as plain data so reports can group by the same categories the ONS uses.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import models


class Sex(models.TextChoices):
    # Census 2021: "What is your sex?"
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_STATED = "not_stated", "Prefer not to say"


class GenderSameAsSex(models.TextChoices):
    # Census 2021: "Is the gender you identify with the same as your sex registered at birth?"
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_STATED = "not_stated", "Prefer not to say"


# Census 2021 ethnic group (England), 19 categories in 5 groups.
ETHNICITY_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Asian, Asian British or Asian Welsh",
        [
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ],
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        [
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British or Caribbean background"),
        ],
    ),
    (
        "Mixed or Multiple ethnic groups",
        [
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or Multiple ethnic background"),
        ],
    ),
    (
        "White",
        [
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ],
    ),
    (
        "Other ethnic group",
        [("other_arab", "Arab"), ("other_any", "Any other ethnic group")],
    ),
]
ETHNICITY_CHOICES: list[tuple[str, str]] = [
    (code, f"{group}: {label}")
    for group, options in ETHNICITY_GROUPS
    for code, label in options
] + [("not_stated", "Prefer not to say")]
ETHNICITY_GROUP_OF: dict[str, str] = {
    code: group for group, options in ETHNICITY_GROUPS for code, _ in options
}

AGE_BANDS: list[tuple[int, int | None, str]] = [
    (0, 15, "Under 16"),
    (16, 24, "16 to 24"),
    (25, 34, "25 to 34"),
    (35, 44, "35 to 44"),
    (45, 54, "45 to 54"),
    (55, 64, "55 to 64"),
    (65, 74, "65 to 74"),
    (75, None, "75 and over"),
]


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date (a 29 February birthday counts from 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str:
    if date_of_birth is None:
        return "Not known"
    age = age_on(date_of_birth, on)
    for low, high, label in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return label
    return "Not known"


AGE_BAND_LABELS: tuple[str, ...] = (*(label for _, _, label in AGE_BANDS), "Not known")
"""The labels :func:`age_band_codes` numbers: the bands in order, then "Not known"."""


def age_band_codes(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """:func:`age_band` for many people at once, as indexes into
    :data:`AGE_BAND_LABELS`: ``born`` and ``on`` are ``datetime64[D]`` arrays of
    equal length (NaT where the date of birth is not recorded)."""
    born = np.asarray(born, dtype="datetime64[D]")
    on = np.asarray(on, dtype="datetime64[D]")
    known = ~np.isnat(born)
    safe = np.where(known, born, on)  # any date: masked out below

    def parts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        months = days.astype("datetime64[M]")
        years = days.astype("datetime64[Y]").astype(np.int64)
        month = months.astype(np.int64) - years * 12
        day = (days - months).astype(np.int64)
        return years, month, day

    y0, m0, d0 = parts(safe)
    y1, m1, d1 = parts(on)
    before_birthday = (m1 < m0) | ((m1 == m0) & (d1 < d0))
    age = y1 - y0 - before_birthday.astype(np.int64)
    out = np.full(born.shape, len(AGE_BANDS), dtype=np.intp)
    for code, (low, high, _) in enumerate(AGE_BANDS):
        inside = known & (age >= low)
        if high is not None:
            inside &= age <= high
        out[inside] = code
    return out


def age_bands(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """:func:`age_band_codes` as labels (an object array)."""
    return np.asarray(AGE_BAND_LABELS, dtype=object)[age_band_codes(born, on)]


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number modulus 11 check digit (NHS Data Dictionary, "NHS Number").

    Weights 10..2 on the first nine digits; check = 11 - (sum mod 11); 11 means 0;
    10 means the number is invalid.
    """
    digits = value.replace(" ", "").replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])
