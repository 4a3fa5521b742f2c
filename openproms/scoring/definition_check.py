"""Checking a definition document: the JSON Schema in
``openproms/library/schema/measure.schema.json`` and the engine's own consistency rules
(items exist, recode tables cover every answer, conversion tables cover every raw
score, declared ranges match the scoring rule, wording present exactly when the
licence lets us ship it); :func:`definition_from_dict` checks and builds.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, cast

import jsonschema

from openproms.scoring.definition_build import build_definition
from openproms.scoring.definitions import (
    SCHEMA_RESOURCE,
    MeasureDefinition,
    Scale,
)
from openproms.scoring.errors import DefinitionError
from openproms.scoring.phrasing import placeholder_problems
from openproms.scoring.reliability import (
    ErrorFigures,
    error_figure_problems,
)
from openproms.scoring.sources import Source as Source  # re-exported


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
        elif defn.item(i).response_set.categories:
            yield (
                f"{where}: item {i!r} has answers that are categories, not amounts, "
                "so no scale may use it"
            )
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
    defn = build_definition(data)
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
    return build_definition(data)
