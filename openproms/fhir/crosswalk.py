"""Crosswalks: Questionnaires published elsewhere whose items carry no codes we
can match, mapped by hand onto a measure in the library.

Each file in ``openproms/fhir/crosswalks/`` names the Questionnaire's canonical
URL, the measure and version it maps to, the source the mapping was read from,
and, by linkId: its question items (to item ids), its group items, its score items
(to scale ids) and its answer codes (to our answer codes). A response that names
that canonical URL in ``questionnaire`` is read through it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from openproms.scoring.definitions import Source
from openproms.scoring.library import default_library
from openproms.scoring.sources import source_from_dict


@dataclass(frozen=True)
class Crosswalk:
    """One foreign Questionnaire mapped onto one measure version."""

    questionnaire: str
    title: str
    measure: str
    version: str
    source: Source
    groups: frozenset[str]
    items: Mapping[str, str]
    scores: Mapping[str, str]
    answer_system: str | None
    answer_codes: Mapping[str, int]


def crosswalk_from_dict(data: Mapping[str, Any]) -> Crosswalk:
    """Build a crosswalk and check it against the library: the measure exists, each
    item and scale is one of its own, and each answer code is allowed for every
    mapped item. Raises ValueError naming every problem."""
    defn = default_library().get(data["measure"], data["version"])
    problems = []
    items = dict(data["items"])
    scores = dict(data.get("scores", {}))
    codes = {str(k): int(v) for k, v in data["answers"]["codes"].items()}
    for link_id, item_id in items.items():
        if item_id not in defn.item_ids:
            problems.append(
                f"{link_id!r} maps to {item_id!r}, not an item of {defn.key}"
            )
            continue
        allowed = defn.item(item_id).response_set.codes
        for code, value in codes.items():
            if value not in allowed:
                problems.append(
                    f"answer {code!r} maps to {value}, not an answer of {item_id!r}"
                )
    scale_ids = {s.id for s in defn.scales}
    for link_id, scale_id in scores.items():
        if scale_id not in scale_ids:
            problems.append(
                f"{link_id!r} maps to {scale_id!r}, not a scale of {defn.key}"
            )
    if problems:
        raise ValueError(
            f"crosswalk for {data['questionnaire']} is wrong: " + "; ".join(problems)
        )
    return Crosswalk(
        questionnaire=data["questionnaire"],
        title=data["title"],
        measure=defn.id,
        version=defn.version,
        source=source_from_dict(data["source"]),
        groups=frozenset(data.get("groups", [])),
        items=MappingProxyType(items),
        scores=MappingProxyType(scores),
        answer_system=data["answers"].get("system"),
        answer_codes=MappingProxyType(codes),
    )


@functools.cache
def crosswalks() -> Mapping[str, Crosswalk]:
    """Every shipped crosswalk, by the canonical URL of its Questionnaire."""
    found: dict[str, Crosswalk] = {}
    root = resources.files("openproms.fhir.crosswalks")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            walk = crosswalk_from_dict(json.loads(entry.read_text(encoding="utf-8")))
            found[walk.questionnaire] = walk
    return MappingProxyType(found)
