"""Measure definitions: typed, immutable views of the JSON files in openproms.library.

A definition is data (one JSON file per measure version) checked twice: against the
JSON Schema in ``openproms/library/schema/measure.schema.json`` and against the
engine's own consistency rules (items exist, recode tables cover every answer,
conversion tables cover every raw score, declared ranges match the scoring rule,
wording present exactly when the licence lets us ship it). See docs/measures.md.

This module holds the types; building one from a document is in
:mod:`openproms.scoring.definition_build`, checking a document in
:mod:`openproms.scoring.definition_check` and the library in
:mod:`openproms.scoring.library`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from openproms.scoring.reliability import (
    PublishedSem,
    ReferenceSD,
    Reliability,
    SemFromChange,
)
from openproms.scoring.sources import Source as Source  # re-exported

Method = Literal[
    "sum", "sum_times_k", "mean", "mean_times_k", "sum_then_table", "profile"
]
Direction = Literal["higher_is_better", "higher_is_worse"]
LicenceKind = Literal[
    "open",
    "attribution_required",
    "free_with_registration",
    "commercial",
    "proprietary",
]
Kind = Literal["standard", "ladder", "bespoke"]

SCHEMA_RESOURCE = ("schema", "measure.schema.json")
SUM_METHODS = frozenset({"sum", "sum_times_k", "sum_then_table"})


@dataclass(frozen=True, slots=True)
class Option:
    """One coded answer; ``label`` is None when the wording is not shipped."""

    code: int
    label: str | None


@dataclass(frozen=True)
class ResponseSet:
    """The allowed answers for an item: coded options or an integer range."""

    id: str
    options: tuple[Option, ...]
    min: int
    max: int
    is_range: bool
    min_label: str | None = None
    max_label: str | None = None
    label: str | None = None  # the set's name, where its author gave one
    categories: bool = False  # codes name the answers, not amounts: never scored

    @functools.cached_property
    def codes(self) -> frozenset[int]:
        """All allowed codes."""
        if self.is_range:
            return frozenset(range(self.min, self.max + 1))
        return frozenset(o.code for o in self.options)

    @property
    def contiguous(self) -> bool:
        """True when the codes are every integer from min to max."""
        return len(self.codes) == self.max - self.min + 1

    def describe(self) -> str:
        """Describe the allowed answers for an error message."""
        if self.contiguous:
            return f"a whole number from {self.min} to {self.max}"
        return "one of " + ", ".join(str(c) for c in sorted(self.codes))


@dataclass(frozen=True, slots=True)
class RiskRule:
    """Answers to an item that must raise an alert for a worker."""

    alert_codes: frozenset[int]
    message: str
    source: Source


@dataclass(frozen=True, slots=True)
class Code:
    """A terminology code (LOINC or SNOMED CT) with its source."""

    system: Literal["loinc", "snomed_ct"]
    code: str
    display: str
    source: Source


@dataclass(frozen=True, slots=True)
class Item:
    """One question."""

    id: str
    text: str | None
    short_label: str | None
    preamble: str | None
    response_set: ResponseSet
    scored: bool
    required: bool
    risk: RiskRule | None
    codes: tuple[Code, ...]
    think_about: str | None = None  # this question's time period, when they differ


@dataclass(frozen=True, slots=True)
class Band:
    """A labelled band: from ``min`` (inclusive) up to the next band's ``min``."""

    min: float
    max: float
    label: str


@dataclass(frozen=True)
class Bands:
    """The bands of a scale, in ascending order, with their source."""

    bands: tuple[Band, ...]
    source: Source

    @functools.cached_property
    def lower_bounds(self) -> tuple[float, ...]:
        """Each band's inclusive lower bound."""
        return tuple(b.min for b in self.bands)

    def index_of(self, value: float) -> int | None:
        """Return the index of the band holding ``value`` (None below the first)."""
        i = bisect.bisect_right(self.lower_bounds, value) - 1
        return i if i >= 0 else None

    def between(self, value: float) -> int | None:
        """The index of the band ``value`` counts in when it lies between that
        band's written highest score and the next band's lowest (6.67 between
        "0 to 6" and "7 to 12", a prorated score); None when it lies within a
        band as written. Such a score counts in the lower band: a band runs from
        its ``min`` up to the next band's ``min`` (:meth:`index_of`)."""
        i = self.index_of(value)
        if i is None or i + 1 >= len(self.bands):
            return None
        return i if value > self.bands[i].max else None

    def gaps(self) -> tuple[tuple[int, float, float], ...]:
        """Each gap between bands as written: (index of the band below, its
        highest score, the next band's lowest score)."""
        return tuple(
            (i, low.max, high.min)
            for i, (low, high) in enumerate(itertools.pairwise(self.bands))
            if high.min > low.max
        )


@dataclass(frozen=True, slots=True)
class Caseness:
    """A cut-off: ``at_or_above`` means value >= threshold is a case; ``below``
    means value < threshold is a case."""

    threshold: float
    case_when: Literal["at_or_above", "below"]
    label: str
    source: Source

    def is_case(self, value: float) -> bool:
        """Apply the cut-off to one score."""
        if self.case_when == "at_or_above":
            return value >= self.threshold
        return value < self.threshold


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """A raw reliable-change threshold, or SD and reliability for Jacobson & Truax."""

    threshold: float | None
    sd: float | None
    reliability: float | None
    source: Source
    deterioration_source: Source | None


@dataclass(frozen=True, slots=True)
class SourcedValue:
    """A number with its source (the minimal important difference)."""

    value: float
    source: Source


@dataclass(frozen=True, slots=True)
class Norm:
    """A population mean (and SD where known) with its source."""

    population: str
    mean: float
    sd: float | None
    n: int | None
    source: Source


@dataclass(frozen=True, slots=True)
class ConversionRow:
    """One row of a raw-score conversion table (``se`` where published)."""

    raw: int
    value: float
    se: float | None


@dataclass(frozen=True)
class Conversion:
    """A raw sum -> converted score table covering every possible raw sum."""

    table: tuple[ConversionRow, ...]
    source: Source

    @functools.cached_property
    def by_raw(self) -> Mapping[int, ConversionRow]:
        """Rows keyed by raw score."""
        return MappingProxyType({r.raw: r for r in self.table})


@dataclass(frozen=True, slots=True)
class MissingRule:
    """How many items may be missing, and whether the score is prorated."""

    max_missing: int
    prorate: bool
    source: Source


@dataclass(frozen=True, eq=False)
class Scale:
    """One score computed from a response."""

    id: str
    label: str
    items: tuple[str, ...]
    method: Method
    k: float | None
    reverse: frozenset[str]
    recode: Mapping[str, Mapping[int, float]]
    item_values_source: Source | None
    conversion: Conversion | None
    missing: MissingRule
    decimals: int | None
    range_min: float
    range_max: float
    direction: Direction
    direction_source: Source | None
    unit: str | None
    bands: Bands | None
    caseness: Caseness | None
    reliable_change: ReliableChange | None
    sem: PublishedSem | None
    sem_from_change: SemFromChange | None
    reliability: Reliability | None
    reference_sd: ReferenceSD | None
    no_sem_reason: str | None
    mid: SourcedValue | None
    norms: tuple[Norm, ...]
    codes: tuple[Code, ...]
    notes: tuple[str, ...]

    @property
    def higher_is_better(self) -> bool:
        """True when a higher score means better health or wellbeing."""
        return self.direction == "higher_is_better"


@dataclass(frozen=True, slots=True)
class Derivation:
    """This measure's items taken from another measure's answers."""

    from_measure: str
    from_version: str
    item_map: Mapping[str, str]
    source: Source


@dataclass(frozen=True, slots=True)
class Licence:
    """Licence facts; ``wording_shipped`` says whether item text is in the repo."""

    kind: LicenceKind
    holder: str
    terms_summary: str
    wording_shipped: bool
    attribution: str | None
    cost_notes: str | None
    source: Source


@dataclass(frozen=True, slots=True)
class Guidance:
    """Plain-English guidance written by openproms."""

    administration: str
    why_for_workers: str
    why_for_person: str


@dataclass(frozen=True, eq=False)
class MeasureDefinition:
    """One version of one measure, validated. ``raw`` is the JSON document."""

    id: str
    version: str
    kind: Kind
    title: str
    short_name: str
    description: str
    recall_period: str | None
    suitable_for: str
    instructions: str | None
    think_about: str | None  # the time period, completing "think about ..."
    wording_source: Source | None
    licence: Licence
    response_sets: Mapping[str, ResponseSet]
    items: tuple[Item, ...]
    scales: tuple[Scale, ...]
    derivations: tuple[Derivation, ...]
    codes: tuple[Code, ...]
    guidance: Guidance
    notes: tuple[str, ...]
    raw: Mapping[str, Any] = field(repr=False)
    wording_supplied: bool = False
    #: The language its wording is in (a code of settings.LANGUAGES; decision 0028).
    language: str = "en"

    @property
    def key(self) -> str:
        """``id@version``, unique within a library."""
        return f"{self.id}@{self.version}"

    @functools.cached_property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in definition order (the column order of answer tables)."""
        return tuple(i.id for i in self.items)

    @functools.cached_property
    def _items_by_id(self) -> Mapping[str, Item]:
        return MappingProxyType({i.id: i for i in self.items})

    @functools.cached_property
    def _scales_by_id(self) -> Mapping[str, Scale]:
        return MappingProxyType({s.id: s for s in self.scales})

    def item(self, item_id: str) -> Item:
        """Return the item with this id (KeyError naming it if absent)."""
        try:
            return self._items_by_id[item_id]
        except KeyError:
            raise KeyError(f"{self.key} has no item {item_id!r}") from None

    def scale(self, scale_id: str) -> Scale:
        """Return the scale with this id (KeyError naming it if absent)."""
        try:
            return self._scales_by_id[scale_id]
        except KeyError:
            raise KeyError(f"{self.key} has no scale {scale_id!r}") from None

    @functools.cached_property
    def needed_item_ids(self) -> tuple[str, ...]:
        """Items used by a scale or a risk rule (the columns an import must have)."""
        used = {i for s in self.scales for i in s.items}
        return tuple(i.id for i in self.items if i.id in used or i.risk is not None)
