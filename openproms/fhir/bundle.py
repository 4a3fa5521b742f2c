"""A Bundle of everything for one person, and streamed exports of many.

Inside a Bundle each entry's ``fullUrl`` is a ``urn:uuid:`` made from the
resource's type and id (a name-based UUID, so the same resource gets the same one
every time) and resources refer to each other by those; in an NDJSON export (one
resource per line, as FHIR Bulk Data does) they refer to each other as
``Type/id``. Both writers take resources one at a time from an iterator and write
them as they come, so memory stays bounded however many there are.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from openproms.fhir import uris
from openproms.fhir.response_out import fhir_datetime

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, uris.BASE)


def full_url(resource_type: str, resource_id: str) -> str:
    """The ``urn:uuid:`` a resource has inside a Bundle."""
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{resource_type}/{resource_id}')}"


def relative_reference(resource_type: str, resource_id: str) -> str:
    """``Type/id``: how resources refer to each other outside a Bundle."""
    return f"{resource_type}/{resource_id}"


def _dumps(resource: Mapping[str, Any]) -> str:
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":"))


def bundle_chunks(
    resources: Iterable[Mapping[str, Any]],
    *,
    bundle_id: str,
    timestamp: dt.datetime,
) -> Iterator[str]:
    """A ``collection`` Bundle as pieces of JSON text, one entry per piece (at least
    one resource is needed: FHIR allows no empty ``entry`` list)."""
    yield _dumps(_head(bundle_id, timestamp))[:-1] + ',"entry":['
    for n, resource in enumerate(resources):
        yield ("," if n else "") + _dumps(_entry(resource))
    yield "]}"


def _entry(resource: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "fullUrl": full_url(resource["resourceType"], resource["id"]),
        "resource": resource,
    }


def _head(bundle_id: str, timestamp: dt.datetime) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "type": "collection",
        "timestamp": fhir_datetime(timestamp),
    }


def bundle(
    resources: Iterable[Mapping[str, Any]], *, bundle_id: str, timestamp: dt.datetime
) -> dict[str, Any]:
    """The same Bundle as one dict (for a person's few resources)."""
    result = _head(bundle_id, timestamp)
    entries = [_entry(r) for r in resources]
    if entries:  # FHIR allows no empty lists
        result["entry"] = entries
    return result


def write_ndjson(resources: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write one resource per line; return how many were written."""
    count = 0
    for resource in resources:
        out.write(_dumps(resource))
        out.write("\n")
        count += 1
    return count
