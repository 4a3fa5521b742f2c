"""What a funder may ask for, so that no combination of their reports reveals a small
count (decision 0015; docs/stats.md §3.4).

Each count a funder sees is controlled on its own (1-7 shown as "*", the rest
rounded to the nearest 5: :mod:`openproms.stats.disclosure`). Controlling each count
on its own is not enough when the funder may also see a count whose people are the
sum of others': single days showing "*" or 0 and the window holding them showing
"*" pin each of those days to 1 (seven stars, each at least 1, adding up to at most
7). The same holds for any periods nested in others: three months of 8, 8 and 1
(shown 10, 10, "*") in a quarter of 17 (shown 15, so at most 17) pin the third
month to 1; four quarters of 7 (each "*") in a year of 28 (shown 30, so at least 28)
pin every quarter to 7. And for services: a report on services A and B beside one
on A alone is "all" beside "all but one group".

The rule that closes this: a funder's reports cover **whole financial quarters
only** (April-June, July-September, October-December, January-March) lying within
the contract, and two contracts of one funder with one organisation that share a
service never share a quarter (:func:`conflicting_quarters`). Then every count a
funder sees is about one block of the data (one quarter, one contract's services)
and no two blocks overlap: no count is the sum or the difference of others, so a
combination can only add whole blocks, and a sum of controlled counts pins a single
value only when every one of them is 0. The organisation's own staff keep custom
dates: they see the people themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

QUARTER_MONTHS = (
    "April to June",
    "July to September",
    "October to December",
    "January to March",
)


@dataclass(frozen=True)
class Quarter:
    """A whole financial quarter: ``key`` like "2026-Q1" (April-June 2026, the
    first quarter of the financial year 2026-27)."""

    key: str
    label: str
    start: date
    end: date


def quarter_of(day: date) -> Quarter:
    """The whole financial quarter holding ``day`` (UK financial year from April)."""
    first_month = ((day.month - 1) // 3) * 3 + 1
    start = date(day.year, first_month, 1)
    next_month = first_month + 3
    end = date(day.year + (next_month > 12), (next_month - 1) % 12 + 1, 1)
    end -= timedelta(days=1)
    year = day.year if day.month >= 4 else day.year - 1
    number = ((first_month - 4) % 12) // 3 + 1
    label = (
        f"{QUARTER_MONTHS[number - 1]} {start.year} "
        f"({year}-{str(year + 1)[-2:]} Q{number})"
    )
    return Quarter(f"{year}-Q{number}", label, start, end)


def whole_quarters(start: date, end: date) -> list[Quarter]:
    """The whole financial quarters lying within ``start``..``end`` (both ends
    included), earliest first; a quarter the dates cut is left out."""
    out: list[Quarter] = []
    quarter = quarter_of(start)
    while quarter.end <= end:
        if quarter.start >= start:
            out.append(quarter)
        quarter = quarter_of(quarter.end + timedelta(days=1))
    return out


@dataclass(frozen=True)
class Scope:
    """What one contract's reports to a funder are about: its services (any
    hashable keys) and its dates."""

    services: frozenset[object]
    start: date
    end: date


def conflicting_quarters(a: Scope, b: Scope) -> list[Quarter]:
    """The quarters both contracts would report on while sharing a service: empty
    when their reports can be told apart only by whole blocks. Two contracts of one
    funder with one organisation must have none (otherwise one report is "all" and
    the other "all but one group" for the same quarter)."""
    if not a.services & b.services:
        return []
    keys = {q.key for q in whole_quarters(b.start, b.end)}
    return [q for q in whole_quarters(a.start, a.end) if q.key in keys]


def blocks_are_disjoint(
    released: Iterable[tuple[frozenset[object], str]],
) -> bool:
    """Whether the (services, quarter key) blocks a funder can ask for are pairwise
    equal or disjoint: the property the proof rests on (a block asked for twice is
    one block)."""
    seen: dict[str, list[frozenset[object]]] = {}
    for services, quarter in set(released):
        for other in seen.setdefault(quarter, []):
            if other & services:
                return False
        seen[quarter].append(services)
    return True
