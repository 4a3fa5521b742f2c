"""The same change figures per group (demographic group, worker, quarter).

Groups are taken from each pair's ``groups`` mapping (by name) or by any function of
the pair. Every group's figures are computed from the raw pairs of that group; the
overall figures are computed from all the raw pairs, never added up from groups
(the disclosure rules need every total to be protected on its own raw value).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from openproms.scoring import MeasureDefinition
from openproms.stats.paired import PairedChange, PairedScore, paired_change

NOT_RECORDED = "Not recorded"

GroupKey = str | Callable[[PairedScore], str]


@dataclass(frozen=True)
class Factor:
    """One label per person, coded: person ``i``'s label is
    ``levels[codes[i]]``. The fast form of a list of labels for many people
    (grouping and dummies by integer code, not by comparing strings); levels are
    distinct, and a level nobody has is allowed."""

    codes: np.ndarray  # intp, one per person
    levels: tuple[str, ...]

    @classmethod
    def of(cls, labels: Iterable[str]) -> Factor:
        """A factor from plain labels (levels in order of first appearance)."""
        index: dict[str, int] = {}
        codes = np.fromiter(
            (index.setdefault(label, len(index)) for label in labels), dtype=np.intp
        )
        return cls(codes, tuple(index))

    def __len__(self) -> int:
        return int(self.codes.size)

    def labels(self) -> np.ndarray:
        """Each person's label (an object array)."""
        labels: np.ndarray = np.asarray(self.levels, dtype=object)[self.codes]
        return labels

    def counts(self) -> dict[str, int]:
        """How many people have each level that somebody has."""
        n = np.bincount(self.codes, minlength=len(self.levels))
        return {level: int(n[k]) for k, level in enumerate(self.levels) if n[k]}

    def members(self) -> dict[str, np.ndarray]:
        """Each level somebody has, in sorted order, with its people's indexes."""
        order = sorted(self.counts())
        code_of = {level: k for k, level in enumerate(self.levels)}
        return {level: np.flatnonzero(self.codes == code_of[level]) for level in order}


def as_factor(groups: Sequence[str] | np.ndarray | Factor) -> Factor:
    """``groups`` as a :class:`Factor` (as it is, when it is one)."""
    return groups if isinstance(groups, Factor) else Factor.of(groups)


def quarter_of(day: date, *, financial_year: bool = True) -> str:
    """The quarter a date falls in.

    UK financial year (default; NHS and local-authority commissioning): April-June
    is Q1 and the year runs April to March, labelled ``"2026-27 Q1"``. Calendar
    quarters are labelled ``"2026 Q1"``. Labels sort in time order.
    """
    if not financial_year:
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    start = day.year if day.month >= 4 else day.year - 1
    quarter = ((day.month - 4) % 12) // 3 + 1
    return f"{start}-{(start + 1) % 100:02d} Q{quarter}"


def _key_function(key: GroupKey) -> Callable[[PairedScore], str]:
    if callable(key):
        return key
    name = key

    def by_name(pair: PairedScore) -> str:
        return pair.groups.get(name, NOT_RECORDED)

    return by_name


def group_pairs(
    pairs: Iterable[PairedScore], key: GroupKey
) -> dict[str, list[PairedScore]]:
    """Pairs grouped by ``key`` (a name in ``pair.groups``, missing -> "Not
    recorded", or a function of the pair), groups in sorted order."""
    fn = _key_function(key)
    groups: dict[str, list[PairedScore]] = {}
    for pair in pairs:
        groups.setdefault(fn(pair), []).append(pair)
    return {k: groups[k] for k in sorted(groups)}


def paired_change_by(
    defn: MeasureDefinition,
    scale_id: str,
    pairs: Iterable[PairedScore],
    key: GroupKey,
    *,
    bin_width: float | None = None,
    confidence: float = 0.95,
) -> dict[str, PairedChange]:
    """:func:`openproms.stats.paired.paired_change` for each group of ``key``."""
    return {
        group: paired_change(
            defn, scale_id, members, bin_width=bin_width, confidence=confidence
        )
        for group, members in group_pairs(pairs, key).items()
    }


def paired_change_by_quarter(
    defn: MeasureDefinition,
    scale_id: str,
    pairs: Iterable[PairedScore],
    *,
    financial_year: bool = True,
    bin_width: float | None = None,
    confidence: float = 0.95,
) -> dict[str, PairedChange]:
    """Trend: the figures per quarter of the *latest* score's date, in time order.

    Raises ValueError if a pair has no ``latest_on`` date.
    """
    items = list(pairs)
    for i, pair in enumerate(items, start=1):
        if pair.latest_on is None:
            raise ValueError(f"pair {i} has no date for its latest score")

    def quarter(pair: PairedScore) -> str:
        assert pair.latest_on is not None
        return quarter_of(pair.latest_on, financial_year=financial_year)

    return paired_change_by(
        defn, scale_id, items, quarter, bin_width=bin_width, confidence=confidence
    )
