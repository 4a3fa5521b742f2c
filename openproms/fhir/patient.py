"""Patient: the few facts about a person that their answers need.

The organisation's own reference for the person (in its identifier system), their
name and date of birth when recorded, and their NHS number only when the person
has not said no to sharing with their GP (the caller decides: ``nhs_number`` is
None otherwise). Nothing else (no address, contact details, or equality
monitoring answers) goes into FHIR.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from openproms.fhir import uris


@dataclass(frozen=True, slots=True)
class Person:
    """What a Patient resource is made from."""

    resource_id: str
    reference: str
    reference_system: str
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    nhs_number: str | None = None  # only with consent to share with their GP


def patient(person: Person) -> dict[str, Any]:
    """The Patient for ``person`` (see the module docstring)."""
    identifiers = [{"system": person.reference_system, "value": person.reference}]
    if person.nhs_number:
        identifiers.append({"system": uris.NHS_NUMBER, "value": person.nhs_number})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": person.resource_id,
        "identifier": identifiers,
    }
    name: dict[str, Any] = {}
    if person.family_name:
        name["family"] = person.family_name
    if person.given_name:
        name["given"] = [person.given_name]
    if name:
        resource["name"] = [name]
    if person.birth_date is not None:
        resource["birthDate"] = person.birth_date.isoformat()
    return resource
