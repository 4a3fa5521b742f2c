"""openproms.fhir: measures, answers, scores and people as FHIR R4 (4.0.1) JSON.

Pure Python (no Django): plain data in (a :class:`MeasureDefinition`, an answers
dict, :class:`ScaleScore` results, a :class:`Person`), FHIR JSON dicts out, and
back. The public API:

* :func:`questionnaire`: a measure's Questionnaire, from its one definition;
* :func:`questionnaire_response`: stored answers as a QuestionnaireResponse;
* :func:`read_questionnaire_response`, :func:`score_questionnaire_response`,
  :func:`stored_score_issues`: a response in, checked, as answers and scores, every
  defect named (:class:`FhirInputError`, :class:`Issue`, :func:`operation_outcome`);
* :func:`observation`, :func:`patient` (:class:`Person`),
  :func:`response_resources`, :func:`person_resources` (:class:`ResponseRecord`);
* :func:`bundle`, :func:`bundle_chunks`, :func:`write_ndjson`, :func:`full_url`,
  :func:`relative_reference`: a Bundle for one person, streamed exports for many;
* :func:`validation_issues`: a resource checked by ``fhir.resources``.

See docs/fhir.md.
"""

from openproms.fhir.bundle import (
    bundle,
    bundle_chunks,
    full_url,
    relative_reference,
    write_ndjson,
)
from openproms.fhir.export import ResponseRecord, person_resources, response_resources
from openproms.fhir.issues import FhirInputError, Issue, operation_outcome
from openproms.fhir.observation import observation
from openproms.fhir.patient import Person, patient
from openproms.fhir.questionnaire import questionnaire
from openproms.fhir.response_in import (
    Identifier,
    ReadResponse,
    ScoredResponse,
    read_questionnaire_response,
    score_questionnaire_response,
    stored_score_issues,
)
from openproms.fhir.response_out import questionnaire_response
from openproms.fhir.validation import validation_issues

__all__ = [
    "FhirInputError",
    "Identifier",
    "Issue",
    "Person",
    "ReadResponse",
    "ResponseRecord",
    "ScoredResponse",
    "bundle",
    "bundle_chunks",
    "full_url",
    "observation",
    "operation_outcome",
    "patient",
    "person_resources",
    "questionnaire",
    "questionnaire_response",
    "read_questionnaire_response",
    "relative_reference",
    "response_resources",
    "score_questionnaire_response",
    "stored_score_issues",
    "validation_issues",
    "write_ndjson",
]
