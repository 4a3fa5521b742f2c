"""Ladder measures: several life domains, each rated 1-10, and bespoke measures.

A ladder is an ordinary definition (same JSON Schema, ``kind: "ladder"``): one
1-10 item and one single-item scale per domain, plus an ``overall`` scale (mean of
the domains answered, at most half missing: an openproms rule, not a published
one). Organisations build their own with :func:`ladder_definition`; bespoke
measures of any shape go through :func:`bespoke_definition`. Ladders are ours, not
Outcomes Star (which is licensed by Triangle Consulting).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from openproms.scoring.definition_check import definition_from_dict
from openproms.scoring.definitions import MeasureDefinition

_ID = re.compile(r"^[a-z][a-z0-9_]*$")

OWN_RULE = {
    "citation": (
        "openproms rule for ladder measures (organisation-defined, no published norms)"
    ),
    "url": None,
    "confidence": "verified",
}


def ladder_definition(
    measure_id: str,
    title: str,
    domains: Sequence[tuple[str, str]] | Mapping[str, str],
    *,
    version: str = "1",
    short_name: str | None = None,
    description: str | None = None,
    question: str = "Where would you put yourself on the ladder today for: {domain}?",
    low_label: str = "Things are very hard",
    high_label: str = "Things are going really well",
    holder: str = "Your organisation",
    recall_period: str | None = "Today",
    suitable_for: str = "Adults and young people using the service.",
    kind: str = "ladder",
) -> MeasureDefinition:
    """Build and validate a ladder: each domain (id, label) rated 1 (low) to 10 (high).

    Scales: one per domain (the rating itself) and ``overall`` = mean of answered
    domains, with up to half of them missing. Higher is better. No bands or
    thresholds: none are published for an organisation's own ladder. Raises
    :class:`~openproms.scoring.errors.DefinitionError` or ValueError on bad input.
    """
    pairs = list(domains.items()) if isinstance(domains, Mapping) else list(domains)
    if not pairs:
        raise ValueError("a ladder needs at least one domain")
    for did, _label in pairs:
        if not _ID.match(did):
            raise ValueError(
                f"domain id {did!r} must be lower case letters, digits and _"
            )
    items = [
        {
            "id": f"{measure_id}_{did}",
            "text": question.format(domain=label),
            "short_label": label,
            "response_set": "ladder",
            "scored": True,
        }
        for did, label in pairs
    ]
    scales: list[dict[str, Any]] = [
        {
            "id": did,
            "label": label,
            "items": [f"{measure_id}_{did}"],
            "method": "sum",
            "missing": {"max_missing": 0, "prorate": False, "source": OWN_RULE},
            "range": {"min": 1, "max": 10},
            "direction": "higher_is_better",
            "unit": "points",
        }
        for did, label in pairs
    ]
    if len(pairs) > 1:
        scales.append(
            {
                "id": "overall",
                "label": "Overall (mean of domains)",
                "items": [f"{measure_id}_{did}" for did, _ in pairs],
                "method": "mean",
                "missing": {
                    "max_missing": len(pairs) // 2,
                    "prorate": True,
                    "source": OWN_RULE,
                },
                "decimals": 2,
                "range": {"min": 1, "max": 10},
                "direction": "higher_is_better",
                "unit": "points",
            }
        )
    data = {
        "schema_version": 1,
        "id": measure_id,
        "version": version,
        "kind": kind,
        "title": title,
        "short_name": short_name or title,
        "description": description
        or f"A ladder: {len(pairs)} areas of life, each rated from 1 to 10.",
        "recall_period": recall_period,
        "suitable_for": suitable_for,
        "instructions": (
            f"For each area, choose a step on the ladder from 1 ({low_label.lower()}) "
            f"to 10 ({high_label.lower()})."
        ),
        "wording_source": {
            "citation": f"Written by {holder}",
            "url": None,
            "confidence": "verified",
        },
        "licence": {
            "kind": "open",
            "holder": holder,
            "terms_summary": f"Written by {holder}; free to use and adapt.",
            "wording_shipped": True,
            "attribution": None,
            "cost_notes": "Free.",
            "source": {"citation": f"{holder}", "url": None, "confidence": "verified"},
        },
        "response_sets": {
            "ladder": {
                "range": {
                    "min": 1,
                    "max": 10,
                    "min_label": low_label,
                    "max_label": high_label,
                }
            }
        },
        "items": items,
        "scales": scales,
        "guidance": {
            "administration": (
                "Talk through each area together. The person chooses the step; the "
                "worker does not score for them."
            ),
            "why_for_workers": (
                "A ladder shows where someone feels they are in each area and how that "
                "moves over time, in their own terms."
            ),
            "why_for_person": (
                "This helps you and your worker see which parts of life are going well "
                "and which you want to work on."
            ),
        },
    }
    return definition_from_dict(data, name=f"{measure_id}@{version}")


def bespoke_definition(data: Mapping[str, Any]) -> MeasureDefinition:
    """Validate an organisation-defined measure (``kind: "bespoke"``) against the
    same schema and checks as the library. Raises DefinitionError listing problems."""
    if data.get("kind") != "bespoke":
        raise ValueError('a bespoke measure must have kind "bespoke"')
    return definition_from_dict(data)
