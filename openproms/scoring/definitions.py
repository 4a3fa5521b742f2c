"""Measure definitions: typed, immutable views of the JSON files in openproms.library.

A definition is data (one JSON file per measure version) checked twice: against the
JSON Schema in ``openproms/library/schema/measure.schema.json`` and against the
engine's own consistency rules (items exist, recode tables cover every answer,
conversion tables cover every raw score, declared ranges match the scoring rule,
wording present exactly when the licence lets us ship it). See docs/measures.md.
"""

from __future__ import annotations

import bisect
import copy
import functools
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import jsonschema

from openproms.scoring.errors import DefinitionError, MeasureNotFound
from openproms.scoring.phrasing import fill_instructions, placeholder_problems
from openproms.scoring.reliability import (
    ErrorFigures,
    PublishedSem,
    ReferenceSD,
    Reliability,
    SemFromChange,
    error_figure_problems,
    error_figures_from_dict,
)
from openproms.scoring.sources import Source as Source  # re-exported
from openproms.scoring.sources import source_from_dict

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


# --------------------------------------------------------------------------- parsing


def _source(d: Mapping[str, Any]) -> Source:
    return source_from_dict(d)


def _opt_source(d: Mapping[str, Any] | None) -> Source | None:
    return None if d is None else _source(d)


def _codes(d: Mapping[str, Any] | None) -> tuple[Code, ...]:
    if not d:
        return ()
    out: list[Code] = []
    systems: tuple[Literal["loinc", "snomed_ct"], ...] = ("loinc", "snomed_ct")
    for system in systems:
        for c in d.get(system, []):
            out.append(
                Code(
                    system=system,
                    code=c["code"],
                    display=c["display"],
                    source=_source(c["source"]),
                )
            )
    return tuple(out)


def _response_set(rid: str, d: Mapping[str, Any]) -> ResponseSet:
    if "range" in d:
        r = d["range"]
        return ResponseSet(
            id=rid,
            options=(),
            min=int(r["min"]),
            max=int(r["max"]),
            is_range=True,
            min_label=r.get("min_label"),
            max_label=r.get("max_label"),
        )
    options = tuple(
        Option(code=int(o["code"]), label=o.get("label")) for o in d["options"]
    )
    codes = [o.code for o in options]
    return ResponseSet(
        id=rid, options=options, min=min(codes), max=max(codes), is_range=False
    )


def _scale(d: Mapping[str, Any]) -> Scale:
    iv = d.get("item_values", {})
    recode = {
        item: MappingProxyType({int(code): float(v) for code, v in table.items()})
        for item, table in iv.get("recode", {}).items()
    }
    conv = d.get("conversion")
    rc = d.get("reliable_change")
    bands = d.get("bands")
    case = d.get("caseness")
    errors = error_figures_from_dict(d)
    return Scale(
        id=d["id"],
        label=d["label"],
        items=tuple(d["items"]),
        method=d["method"],
        k=d.get("k"),
        reverse=frozenset(iv.get("reverse", [])),
        recode=MappingProxyType(recode),
        item_values_source=_opt_source(iv.get("source")),
        conversion=None
        if conv is None
        else Conversion(
            table=tuple(
                ConversionRow(
                    raw=int(r["raw"]), value=float(r["value"]), se=r.get("se")
                )
                for r in conv["table"]
            ),
            source=_source(conv["source"]),
        ),
        missing=MissingRule(
            max_missing=d["missing"]["max_missing"],
            prorate=d["missing"]["prorate"],
            source=_source(d["missing"]["source"]),
        ),
        decimals=d.get("decimals"),
        range_min=float(d["range"]["min"]),
        range_max=float(d["range"]["max"]),
        direction=d["direction"],
        direction_source=_opt_source(d.get("direction_source")),
        unit=d.get("unit"),
        bands=None
        if bands is None
        else Bands(
            bands=tuple(
                Band(min=float(b["min"]), max=float(b["max"]), label=b["label"])
                for b in bands["bands"]
            ),
            source=_source(bands["source"]),
        ),
        caseness=None
        if case is None
        else Caseness(
            threshold=float(case["threshold"]),
            case_when=case["case_when"],
            label=case["label"],
            source=_source(case["source"]),
        ),
        reliable_change=None
        if rc is None
        else ReliableChange(
            threshold=rc.get("threshold"),
            sd=rc.get("sd"),
            reliability=rc.get("reliability"),
            source=_source(rc["source"]),
            deterioration_source=_opt_source(rc.get("deterioration_source")),
        ),
        sem=errors.sem,
        sem_from_change=errors.sem_from_change,
        reliability=errors.reliability,
        reference_sd=errors.reference_sd,
        no_sem_reason=errors.no_sem_reason,
        mid=None
        if "mid" not in d
        else SourcedValue(float(d["mid"]["value"]), _source(d["mid"]["source"])),
        norms=tuple(
            Norm(
                population=n["population"],
                mean=float(n["mean"]),
                sd=n.get("sd"),
                n=n.get("n"),
                source=_source(n["source"]),
            )
            for n in d.get("norms", [])
        ),
        codes=_codes(d.get("codes")),
        notes=tuple(d.get("notes", [])),
    )


def _build(d: Mapping[str, Any]) -> MeasureDefinition:
    response_sets = {
        rid: _response_set(rid, rs) for rid, rs in d["response_sets"].items()
    }
    items = tuple(
        Item(
            id=i["id"],
            text=i["text"],
            short_label=i.get("short_label"),
            preamble=i.get("preamble"),
            response_set=response_sets[i["response_set"]],
            scored=i["scored"],
            required=i.get("required", True),
            risk=None
            if "risk" not in i
            else RiskRule(
                alert_codes=frozenset(i["risk"]["alert_codes"]),
                message=i["risk"]["message"],
                source=_source(i["risk"]["source"]),
            ),
            codes=_codes(i.get("codes")),
            think_about=i.get("think_about"),
        )
        for i in d["items"]
    )
    lic = d["licence"]
    g = d["guidance"]
    return MeasureDefinition(
        id=d["id"],
        version=d["version"],
        kind=d["kind"],
        title=d["title"],
        short_name=d["short_name"],
        description=d["description"],
        recall_period=d.get("recall_period"),
        suitable_for=d["suitable_for"],
        instructions=fill_instructions(d.get("instructions"), len(items)),
        think_about=d.get("think_about"),
        wording_source=_opt_source(d.get("wording_source")),
        licence=Licence(
            kind=lic["kind"],
            holder=lic["holder"],
            terms_summary=lic["terms_summary"],
            wording_shipped=lic["wording_shipped"],
            attribution=lic.get("attribution"),
            cost_notes=lic.get("cost_notes"),
            source=_source(lic["source"]),
        ),
        response_sets=MappingProxyType(response_sets),
        items=items,
        scales=tuple(_scale(s) for s in d["scales"]),
        derivations=tuple(
            Derivation(
                from_measure=x["from_measure"],
                from_version=x["from_version"],
                item_map=MappingProxyType(dict(x["item_map"])),
                source=_source(x["source"]),
            )
            for x in d.get("derivations", [])
        ),
        codes=_codes(d.get("codes")),
        guidance=Guidance(
            administration=g["administration"],
            why_for_workers=g["why_for_workers"],
            why_for_person=g["why_for_person"],
        ),
        notes=tuple(d.get("notes", [])),
        raw=MappingProxyType(copy.deepcopy(dict(d))),
    )


# ------------------------------------------------------------------------ checking


@functools.cache
def measure_schema() -> Mapping[str, Any]:
    """Return the JSON Schema every definition must satisfy."""
    ref = resources.files("openproms.library").joinpath(*SCHEMA_RESOURCE)
    return cast(Mapping[str, Any], json.loads(ref.read_text(encoding="utf-8")))


@functools.cache
def _validator() -> Any:
    schema = measure_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def item_value_range(
    defn: MeasureDefinition, scale: Scale, item_id: str
) -> tuple[float, float]:
    """Lowest and highest value an item can contribute to a scale after recoding."""
    rs = defn.item(item_id).response_set
    if item_id in scale.recode:
        values = scale.recode[item_id].values()
        return min(values), max(values)
    return float(rs.min), float(rs.max)


def _expected_range(
    defn: MeasureDefinition, scale: Scale
) -> tuple[float, float] | None:
    lows, highs = zip(
        *(item_value_range(defn, scale, i) for i in scale.items), strict=True
    )
    k = scale.k or 1.0
    if scale.method == "sum":
        return sum(lows), sum(highs)
    if scale.method == "sum_times_k":
        return sum(lows) * k, sum(highs) * k
    if scale.method == "mean":
        return min(lows), max(highs)
    if scale.method == "mean_times_k":
        return min(lows) * k, max(highs) * k
    if scale.method == "profile":
        n = len(scale.items)
        lo = sum(int(x) * 10 ** (n - 1 - j) for j, x in enumerate(lows))
        hi = sum(int(x) * 10 ** (n - 1 - j) for j, x in enumerate(highs))
        return float(lo), float(hi)
    if scale.conversion is not None:
        values = [r.value for r in scale.conversion.table]
        return min(values), max(values)
    return None


def _check_scale(defn: MeasureDefinition, s: Scale) -> Iterator[str]:
    where = f"scale {s.id!r}"
    known = set(defn.item_ids)
    for i in s.items:
        if i not in known:
            yield f"{where}: unknown item {i!r}"
        elif not defn.item(i).scored:
            yield f"{where}: item {i!r} is marked scored: false but is used by a scale"
    if any(i not in known for i in s.items):
        return
    for i in s.reverse | set(s.recode):
        if i not in s.items:
            yield f"{where}: item_values names {i!r}, which is not one of its items"
    for i in s.reverse & set(s.recode):
        yield f"{where}: item {i!r} is both reversed and recoded"
    for i, table in s.recode.items():
        if i in known:
            codes = defn.item(i).response_set.codes
            if set(table) != codes:
                yield (
                    f"{where}: recode table for {i!r} must cover exactly codes "
                    f"{sorted(codes)}"
                )
    needs_k = s.method in ("sum_times_k", "mean_times_k")
    if needs_k != (s.k is not None):
        yield f"{where}: k is required for sum_times_k and mean_times_k only"
    if (s.method == "sum_then_table") != (s.conversion is not None):
        yield f"{where}: a conversion table goes with method sum_then_table only"
    if s.method in ("sum_then_table", "profile") and s.missing.max_missing:
        yield f"{where}: {s.method} needs complete responses (max_missing 0)"
    if s.missing.max_missing >= len(s.items):
        yield f"{where}: max_missing must leave at least one item answered"
    if s.missing.max_missing and not s.missing.prorate:
        yield (
            f"{where}: items may be missing but prorate is false "
            "(a plain sum would be biased)"
        )
    if s.method == "profile":
        for i in s.items:
            rs = defn.item(i).response_set
            if rs.min < 1 or rs.max > 9:
                yield f"{where}: profile items need single-digit codes 1-9 ({i!r})"
    if s.conversion is not None:
        lo, hi = (
            int(x)
            for x in map(
                sum, zip(*(item_value_range(defn, s, i) for i in s.items), strict=True)
            )
        )
        raws = [r.raw for r in s.conversion.table]
        if sorted(raws) != list(range(lo, hi + 1)):
            yield (
                f"{where}: conversion table must have one row for every raw sum "
                f"{lo}-{hi}"
            )
    expected = _expected_range(defn, s)
    if expected is not None and (
        abs(expected[0] - s.range_min) > 1e-9 or abs(expected[1] - s.range_max) > 1e-9
    ):
        yield (
            f"{where}: declared range {s.range_min:g}-{s.range_max:g} does not "
            f"match the scoring rule ({expected[0]:g}-{expected[1]:g})"
        )
    if s.bands is not None:
        mins = s.bands.lower_bounds
        if any(b <= a for a, b in itertools.pairwise(mins)):
            yield f"{where}: band minimums must be strictly ascending"
        if mins[0] > s.range_min:
            yield f"{where}: the first band must start at or below the scale minimum"
        for b in s.bands.bands:
            if b.max < b.min:
                yield f"{where}: band {b.label!r} has max below min"
    rc = s.reliable_change
    if (
        rc is not None
        and rc.threshold is None
        and (rc.sd is None or rc.reliability is None)
    ):
        yield f"{where}: reliable_change needs a threshold, or sd and reliability"
    other_sem = None
    if s.conversion is not None and any(r.se is not None for r in s.conversion.table):
        other_sem = "the conversion table's standard errors"
    elif rc is not None and rc.sd is not None and rc.reliability is not None:
        other_sem = "reliable_change's sd and reliability"
    figures = ErrorFigures(
        s.sem, s.sem_from_change, s.reliability, s.reference_sd, s.no_sem_reason
    )
    for problem in error_figure_problems(
        figures, other_sem=other_sem, is_profile=s.method == "profile"
    ):
        yield f"{where}: {problem}"


def check_definition(data: Mapping[str, Any]) -> list[str]:
    """Return every problem with a definition document (empty when it is valid).

    Schema errors come first (with their JSON path); the engine's consistency checks
    run only on a schema-valid document.
    """
    problems = [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
        for e in sorted(
            _validator().iter_errors(data), key=lambda e: list(map(str, e.path))
        )
    ]
    if problems:
        return problems
    response_sets = data["response_sets"]
    ids = [i["id"] for i in data["items"]]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"item id {dup!r} is used more than once")
    sids = [s["id"] for s in data["scales"]]
    for dup in sorted({s for s in sids if sids.count(s) > 1}):
        problems.append(f"scale id {dup!r} is used more than once")
    for i in data["items"]:
        if i["response_set"] not in response_sets:
            problems.append(
                f"item {i['id']!r}: unknown response_set {i['response_set']!r}"
            )
    for rid, rs in response_sets.items():
        if "range" in rs and rs["range"]["max"] <= rs["range"]["min"]:
            problems.append(f"response set {rid!r}: range max must exceed min")
        if "options" in rs:
            codes = [o["code"] for o in rs["options"]]
            if len(set(codes)) != len(codes):
                problems.append(f"response set {rid!r}: codes must be unique")
    problems.extend(placeholder_problems(data.get("instructions"), len(ids)))
    if problems:
        return problems
    defn = _build(data)
    shipped = defn.licence.wording_shipped
    for item in defn.items:
        if shipped and item.text is None:
            problems.append(
                f"item {item.id!r}: wording_shipped is true but text is null"
            )
        if not shipped and (item.text is not None or item.preamble is not None):
            problems.append(
                f"item {item.id!r}: wording_shipped is false, so text must be null "
                "(the licence does not let us ship it)"
            )
        if (
            item.risk is not None
            and not item.risk.alert_codes <= item.response_set.codes
        ):
            problems.append(
                f"item {item.id!r}: risk alert_codes outside its response set"
            )
    if not shipped:
        if defn.instructions is not None:
            problems.append("wording_shipped is false, so instructions must be null")
        for rs in defn.response_sets.values():
            if (
                any(o.label is not None for o in rs.options)
                or rs.min_label
                or rs.max_label
            ):
                problems.append(
                    f"response set {rs.id!r}: wording_shipped is false, "
                    "so labels must be null"
                )
    for s in defn.scales:
        problems.extend(_check_scale(defn, s))
    for x in defn.derivations:
        for target in x.item_map:
            if target not in ids:
                problems.append(
                    f"derivation from {x.from_measure!r}: unknown item {target!r}"
                )
    return problems


def definition_from_dict(
    data: Mapping[str, Any], *, name: str | None = None
) -> MeasureDefinition:
    """Validate a definition document and return it as a :class:`MeasureDefinition`.

    Used for library files and for organisation-defined (bespoke) measures.
    Raises :class:`DefinitionError` listing every problem.
    """
    label = name or f"{data.get('id', '?')}@{data.get('version', '?')}"
    problems = check_definition(data)
    if problems:
        raise DefinitionError(label, problems)
    return _build(data)


# ------------------------------------------------------------------------- library


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple(
        (int(p), "") if p.isdigit() else (-1, p)
        for p in version.replace("-", ".").split(".")
    )


class Library:
    """A validated set of measure definitions, looked up by id and version."""

    def __init__(self, definitions: Sequence[MeasureDefinition]) -> None:
        self._by_key: dict[tuple[str, str], MeasureDefinition] = {}
        for d in definitions:
            if (d.id, d.version) in self._by_key:
                raise DefinitionError(d.key, ["the same id and version appear twice"])
            self._by_key[(d.id, d.version)] = d

    def __iter__(self) -> Iterator[MeasureDefinition]:
        return iter(
            sorted(self._by_key.values(), key=lambda d: (d.id, _version_key(d.version)))
        )

    def __len__(self) -> int:
        return len(self._by_key)

    def __contains__(self, measure_id: object) -> bool:
        return any(k[0] == measure_id for k in self._by_key)

    def versions(self, measure_id: str) -> list[str]:
        """Versions held for a measure, oldest first."""
        return sorted((v for i, v in self._by_key if i == measure_id), key=_version_key)

    def get(self, measure_id: str, version: str | None = None) -> MeasureDefinition:
        """Return a measure by id, and version (latest when not given).

        Raises :class:`MeasureNotFound` with the ids that do exist.
        """
        versions = self.versions(measure_id)
        if not versions:
            known = ", ".join(sorted({i for i, _ in self._by_key}))
            raise MeasureNotFound(
                f"no measure {measure_id!r} in the library (known: {known})"
            )
        chosen = versions[-1] if version is None else version
        try:
            return self._by_key[(measure_id, chosen)]
        except KeyError:
            raise MeasureNotFound(
                f"measure {measure_id!r} has no version {version!r} "
                f"(versions: {', '.join(versions)})"
            ) from None


def load_library(directory: Path | None = None) -> Library:
    """Load and validate every ``*.json`` definition in ``directory``.

    Without a directory, loads the library shipped in :mod:`openproms.library`.
    Raises :class:`DefinitionError` on the first invalid file, listing its problems.
    """
    defs: list[MeasureDefinition] = []
    if directory is None:
        root = resources.files("openproms.library")
        entries = sorted(
            (p for p in root.iterdir() if p.name.endswith(".json")),
            key=lambda p: p.name,
        )
        for entry in entries:
            data = json.loads(entry.read_text(encoding="utf-8"))
            defs.append(definition_from_dict(data, name=entry.name))
    else:
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            defs.append(definition_from_dict(data, name=path.name))
    return Library(defs)


@functools.cache
def default_library() -> Library:
    """The shipped library, loaded and validated once per process."""
    return load_library()


def get_measure(measure_id: str, version: str | None = None) -> MeasureDefinition:
    """Look up a measure in the shipped library (latest version by default)."""
    return default_library().get(measure_id, version)
