"""Finding a person by their reference for the audit page's "Person" filter.

The audit floor imports no app above it; the people app registers how a
reference becomes a key within an organisation when it is ready (as the
organisation home's panels are registered).
"""

from __future__ import annotations

from collections.abc import Callable

from openproms.accounts.models import Organisation

PersonLookup = Callable[[Organisation, str], int | None]
_lookups: list[PersonLookup] = []


def register_person_lookup(lookup: PersonLookup) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def person_key(organisation: Organisation, reference: str) -> int | None:
    """The key of the person with this reference in the organisation, if any."""
    for lookup in _lookups:
        key = lookup(organisation, reference)
        if key is not None:
            return key
    return None
