"""The measure library: validated definitions looked up by id and version, and the
library shipped in :mod:`openproms.library` (loaded once per process).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

from openproms.scoring.definition_check import definition_from_dict
from openproms.scoring.definitions import (
    MeasureDefinition,
)
from openproms.scoring.errors import DefinitionError, MeasureNotFound
from openproms.scoring.sources import Source as Source  # re-exported


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
