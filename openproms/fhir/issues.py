"""Problems found in FHIR input, and the OperationOutcome that names them.

An :class:`Issue` is one problem (or note) with where it is, as a FHIRPath
expression; :class:`FhirInputError` carries the errors that stop an import, and
:func:`operation_outcome` turns issues into the FHIR resource a caller returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "information"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem or note. ``code`` is a FHIR IssueType (``invalid``,
    ``structure``, ``value``, ``not-found``, ``conflict``, ``business-rule``,
    ``informational`` ...); ``expression`` says where, as FHIRPath."""

    severity: Severity
    code: str
    message: str
    expression: str | None = None

    def line(self) -> str:
        """The issue on one line, for a person or a log."""
        where = (
            f" (at {self.expression})"
            if self.expression and self.expression not in self.message
            else ""
        )
        return f"{self.severity}: {self.message}{where}"


class FhirInputError(ValueError):
    """FHIR input that cannot be accepted; ``issues`` names every problem."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("; ".join(i.line() for i in self.issues))


def error(code: str, message: str, expression: str | None = None) -> Issue:
    """An issue that stops the import."""
    return Issue("error", code, message, expression)


def operation_outcome(issues: Iterable[Issue]) -> dict[str, Any]:
    """An OperationOutcome naming each issue (one "all well" note when none)."""
    entries: list[dict[str, Any]] = []
    for issue in issues:
        entry: dict[str, Any] = {
            "severity": issue.severity,
            "code": issue.code,
            "diagnostics": issue.message,
        }
        if issue.expression:
            entry["expression"] = [issue.expression]
        entries.append(entry)
    if not entries:
        entries.append(
            {
                "severity": "information",
                "code": "informational",
                "diagnostics": "No problems found.",
            }
        )
    return {"resourceType": "OperationOutcome", "issue": entries}
