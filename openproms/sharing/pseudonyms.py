"""The rules of a research extract's pseudonyms, date shifts and age bands, as
pure functions (no Django): docs/decisions/0025.

* pseudonym: HMAC-SHA256 of the person's key under the project's secret, the
  first 20 hexadecimal digits (80 bits: a collision among a million people has a
  chance below 1 in 10^12). The same person has the same pseudonym in every
  extract of one project and an unrelated one in any other project; without the
  secret, which never leaves the database, the key cannot be recovered or
  tested for.
* date shift: a whole number of days in [-SHIFT_DAYS, +SHIFT_DAYS], never 0,
  from a second keyed hash of the person's key (so it is the same for the person
  in every extract of the project, and differs between people and projects).
  Intervals within one person are kept; calendar dates are not.
* age band: ten-year bands from 18 (under 18, 18-24, 25-34 ... 75 and over), of
  the age on the day the answers were given; never the date of birth.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

SHIFT_DAYS = 30
PSEUDONYM_DIGITS = 20
BANDS: tuple[tuple[int, str], ...] = (
    (18, "Under 18"),
    (25, "18 to 24"),
    (35, "25 to 34"),
    (45, "35 to 44"),
    (55, "45 to 54"),
    (65, "55 to 64"),
    (75, "65 to 74"),
)
OLDEST = "75 and over"


def _keyed(secret: str, purpose: str, person_key: int) -> bytes:
    message = f"{purpose}:{int(person_key)}".encode()
    return hmac.new(bytes.fromhex(secret), message, hashlib.sha256).digest()


def pseudonym(secret: str, person_key: int) -> str:
    """The person's pseudonym in the project whose secret is ``secret``."""
    return _keyed(secret, "pseudonym", person_key).hex()[:PSEUDONYM_DIGITS]


def date_shift(secret: str, person_key: int, *, days: int = SHIFT_DAYS) -> int:
    """Days to add to each of the person's dates: in [-days, days], never 0."""
    number = int.from_bytes(_keyed(secret, "date-shift", person_key)[:8], "big")
    step = number % (2 * days) + 1  # 1 .. 2 * days
    return step - days - 1 if step <= days else step - days


def shifted(day: dt.date | None, shift: int) -> dt.date | None:
    return None if day is None else day + dt.timedelta(days=shift)


def age_on(date_of_birth: dt.date, day: dt.date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - int(before_birthday)


def age_band(date_of_birth: dt.date | None, day: dt.date) -> str:
    """The ten-year band of the age on ``day`` ("" when no date of birth)."""
    if date_of_birth is None:
        return ""
    age = age_on(date_of_birth, day)
    for upper, label in BANDS:
        if age < upper:
            return label
    return OLDEST
