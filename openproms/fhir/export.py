"""Answers, scores and the person, as the resources that go out together.

:func:`response_resources` gives one response's QuestionnaireResponse and an
Observation per scale; :func:`person_resources` a person's Patient followed by
those of each of their responses. References are made by ``refer``:
:func:`openproms.fhir.bundle.full_url` inside a Bundle,
:func:`openproms.fhir.bundle.relative_reference` in an NDJSON export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openproms.fhir import uris
from openproms.fhir.observation import observation
from openproms.fhir.patient import Person, patient
from openproms.fhir.response_in import Identifier
from openproms.fhir.response_out import questionnaire_response
from openproms.scoring.definitions import MeasureDefinition
from openproms.scoring.engine import ScaleScore

Refer = Callable[[str, str], str]


@dataclass(frozen=True)
class ResponseRecord:
    """One stored response: its answers, its scale results and where it came from.

    ``amended`` is True when the answers were corrected after they were given.
    """

    measure: MeasureDefinition
    answers: Mapping[str, int | None]
    scales: Sequence[ScaleScore]
    resource_id: str
    authored: dt.datetime
    identifier: Identifier | None = None
    amended: bool = False


def response_resources(
    record: ResponseRecord, *, subject: str, refer: Refer
) -> list[dict[str, Any]]:
    """The QuestionnaireResponse, then one Observation per scale result."""
    response = questionnaire_response(
        record.measure,
        record.answers,
        resource_id=record.resource_id,
        authored=record.authored,
        subject=subject,
        identifier=record.identifier,
        status="amended" if record.amended else "completed",
    )
    response_ref = refer("QuestionnaireResponse", record.resource_id)
    observations = [
        observation(
            record.measure,
            result,
            resource_id=uris.fhir_id(record.resource_id, result.scale_id),
            subject=subject,
            response=response_ref,
            effective=record.authored,
            status="amended" if record.amended else "final",
        )
        for result in record.scales
    ]
    return [response, *observations]


def person_resources(
    person: Person, records: Iterable[ResponseRecord], *, refer: Refer
) -> Iterator[dict[str, Any]]:
    """The person's Patient, then each response's resources, one at a time."""
    yield patient(person)
    subject = refer("Patient", person.resource_id)
    for record in records:
        yield from response_resources(record, subject=subject, refer=refer)
