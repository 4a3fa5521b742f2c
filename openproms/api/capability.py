"""The CapabilityStatement of the FHIR endpoints: what this server does, said once."""

from __future__ import annotations

from typing import Any

from openproms import __version__

_PATIENT = {
    "name": "patient",
    "type": "reference",
    "documentation": "The person: Patient/<id>",
}


def _search(name: str, kind: str, text: str) -> dict[str, str]:
    return {"name": name, "type": kind, "documentation": text}


def capability_statement(*, base: str, organisation_name: str) -> dict[str, Any]:
    """The server's CapabilityStatement (FHIR R4 4.0.1, JSON only)."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-06",
        "kind": "instance",
        "software": {"name": "openproms", "version": __version__},
        "implementation": {
            "description": f"openproms FHIR R4 endpoints of {organisation_name}",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "text": "Bearer token (an organisation's API token, "
                            "made by its admin)"
                        }
                    ],
                    "description": "Send Authorization: Bearer <API token>.",
                },
                "resource": [
                    {
                        "type": "Questionnaire",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            _search(
                                "code",
                                "token",
                                "The measure's LOINC or "
                                "SNOMED CT code (system|code or code)",
                            ),
                            _search("url", "uri", "The canonical URL (|version)"),
                            _search("name", "string", "The computer name"),
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "interaction": [
                            {"code": "read"},
                            {"code": "create"},
                            {"code": "search-type"},
                        ],
                        "conditionalCreate": False,
                        "searchParam": [_PATIENT],
                        "documentation": "create is idempotent on identifier; "
                        "defects are answered with an OperationOutcome naming them",
                    },
                    {
                        "type": "Observation",
                        "interaction": [{"code": "search-type"}],
                        "searchParam": [
                            _PATIENT,
                            _search("code", "token", "The scale's code"),
                        ],
                    },
                    {
                        "type": "Patient",
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            }
                        ],
                    },
                ],
            }
        ],
    }
