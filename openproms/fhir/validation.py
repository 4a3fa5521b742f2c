"""Checking resources against the FHIR specification with a maintained validator.

``fhir.resources`` (its R4B models, which match R4 for every resource openproms
reads or writes: Questionnaire, QuestionnaireResponse, Observation, Patient,
Bundle, OperationOutcome) checks types, cardinality, required elements, unknown
elements and the formats of ids, codes and dates. Its complaints become
:class:`~openproms.fhir.issues.Issue` records with a FHIRPath location.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openproms.fhir.issues import Issue, Severity

RESOURCE_TYPES = frozenset(
    {
        "Questionnaire",
        "QuestionnaireResponse",
        "Observation",
        "Patient",
        "Bundle",
        "OperationOutcome",
    }
)


def _path(resource_type: str, loc: tuple[int | str, ...]) -> str:
    path = resource_type
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validation_issues(
    resource: Mapping[str, Any], *, severity: Severity = "error"
) -> list[Issue]:
    """Every way ``resource`` breaks the FHIR specification (empty when valid).

    Each issue names the element (``QuestionnaireResponse.item[2].answer[0]``),
    the value found and what was expected. A resource type openproms does not
    handle is one issue.
    """
    kind = resource.get("resourceType")
    level = severity
    if kind not in RESOURCE_TYPES:
        return [
            Issue(
                level,
                "structure",
                f"resourceType {kind!r} is not one openproms reads "
                f"({', '.join(sorted(RESOURCE_TYPES))})",
                None,
            )
        ]
    # Imported here: the models take a second to load, and only input is checked.
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    model = get_fhir_model_class(str(kind))
    try:
        model.model_validate(dict(resource))
    except ValidationError as exc:
        found = []
        for problem in exc.errors():
            loc = tuple(p for p in problem["loc"] if not str(p).startswith("function-"))
            where = _path(str(kind), loc)
            message = f"{where}: {problem['msg'][0].lower()}{problem['msg'][1:]}"
            if problem["type"] != "missing":
                message += f" (found {_shown(problem.get('input'))})"
            found.append(Issue(level, "structure", message, where))
        return found
    return []
