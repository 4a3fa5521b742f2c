"""FHIR R4 (4.0.1) endpoints at ``/o/<org_slug>/fhir/R4/`` (docs/api.md).

Every resource is made by the pure package ``openproms.fhir`` through the glue in
``collection/fhir_io.py``; nothing about a resource is built here. These views
parse the request, ask the token gate (:mod:`openproms.api.tokens`) and the
token's scope (:mod:`openproms.api.selectors`), and answer
``application/fhir+json``; every refusal is an OperationOutcome naming what is
wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.api import selectors
from openproms.api.capability import capability_statement
from openproms.api.tokens import require, shown, token_view
from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.collection.administration_rows import ApiSender
from openproms.collection.fhir_io import (
    patient_id,
    person_bundle,
    questionnaire_for,
    questionnaire_response_import,
    response_id,
    response_record,
)
from openproms.collection.models import Administration
from openproms.fhir import (
    FhirInputError,
    Issue,
    operation_outcome,
    relative_reference,
    response_resources,
)
from openproms.fhir.issues import error
from openproms.fhir.uris import fhir_id
from openproms.people.models import ServiceUser

FHIR_JSON = "application/fhir+json"
View = Callable[..., HttpResponse]

# How each status's refusal is typed in an OperationOutcome.
_ISSUE_CODES = {
    400: "structure",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    422: "processing",
    429: "throttled",
}


def fhir_response(
    resource: Mapping[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def outcome_response(
    status: int, issues: Iterable[Issue], headers: dict[str, str] | None = None
) -> HttpResponse:
    return fhir_response(operation_outcome(issues), status, headers)


def refused(status: int, message: str, headers: dict[str, str]) -> HttpResponse:
    """The gate's refusal as an OperationOutcome."""
    return outcome_response(
        status,
        [Issue("error", _ISSUE_CODES.get(status, "processing"), message)],
        headers,
    )


def fhir_view(view: View) -> View:
    """The token gate, then the view; an unknown resource is a 404 outcome."""

    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Http404 as missing:
            return refused(404, str(missing) or "No such resource.", {})

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return token_view(refused)(guarded)


def _searchset(request: HttpRequest, resources: list[dict[str, Any]]) -> HttpResponse:
    result: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": timezone.now().isoformat(),
        "total": len(resources),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
    }
    if resources:
        result["entry"] = [
            {
                "fullUrl": request.build_absolute_uri(_resource_url(request, resource)),
                "resource": resource,
                "search": {"mode": "match"},
            }
            for resource in resources
        ]
    return fhir_response(result)


def _base(request: HttpRequest) -> str:
    organisation = request.organisation  # type: ignore[attr-defined]
    return f"/o/{organisation.slug}/fhir/R4/"


def _resource_url(request: HttpRequest, resource: Mapping[str, Any]) -> str:
    return f"{_base(request)}{resource['resourceType']}/{resource['id']}"


# ---------------------------------------------------------------- metadata


@fhir_view
@require_http_methods(["GET"])
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: what this server does."""
    require(request, Action.ORG_VIEW)
    return fhir_response(
        capability_statement(
            base=request.build_absolute_uri(_base(request)),
            organisation_name=request.organisation.name,  # type: ignore[attr-defined]
        )
    )


# ---------------------------------------------------------------- Questionnaire


def _questionnaires(request: HttpRequest) -> list[dict[str, Any]]:
    organisation = request.organisation  # type: ignore[attr-defined]
    return [
        questionnaire_for(
            organisation=organisation,
            measure_id=m.measure_id,
            version=m.measure_version,
        )
        for m in organisation_measures(organisation).order_by(
            "measure_id", "measure_version"
        )
    ]


def _codes(resource: Mapping[str, Any], field: str = "code") -> set[str]:
    """Every ``code`` and ``system|code`` a resource is coded with."""
    found: set[str] = set()
    value = resource.get(field)
    codings = value if isinstance(value, list) else (value or {}).get("coding", [])
    for coding in codings:
        code = coding.get("code")
        if code:
            found.add(code)
            found.add(f"{coding.get('system', '')}|{code}")
    return found


def _token_matches(wanted: str, codes: set[str]) -> bool:
    """A FHIR token search value (``code``, ``system|code``, several with commas)."""
    return any(part.strip() in codes for part in wanted.split(","))


@fhir_view
@require_http_methods(["GET"])
def questionnaire_search(request: HttpRequest) -> HttpResponse:
    """Questionnaire?code=... (LOINC or SNOMED CT panel code), ?url=, ?name=."""
    require(request, Action.MEASURE_VIEW)
    found = _questionnaires(request)
    code = request.GET.get("code")
    if code:
        found = [q for q in found if _token_matches(code, _codes(q))]
    url = request.GET.get("url")
    if url:
        bare, _, version = url.partition("|")
        found = [
            q
            for q in found
            if q.get("url") == bare and (not version or q.get("version") == version)
        ]
    name = request.GET.get("name")
    if name:
        found = [q for q in found if name.lower() in str(q.get("name", "")).lower()]
    return _searchset(request, found)


@fhir_view
@require_http_methods(["GET"])
def questionnaire_read(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    """Questionnaire/<measure id>.<version>."""
    require(request, Action.MEASURE_VIEW)
    organisation = request.organisation  # type: ignore[attr-defined]
    for m in organisation_measures(organisation):
        if fhir_id(m.measure_id, m.measure_version) == questionnaire_id:
            return fhir_response(
                questionnaire_for(
                    organisation=organisation,
                    measure_id=m.measure_id,
                    version=m.measure_version,
                )
            )
    raise Http404(f"This organisation uses no Questionnaire {questionnaire_id}.")


# -------------------------------------------------------- QuestionnaireResponse


def _person_from_reference(request: HttpRequest, reference: str) -> ServiceUser:
    """The person a ``Patient/<id>`` (or bare id) reference names, in the token's
    scope; 404 otherwise."""
    token = request.api_token  # type: ignore[attr-defined]
    wanted = reference.strip().removeprefix("Patient/")
    prefix = "person."
    if wanted.startswith(prefix) and wanted[len(prefix) :].isdigit():
        person = (
            selectors.people_for(token)
            .select_related("organisation")
            .filter(pk=int(wanted[len(prefix) :]))
            .first()
        )
        if person is not None:
            return person
    raise Http404(f"This organisation has no Patient {wanted}.")


def _response_resources(
    administration: Administration, refer: Callable[[str, str], str]
) -> list[dict[str, Any]]:
    defn = measure_definition(
        organisation=administration.organisation,
        measure_id=administration.measure_id,
        version=administration.measure_version,
    )
    return response_resources(
        response_record(administration, defn),
        subject=refer("Patient", patient_id(administration.service_user_id)),
        refer=refer,
    )


def _administrations(request: HttpRequest) -> Any:
    token = request.api_token  # type: ignore[attr-defined]
    return (
        selectors.administrations_for(token)
        .select_related("organisation")
        .prefetch_related("results")
        .order_by("completed_at", "pk")
    )


def _administration_pk(resource_id: str) -> int | None:
    prefix = "response."
    if resource_id.startswith(prefix) and resource_id[len(prefix) :].isdigit():
        return int(resource_id[len(prefix) :])
    return None


@fhir_view
@require_http_methods(["GET", "POST"])
def questionnaire_response_type(request: HttpRequest) -> HttpResponse:
    """GET: search by ``patient`` (or ``subject``); POST: create."""
    if request.method == "POST":
        return _questionnaire_response_create(request)
    require(request, Action.PERSON_VIEW)
    wanted = request.GET.get("patient") or request.GET.get("subject")
    if not wanted:
        return outcome_response(
            400,
            [
                error(
                    "required",
                    "Search QuestionnaireResponse by patient: ?patient=Patient/<id>.",
                    "patient",
                )
            ],
        )
    person = _person_from_reference(request, wanted)
    shown(request, [person.pk])
    found = [
        _response_resources(a, relative_reference)[0]
        for a in _administrations(request).filter(service_user=person)
    ]
    return _searchset(request, found)


def _contained_questionnaire(resource: Mapping[str, Any]) -> dict[str, Any] | None:
    """The Questionnaire a response carries in ``contained`` and names as
    ``#id`` (how a form filler sends a questionnaire of its own)."""
    named = resource.get("questionnaire")
    if not isinstance(named, str) or not named.startswith("#"):
        return None
    for inner in resource.get("contained") or []:
        if (
            isinstance(inner, dict)
            and inner.get("resourceType") == "Questionnaire"
            and inner.get("id") == named[1:]
        ):
            return inner
    return None


def _questionnaire_response_create(request: HttpRequest) -> HttpResponse:
    require(request, Action.ANSWER_COLLECT)
    token = request.api_token  # type: ignore[attr-defined]
    try:
        resource = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        return outcome_response(
            400, [error("structure", f"The body is not JSON: {exc}.")]
        )
    if not isinstance(resource, dict) or (
        resource.get("resourceType") != "QuestionnaireResponse"
    ):
        return outcome_response(
            400,
            [
                error(
                    "structure",
                    "The body must be one QuestionnaireResponse resource.",
                    "resourceType",
                )
            ],
        )
    reference = (resource.get("subject") or {}).get("reference")
    if not isinstance(reference, str) or not reference:
        return outcome_response(
            422,
            [
                error(
                    "required",
                    "The response must name its person: subject.reference = "
                    "Patient/<id> of a person of this organisation.",
                    "QuestionnaireResponse.subject",
                )
            ],
        )
    try:
        person = _person_from_reference(request, reference)
    except Http404:
        return outcome_response(
            422,
            [
                error(
                    "not-found",
                    f"The subject {reference} is not a Patient of this organisation.",
                    "QuestionnaireResponse.subject",
                )
            ],
        )
    questionnaire = _contained_questionnaire(resource)
    if questionnaire is not None:
        # Read as the response's questionnaire (its defects are warnings, as
        # for one sent beside it), not as a part of the response.
        resource = {
            **resource,
            "contained": [c for c in resource["contained"] if c is not questionnaire],
        }
        if not resource["contained"]:
            del resource["contained"]
        resource.pop("questionnaire")
    try:
        imported = questionnaire_response_import(
            organisation=request.organisation,  # type: ignore[attr-defined]
            service_user=person,
            resource=resource,
            questionnaire=questionnaire,
            measure=request.GET.get("measure") or None,
            sent_by=ApiSender(token_id=token.pk, name=token.name),
            request=request,
        )
    except FhirInputError as exc:
        conflict = any(i.code == "conflict" for i in exc.issues)
        return outcome_response(409 if conflict else 422, exc.issues)
    shown(request, [person.pk])
    administration = imported.administration
    location = f"{_base(request)}QuestionnaireResponse/{response_id(administration.pk)}"
    status = 201 if imported.created else 200
    headers = {"Location": request.build_absolute_uri(location)}
    if "return=OperationOutcome" in request.headers.get("Prefer", ""):
        return outcome_response(status, imported.issues, headers)
    stored = _administrations(request).get(pk=administration.pk)
    return fhir_response(
        _response_resources(stored, relative_reference)[0], status, headers
    )


@fhir_view
@require_http_methods(["GET"])
def questionnaire_response_read(request: HttpRequest, response_id: str) -> HttpResponse:
    require(request, Action.PERSON_VIEW)
    pk = _administration_pk(response_id)
    stored = _administrations(request).filter(pk=pk).first() if pk else None
    if stored is None:
        raise Http404(f"No QuestionnaireResponse {response_id}.")
    shown(request, [stored.service_user_id])
    return fhir_response(_response_resources(stored, relative_reference)[0])


# ------------------------------------------------------------- Observation


@fhir_view
@require_http_methods(["GET"])
def observation_search(request: HttpRequest) -> HttpResponse:
    """Observation?patient=...[&code=...]: one per scale score."""
    require(request, Action.PERSON_VIEW)
    wanted = request.GET.get("patient") or request.GET.get("subject")
    if not wanted:
        return outcome_response(
            400,
            [
                error(
                    "required",
                    "Search Observation by patient: ?patient=Patient/<id>, and "
                    "optionally &code=<system>|<code>.",
                    "patient",
                )
            ],
        )
    person = _person_from_reference(request, wanted)
    shown(request, [person.pk])
    code = request.GET.get("code")
    found = [
        resource
        for a in _administrations(request).filter(service_user=person)
        for resource in _response_resources(a, relative_reference)[1:]
        if not code or _token_matches(code, _codes(resource))
    ]
    return _searchset(request, found)


# ----------------------------------------------------------------- Patient


@fhir_view
@require_http_methods(["GET"])
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    """Patient/<id>/$everything: the person's Bundle."""
    require(request, Action.PERSON_VIEW)
    person = _person_from_reference(request, patient_id)
    shown(request, [person.pk])
    return fhir_response(
        person_bundle(
            organisation=request.organisation,  # type: ignore[attr-defined]
            service_user=person,
            answers=selectors.administrations_for(request.api_token),  # type: ignore[attr-defined]
        )
    )
