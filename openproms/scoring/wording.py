"""Item wording: what ships with openproms, and wording an organisation supplies.

Many measures may not have their wording redistributed (WEMWBS, EQ-5D, EPDS,
Oxford scores and others: see docs/measures.md, "Licence policy"). Their
definitions carry item ids and codes only (``text: null``). An organisation that
holds a licence supplies its own wording with :func:`definition_with_wording`; any
attempt to show missing wording raises :class:`WordingNotAvailable` saying why.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

from openproms.scoring.definition_build import build_definition
from openproms.scoring.definitions import MeasureDefinition
from openproms.scoring.errors import WordingNotAvailable


def _why(defn: MeasureDefinition) -> str:
    lic = defn.licence
    return (
        f"{defn.short_name} wording is not shipped with openproms because its licence "
        f"({lic.holder}: {lic.terms_summary}) does not allow it. An organisation "
        "holding a licence must supply its own wording (definition_with_wording)."
    )


def has_wording(defn: MeasureDefinition) -> bool:
    """True when every item has text (shipped or supplied)."""
    return all(i.text for i in defn.items)


def item_text(defn: MeasureDefinition, item_id: str) -> str:
    """The wording of an item; raises :class:`WordingNotAvailable` if there is none."""
    text = defn.item(item_id).text
    if not text:
        raise WordingNotAvailable(f"No wording for item {item_id!r}. " + _why(defn))
    return text


def option_label(defn: MeasureDefinition, item_id: str, code: int) -> str:
    """The label of one answer; raises :class:`WordingNotAvailable` if there is none.

    For a range response set (0-10, EQ VAS) inner points are labelled by number and
    the ends by their anchor labels.
    """
    rs = defn.item(item_id).response_set
    if rs.is_range:
        if code == rs.min and rs.min_label:
            return f"{code} ({rs.min_label})"
        if code == rs.max and rs.max_label:
            return f"{code} ({rs.max_label})"
        if rs.min < code < rs.max:
            return str(code)
        if code not in rs.codes:
            raise KeyError(f"{code} is not an answer to {item_id!r}")
        raise WordingNotAvailable(
            f"No anchor label for {item_id!r} = {code}. " + _why(defn)
        )
    for o in rs.options:
        if o.code == code:
            if o.label is None:
                raise WordingNotAvailable(
                    f"No label for answer {code} of item {item_id!r}. " + _why(defn)
                )
            return o.label
    raise KeyError(f"{code} is not an answer to {item_id!r}")


def require_wording(defn: MeasureDefinition) -> None:
    """Raise :class:`WordingNotAvailable` unless every item and option has wording
    (call before rendering a form or a printed page)."""
    missing = [i.id for i in defn.items if not i.text]
    for i in defn.items:
        rs = i.response_set
        if any(o.label is None for o in rs.options):
            missing.append(f"{i.id} (answer labels)")
    if missing:
        raise WordingNotAvailable(
            f"Missing wording for {', '.join(missing)}. " + _why(defn)
        )


def definition_with_wording(
    defn: MeasureDefinition, wording: Mapping[str, Any]
) -> MeasureDefinition:
    """Return a copy of ``defn`` with an organisation's licensed wording added.

    ``wording`` = ``{"items": {item_id: text}, "options": {response_set_id:
    {code: label}}, "instructions": text, "preambles": {item_id: text}}``; only
    "items" is required and it must give non-empty text for every item. Option
    labels, when given for a response set, must cover every code. Measures whose
    wording ships with openproms (e.g. CORE-10, licensed "no derivatives") cannot be
    re-worded. Raises ValueError listing every problem.
    """
    if defn.licence.wording_shipped:
        raise ValueError(
            f"{defn.key} wording ships with openproms under its licence "
            f"({defn.licence.terms_summary}); it cannot be replaced"
        )
    items = wording.get("items")
    problems: list[str] = []
    if not isinstance(items, Mapping):
        raise ValueError('wording must have an "items" mapping of item id to text')
    for key in sorted(set(items) - set(defn.item_ids)):
        problems.append(f"{key!r} is not an item of {defn.key}")
    for item in defn.items:
        text = items.get(item.id)
        if not isinstance(text, str) or not text.strip():
            problems.append(f"item {item.id!r} has no text")
    options = wording.get("options", {})
    for rid, labels in options.items():
        rs = defn.response_sets.get(rid)
        if rs is None:
            problems.append(f"{rid!r} is not a response set of {defn.key}")
            continue
        given = {int(c) for c in labels}
        if rs.is_range:
            if not given <= {rs.min, rs.max}:
                problems.append(
                    f"response set {rid!r}: labels only for the ends {rs.min}, {rs.max}"
                )
        elif given != set(rs.codes):
            problems.append(
                f"response set {rid!r}: labels must cover codes {sorted(rs.codes)}"
            )
    if problems:
        raise ValueError(
            f"wording for {defn.key} is incomplete: " + "; ".join(problems)
        )
    raw: dict[str, Any] = copy.deepcopy(dict(defn.raw))
    for item in raw["items"]:
        item["text"] = items[item["id"]].strip()
        pre = wording.get("preambles", {}).get(item["id"])
        if pre:
            item["preamble"] = pre
    if wording.get("instructions"):
        raw["instructions"] = wording["instructions"]
    for rid, labels in options.items():
        rs_raw = raw["response_sets"][rid]
        by_code = {int(c): str(v) for c, v in labels.items()}
        if "range" in rs_raw:
            rs_raw["range"]["min_label"] = by_code.get(rs_raw["range"]["min"])
            rs_raw["range"]["max_label"] = by_code.get(rs_raw["range"]["max"])
        else:
            for o in rs_raw["options"]:
                o["label"] = by_code[o["code"]]
    return dataclasses.replace(build_definition(raw), wording_supplied=True)
