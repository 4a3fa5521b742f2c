"""FHIR in and out for one organisation: the glue between ``openproms.fhir`` (pure
mapping) and the stored answers (docs/fhir.md; decision 0017).

* :func:`questionnaire_for`: a measure's Questionnaire as the organisation uses it
  (its own licensed wording included, marked as such in ``copyright``);
* :func:`questionnaire_response_import`: a QuestionnaireResponse in, checked, and
  saved through ``administration_submit`` like every other answer (mode
  "Imported"), idempotent on the response's identifier; every defect named;
* :func:`person_bundle`: a Bundle of everything for one person (Patient,
  QuestionnaireResponses, an Observation per scale score);
* :func:`organisation_resources`: every Patient, response and score of an
  organisation, one resource at a time, for a streamed NDJSON export.

Reads here are selectors: the caller that sends the result anywhere audits that
export. The NHS number goes out only while the person's decision in force on
sharing with their GP is not "no" (``people.consent.may_share_with_gp``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.catalogue.selectors import measure_definition
from openproms.collection.administration_rows import ApiSender
from openproms.collection.models import Administration, ScaleResult, TimePoint
from openproms.collection.services import (
    SubmissionConflict,
    SubmissionError,
    administration_submit,
)
from openproms.fhir import (
    FhirInputError,
    Identifier,
    Issue,
    Person,
    ResponseRecord,
    bundle,
    full_url,
    patient,
    person_resources,
    questionnaire,
    read_questionnaire_response,
    relative_reference,
    response_resources,
    stored_score_issues,
)
from openproms.fhir.issues import error
from openproms.fhir.mapping import Resolve
from openproms.fhir.uris import fhir_id, person_system, submission_system
from openproms.people.consent import may_share_with_gp
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import (
    MeasureDefinition,
    MeasureNotFound,
    ResponseInvalid,
    ResponseScore,
    ScaleScore,
    default_library,
    score_response,
)

SUBMISSION_PREFIX = "fhir:"


def _resolver(organisation: Organisation) -> Resolve:
    def resolve(measure_id: str, version: str | None) -> MeasureDefinition:
        try:
            return measure_definition(
                organisation=organisation, measure_id=measure_id, version=version
            )
        except Http404:
            which = f" version {version}" if version else ""
            raise MeasureNotFound(
                f"{organisation.name} has no measure {measure_id!r}{which}"
            ) from None

    return resolve


def questionnaire_for(
    *, organisation: Organisation, measure_id: str, version: str | None = None
) -> dict[str, Any]:
    """The Questionnaire of a measure as this organisation uses it. Raises Http404
    for a measure neither the library nor the organisation has."""
    return questionnaire(
        measure_definition(
            organisation=organisation, measure_id=measure_id, version=version
        )
    )


def patient_id(service_user_id: int) -> str:
    """The Patient id of a person (stable; no name or reference in it)."""
    return fhir_id("person", str(service_user_id))


def response_id(administration_id: int) -> str:
    """The QuestionnaireResponse id of a stored answer set."""
    return fhir_id("response", str(administration_id))


def person_fields(service_user: ServiceUser) -> Person:
    """What the Patient resource shows; the NHS number only while the person has
    not said no to sharing with their GP."""
    nhs = service_user.nhs_number or None
    if nhs is not None and not may_share_with_gp(service_user):
        nhs = None
    return Person(
        resource_id=patient_id(service_user.pk),
        reference=service_user.reference,
        reference_system=person_system(service_user.organisation.slug),
        given_name=service_user.given_name,
        family_name=service_user.family_name,
        birth_date=service_user.date_of_birth,
        nhs_number=nhs,
    )


def scale_scores(
    defn: MeasureDefinition,
    results: Sequence[ScaleResult],
    answers: Mapping[str, int | None],
) -> list[ScaleScore]:
    """Stored scale results as the engine's results, in the definition's order
    (the items missing read from the stored answers)."""
    by_id = {r.scale_id: r for r in results}
    scores = []
    for scale in defn.scales:
        row = by_id.get(scale.id)
        if row is None:
            continue
        banded = row.value is not None and scale.bands is not None and row.band
        scores.append(
            ScaleScore(
                scale_id=scale.id,
                label=scale.label,
                value=row.value,
                reason=row.reason or None,
                band=row.band or None,
                band_index=row.band_index,
                band_verified=scale.bands.source.verified
                if banded and scale.bands
                else None,
                case=row.is_case,
                case_verified=scale.caseness.source.verified
                if scale.caseness and row.is_case is not None
                else None,
                items_missing=tuple(i for i in scale.items if answers.get(i) is None),
                prorated=row.prorated,
            )
        )
    return scores


class _Definitions:
    """The organisation's definitions, looked up once per measure version."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.cache: dict[tuple[str, str], MeasureDefinition] = {}

    def get(self, measure_id: str, version: str) -> MeasureDefinition:
        key = (measure_id, version)
        if key not in self.cache:
            self.cache[key] = measure_definition(
                organisation=self.organisation, measure_id=measure_id, version=version
            )
        return self.cache[key]


def response_record(
    administration: Administration, defn: MeasureDefinition
) -> ResponseRecord:
    """A stored answer set as the pure package's record (needs ``results``)."""
    return ResponseRecord(
        measure=defn,
        answers=administration.answers,
        scales=scale_scores(
            defn, list(administration.results.all()), administration.answers
        ),
        resource_id=response_id(administration.pk),
        authored=administration.completed_at,
        identifier=Identifier(
            submission_system(administration.organisation.slug),
            administration.submission_id,
        ),
        amended=administration.version > 1,
    )


def person_bundle(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    answers: QuerySet[Administration] | None = None,
) -> dict[str, Any]:
    """A Bundle (type collection) of everything for one person in this
    organisation: their Patient, each QuestionnaireResponse and an Observation
    per scale score, oldest first. ``answers`` narrows the answers a caller may
    see (an API token limited to some services); by default every answer of the
    person. Raises Http404 for another organisation's person. The caller audits
    where it goes."""
    if service_user.organisation_id != organisation.pk:
        raise Http404("No such person.")
    definitions = _Definitions(organisation)
    if answers is None:
        answers = Administration.objects.all()
    administrations = (
        answers.filter(organisation=organisation, service_user=service_user)
        .select_related("organisation")
        .prefetch_related("results")
        .order_by("completed_at", "pk")
    )
    records = (
        response_record(a, definitions.get(a.measure_id, a.measure_version))
        for a in administrations
    )
    return bundle(
        person_resources(person_fields(service_user), records, refer=full_url),
        bundle_id=fhir_id("person", str(service_user.pk), "everything"),
        timestamp=timezone.now(),
    )


def organisation_resources(
    *, organisation: Organisation, chunk_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every Patient, then every QuestionnaireResponse with its Observations, of
    one organisation, one resource at a time (references as ``Type/id``, as
    NDJSON exports have them). Rows are read in chunks, so memory stays bounded
    however many there are."""
    people = ServiceUser.objects.filter(organisation=organisation).select_related(
        "organisation"
    )
    for service_user in people.order_by("pk").iterator(chunk_size=chunk_size):
        yield patient(person_fields(service_user))
    definitions = _Definitions(organisation)
    administrations = (
        Administration.objects.filter(organisation=organisation)
        .select_related("organisation")
        .prefetch_related("results")
        .order_by("pk")
    )
    for administration in administrations.iterator(chunk_size=chunk_size):
        defn = definitions.get(
            administration.measure_id, administration.measure_version
        )
        yield from response_resources(
            response_record(administration, defn),
            subject=relative_reference(
                "Patient", patient_id(administration.service_user_id)
            ),
            refer=relative_reference,
        )


# ------------------------------------------------------------------------ import


@dataclass(frozen=True)
class ImportResult:
    """A response imported (or recognised as imported before: ``created`` False),
    its scores, and every warning and note about it."""

    administration: Administration
    created: bool
    score: ResponseScore
    issues: tuple[Issue, ...]


def _submission_id(
    organisation: Organisation, identifier: Identifier | None, digest: str
) -> tuple[str, list[Issue]]:
    own = submission_system(organisation.slug)
    if (
        identifier is not None
        and identifier.system == own
        and len(identifier.value) <= 64
    ):
        return identifier.value, []
    if identifier is not None:
        key = f"{identifier.system or ''}|{identifier.value}"
        digest = hashlib.sha256(key.encode()).hexdigest()
        return SUBMISSION_PREFIX + digest[: 64 - len(SUBMISSION_PREFIX)], []
    return SUBMISSION_PREFIX + digest[: 64 - len(SUBMISSION_PREFIX)], [
        Issue(
            "warning",
            "informational",
            "the response has no identifier, so sending it again is recognised "
            "only when it is byte for byte the same",
            "QuestionnaireResponse.identifier",
        )
    ]


def _subject_issues(reference: str | None, service_user: ServiceUser) -> list[Issue]:
    ours = {
        relative_reference("Patient", patient_id(service_user.pk)),
        full_url("Patient", patient_id(service_user.pk)),
    }
    if reference is None or reference in ours:
        return []
    if reference.startswith("Patient/person."):
        return [
            error(
                "conflict",
                f"the response is about {reference}, not the person it is being "
                "saved for",
                "QuestionnaireResponse.subject",
            )
        ]
    return [
        Issue(
            "information",
            "informational",
            f"the response's subject {reference} is not an openproms Patient; it was "
            "saved for the person chosen",
            "QuestionnaireResponse.subject",
        )
    ]


def _identifier_used() -> FhirInputError:
    return FhirInputError(
        [
            error(
                "conflict",
                "a different response was already saved under this identifier; "
                "nothing was changed",
                "QuestionnaireResponse.identifier",
            )
        ]
    )


def _measure_name(organisation: Organisation, time_point: TimePoint) -> str:
    try:
        return _resolver(organisation)(
            time_point.measure_id, time_point.measure_version
        ).short_name
    except MeasureNotFound:
        return time_point.measure_id


def _replay(
    existing: Administration,
    *,
    service_user: ServiceUser,
    defn: MeasureDefinition,
    answers: Mapping[str, int | None],
) -> bool:
    return (
        existing.service_user_id == service_user.pk
        and existing.measure_id == defn.id
        and existing.measure_version == defn.version
        and existing.answers == dict(answers)
    )


@transaction.atomic
def questionnaire_response_import(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    resource: Mapping[str, Any],
    questionnaire: Mapping[str, Any] | None = None,
    measure: str | None = None,
    episode: Episode | None = None,
    time_point: TimePoint | None = None,
    actor: User | None = None,
    sent_by: ApiSender | None = None,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import one QuestionnaireResponse for a person of this organisation.

    The response is read with the organisation's definitions (see
    ``fhir.read_questionnaire_response``), then saved through
    ``administration_submit`` (mode "Imported"), which validates, scores, stores,
    raises risk alerts and completes ``time_point``; ``sent_by`` is the API token
    that sent it, kept on the answers. The submission id comes from
    the response's identifier, so importing it again stores nothing new (a
    response this organisation exported carries its own submission id back). A
    score the sender stored is compared and never stored: a disagreement is a
    warning naming both numbers. Raises :class:`FhirInputError` naming every defect;
    then nothing is stored.
    """
    if service_user.organisation_id != organisation.pk:
        raise Http404("No such person.")
    read = read_questionnaire_response(
        resource,
        resolve=_resolver(organisation),
        library=default_library(),
        questionnaire=questionnaire,
        measure=measure,
    )
    defn = read.measure
    problems = _subject_issues(read.subject, service_user)
    if time_point is not None:
        if time_point.episode.service_user_id != service_user.pk:
            problems.append(
                error("conflict", "the time point chosen is another person's")
            )
        elif time_point.measure_id != defn.id:
            problems.append(
                error(
                    "conflict",
                    f"the time point chosen is for {_measure_name(organisation, time_point)}"
                    f", but the response answers {defn.short_name}",
                )
            )
        episode = episode or time_point.episode
    if episode is not None and episode.service_user_id != service_user.pk:
        problems.append(error("conflict", "the episode chosen is another person's"))
    if any(p.severity == "error" for p in problems):
        raise FhirInputError([p for p in problems if p.severity == "error"])
    submission_id, notes = _submission_id(organisation, read.identifier, read.digest)
    existing = Administration.objects.filter(
        organisation=organisation, submission_id=submission_id
    ).first()
    if existing is not None and not submission_id.startswith(SUBMISSION_PREFIX):
        if not _replay(
            existing, service_user=service_user, defn=defn, answers=read.answers
        ):
            raise _identifier_used()
        administration = existing
        created = False
        score = score_response(defn, read.answers)
    else:
        completed_at = read.authored or timezone.now()
        if timezone.is_naive(completed_at):
            completed_at = completed_at.replace(tzinfo=dt.UTC)
        try:
            result = administration_submit(
                organisation=organisation,
                service_user=service_user,
                measure=defn,
                answers=read.answers,
                mode=Administration.Mode.IMPORT,
                submission_id=submission_id,
                collected_by=actor,
                episode=episode,
                time_point=time_point,
                completed_at=completed_at,
                sent_by=sent_by,
                request=request,
            )
        except ResponseInvalid as exc:
            raise FhirInputError(
                [error("value", e.message()) for e in exc.errors]
            ) from None
        except SubmissionConflict:
            raise _identifier_used() from None
        except SubmissionError as exc:
            raise FhirInputError([error("conflict", str(exc))]) from None
        administration, created, score = (
            result.administration,
            result.created,
            result.score,
        )
    compared = stored_score_issues(read, score)
    issues = (*read.issues, *problems, *notes, *compared)
    log_action(
        action="administration.import",
        actor=actor,
        organisation=organisation,
        obj=administration,
        request=request,
        actor_label=None if actor else "FHIR import",
        detail={
            "format": "FHIR R4 QuestionnaireResponse",
            "measure": defn.key,
            "created": created,
            "stored_scores_not_kept": sorted(
                {
                    s.scale_id
                    for s, i in zip(read.stored_scores, compared, strict=True)
                    if i.severity == "warning"
                }
            ),
            "warnings": sum(1 for i in issues if i.severity == "warning"),
        },
    )
    return ImportResult(
        administration=administration, created=created, score=score, issues=issues
    )
