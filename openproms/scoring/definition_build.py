"""Building a :class:`~openproms.scoring.definitions.MeasureDefinition` from a definition
document that has already passed :func:`~openproms.scoring.definition_check.check_definition`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from openproms.scoring.definitions import (
    Band,
    Bands,
    Caseness,
    Code,
    Conversion,
    ConversionRow,
    Derivation,
    Guidance,
    Item,
    Licence,
    MeasureDefinition,
    MissingRule,
    Norm,
    Option,
    ReliableChange,
    ResponseSet,
    RiskRule,
    Scale,
    SourcedValue,
)
from openproms.scoring.phrasing import fill_instructions
from openproms.scoring.reliability import (
    error_figures_from_dict,
)
from openproms.scoring.sources import Source as Source  # re-exported
from openproms.scoring.sources import source_from_dict


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
            label=d.get("label"),
            categories=bool(d.get("categories", False)),
        )
    options = tuple(
        Option(code=int(o["code"]), label=o.get("label")) for o in d["options"]
    )
    codes = [o.code for o in options]
    return ResponseSet(
        id=rid,
        options=options,
        min=min(codes),
        max=max(codes),
        is_range=False,
        label=d.get("label"),
        categories=bool(d.get("categories", False)),
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


def build_definition(d: Mapping[str, Any]) -> MeasureDefinition:
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
