"""Where a fact in a measure definition comes from, and how sure we are of it.

Every threshold, table, norm and reliability figure in a definition carries a
``source`` (docs/measures.md): ``{citation, url, confidence, note?}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Confidence = Literal["verified", "secondary", "unverified"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from, and how sure we are of it."""

    citation: str
    url: str | None
    confidence: Confidence
    note: str | None = None

    @property
    def verified(self) -> bool:
        """True unless the fact is marked unverified (secondary sources count)."""
        return self.confidence != "unverified"


def source_from_dict(d: Mapping[str, Any]) -> Source:
    """A :class:`Source` from its JSON object (already checked by the schema)."""
    return Source(
        citation=d["citation"],
        url=d.get("url"),
        confidence=d["confidence"],
        note=d.get("note"),
    )
