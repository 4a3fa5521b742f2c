"""QuestionnaireResponse in: read a response as answers to a measure, check it,
score it, and say what was wrong with it.

:func:`read_questionnaire_response` checks the resource against the FHIR
specification, finds the measure it answers (see :mod:`openproms.fhir.mapping`),
and turns each answer into the measure's answer code, naming every problem (an
unknown question, an answer that is not allowed, two answers to one question).
Scores the sender worked out are kept aside: :func:`stored_score_issues` compares
them with the engine's score and names any disagreement; they are never stored.
:func:`score_questionnaire_response` does both, for the ``openproms fhir score``
command; the web app's import goes through ``collection.services.administration_submit``
like every other answer (``collection/fhir_io.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from openproms.fhir import uris
from openproms.fhir.crosswalk import crosswalks
from openproms.fhir.issues import FhirInputError, Issue, error
from openproms.fhir.mapping import (
    Plan,
    Resolve,
    _resolve,
    crosswalk_plan,
    own_plan,
    plan_from_questionnaire,
    question_name,
)
from openproms.fhir.validation import validation_issues
from openproms.scoring.definitions import MeasureDefinition
from openproms.scoring.engine import ResponseScore, score_codes, validate_answers
from openproms.scoring.library import default_library, get_measure

ACCEPTED_STATUSES = ("completed", "amended")


@dataclass(frozen=True, slots=True)
class Identifier:
    """A response's business identifier (``QuestionnaireResponse.identifier``)."""

    system: str | None
    value: str


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A score the sender put in the response (compared, never stored)."""

    scale_id: str
    value: float
    expression: str


@dataclass(frozen=True)
class ReadResponse:
    """A response read as answers to one measure version.

    ``answers`` maps every item id to its code (None: not answered). ``digest``
    is a hash of the whole resource, which identifies a response that has no
    identifier. ``issues`` are warnings and notes (errors raise instead).
    """

    measure: MeasureDefinition
    answers: Mapping[str, int | None]
    identifier: Identifier | None
    authored: dt.datetime | None
    subject: str | None
    stored_scores: tuple[StoredScore, ...]
    issues: tuple[Issue, ...]
    digest: str


@dataclass(frozen=True)
class ScoredResponse:
    """A read response, its scores, and every issue (read and scoring)."""

    read: ReadResponse
    score: ResponseScore
    issues: tuple[Issue, ...]


def parse_datetime(text: str) -> dt.datetime:
    """A FHIR dateTime as a datetime; a date alone, or a year and month, is
    midnight UTC on its first day (FHIR allows partial dates)."""
    if len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    if len(text) == 10:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(text)


def resource_digest(resource: Mapping[str, Any]) -> str:
    """SHA-256 of the resource as canonical JSON (sorted keys, no spaces)."""
    body = json.dumps(
        resource, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _walk(items: object, path: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    if not isinstance(items, list):
        return
    for n, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        where = f"{path}.item[{n}]"
        yield item, where
        yield from _walk(item.get("item"), where)
        for k, answer in enumerate(item.get("answer", []) or []):
            if isinstance(answer, Mapping):
                yield from _walk(answer.get("item"), f"{where}.answer[{k}]")


def _number(answer: Mapping[str, Any]) -> float | None:
    quantity = answer.get("valueQuantity")
    value = quantity.get("value") if isinstance(quantity, Mapping) else None
    for key in ("valueDecimal", "valueInteger"):
        if value is None:
            value = answer.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _plan(
    resource: Mapping[str, Any],
    *,
    resolve: Resolve,
    library: Iterable[MeasureDefinition],
    questionnaire: Mapping[str, Any] | None,
    measure: str | None,
) -> tuple[Plan, list[Issue]]:
    notes: list[Issue] = []
    canonical = resource.get("questionnaire")
    if questionnaire is not None:
        return (
            plan_from_questionnaire(
                questionnaire, resolve=resolve, library=library, measure=measure
            ),
            notes,
        )
    if isinstance(canonical, str):
        url, _, version = canonical.partition("|")
        if url.startswith(uris.QUESTIONNAIRE_BASE):
            mid = url[len(uris.QUESTIONNAIRE_BASE) :]
            defn = _resolve(resolve, mid, version or None)
            if measure is not None and measure != defn.id:
                raise FhirInputError(
                    [
                        error(
                            "conflict",
                            f"the response answers {defn.key}, not {measure}",
                            "QuestionnaireResponse.questionnaire",
                        )
                    ]
                )
            if not version:
                notes.append(
                    Issue(
                        "information",
                        "informational",
                        f"the response names no version of the Questionnaire; read "
                        f"as {defn.key}, the latest",
                        "QuestionnaireResponse.questionnaire",
                    )
                )
            return own_plan(
                defn, described_as=f"openproms' Questionnaire for {defn.key}"
            ), notes
        walk = crosswalks().get(url)
        if walk is not None:
            return crosswalk_plan(walk, resolve), notes
    if measure is not None:
        defn = _resolve(resolve, measure, None)
        return own_plan(defn, described_as=f"read as {defn.key}, as asked"), notes
    named = (
        f"names the Questionnaire {canonical!r}, which openproms does not know"
        if isinstance(canonical, str)
        else "does not name the Questionnaire it answers"
    )
    raise FhirInputError(
        [
            error(
                "not-found",
                f"the response {named}; give that Questionnaire (its items need "
                "LOINC or SNOMED CT codes) or name the measure",
                "QuestionnaireResponse.questionnaire",
            )
        ]
    )


def read_questionnaire_response(
    resource: Mapping[str, Any],
    *,
    resolve: Resolve = get_measure,
    library: Iterable[MeasureDefinition] | None = None,
    questionnaire: Mapping[str, Any] | None = None,
    measure: str | None = None,
) -> ReadResponse:
    """Read a QuestionnaireResponse as answers to one measure version.

    ``resolve(measure_id, version)`` gives the definition (the organisation's,
    inside the web app); ``library`` is searched when a foreign ``questionnaire``
    must be matched by its codes. Raises :class:`FhirInputError` naming every
    problem: not valid FHIR, not completed, no measure found, an item that is not
    a question of the measure, two answers to one question, an answer that is not
    allowed. Nothing is guessed: an item either maps or is an error.
    """
    if not isinstance(resource, Mapping):
        raise FhirInputError([error("structure", "the input is not a JSON object")])
    if resource.get("resourceType") != "QuestionnaireResponse":
        raise FhirInputError(
            [
                error(
                    "structure",
                    f"resourceType is {resource.get('resourceType')!r}, not "
                    "'QuestionnaireResponse'",
                    "resourceType",
                )
            ]
        )
    problems = validation_issues(resource)
    if problems:
        raise FhirInputError(problems)
    status = resource.get("status")
    if status not in ACCEPTED_STATUSES:
        raise FhirInputError(
            [
                error(
                    "business-rule",
                    f"status is {status!r}: only a completed (or amended) response is "
                    "scored",
                    "QuestionnaireResponse.status",
                )
            ]
        )
    plan, notes = _plan(
        resource,
        resolve=resolve,
        library=default_library() if library is None else library,
        questionnaire=questionnaire,
        measure=measure,
    )
    defn = plan.measure
    errors: list[Issue] = []
    raw: dict[str, int] = {}
    seen: dict[str, str] = {}
    answer_at: dict[str, str] = {}
    stored: list[StoredScore] = []
    for item, where in _walk(resource.get("item"), "QuestionnaireResponse"):
        link_id = str(item.get("linkId"))
        if link_id in seen:
            errors.append(
                error(
                    "structure",
                    f"linkId {link_id!r} appears twice (first at {seen[link_id]})",
                    where,
                )
            )
            continue
        seen[link_id] = where
        answers = [a for a in item.get("answer", []) or [] if isinstance(a, Mapping)]
        if link_id in plan.questions:
            item_id = plan.questions[link_id]
            if len(answers) > 1:
                errors.append(
                    error(
                        "structure",
                        f"{question_name(defn, item_id)} has {len(answers)} answers; "
                        "it takes one",
                        where,
                    )
                )
            elif answers:
                answer_at[item_id] = f"{where}.answer[0]"
                code = plan.read_answer(
                    defn.item(item_id), answers[0], answer_at[item_id]
                )
                if isinstance(code, Issue):
                    errors.append(code)
                else:
                    raw[item_id] = code
        elif link_id in plan.scores:
            value = _number(answers[0]) if len(answers) == 1 else None
            if value is None or not math.isfinite(value):
                errors.append(
                    error(
                        "value",
                        f"score item {link_id!r} has no number",
                        where,
                    )
                )
            else:
                stored.append(StoredScore(plan.scores[link_id], value, where))
        elif link_id in plan.passive:
            if answers:
                errors.append(
                    error(
                        "structure",
                        f"item {link_id!r} is a group or display item and takes no "
                        "answer",
                        where,
                    )
                )
        else:
            errors.append(
                error(
                    "not-found",
                    f"item {link_id!r} is not a question of {defn.short_name} "
                    f"({plan.described_as})",
                    where,
                )
            )
    codes, answer_errors = validate_answers(defn, raw)
    for problem in answer_errors:
        errors.append(
            error(
                "value",
                f"{question_name(defn, problem.item_id)}: answer {problem.value!r} "
                f"{problem.reason}",
                answer_at.get(problem.item_id),
            )
        )
    if errors:
        raise FhirInputError(errors)
    ident = resource.get("identifier")
    identifier = (
        Identifier(ident.get("system"), str(ident["value"]))
        if isinstance(ident, Mapping) and ident.get("value")
        else None
    )
    authored = resource.get("authored")
    subject = resource.get("subject")
    return ReadResponse(
        measure=defn,
        answers=codes,
        identifier=identifier,
        authored=parse_datetime(authored) if isinstance(authored, str) else None,
        subject=subject.get("reference") if isinstance(subject, Mapping) else None,
        stored_scores=tuple(stored),
        issues=(*plan.notes, *notes),
        digest=resource_digest(resource),
    )


def _shown(value: float) -> str:
    return f"{value:g}"


def stored_score_issues(read: ReadResponse, score: ResponseScore) -> list[Issue]:
    """Compare each score the sender stored with the engine's score.

    A disagreement is a warning naming both numbers: the engine's score is the one
    kept, the stored number is not stored anywhere. Agreement is a note. Two
    numbers agree when they are equal after rounding to the scale's decimals.
    """
    found: list[Issue] = []
    defn = read.measure
    for stored in read.stored_scores:
        scale = defn.scale(stored.scale_id)
        ours = score[stored.scale_id]
        name = scale.label
        if ours.value is None:
            found.append(
                Issue(
                    "warning",
                    "business-rule",
                    f"the response gives the {name} as {_shown(stored.value)}, but "
                    f"its answers have no score ({ours.reason}); "
                    f"{_shown(stored.value)} was not kept",
                    stored.expression,
                )
            )
            continue
        places = scale.decimals or 0
        if round(stored.value, places) == round(ours.value, places):
            found.append(
                Issue(
                    "information",
                    "informational",
                    f"the response's {name}, {_shown(stored.value)}, agrees with its "
                    "answers",
                    stored.expression,
                )
            )
        else:
            found.append(
                Issue(
                    "warning",
                    "business-rule",
                    f"the response gives the {name} as {_shown(stored.value)}, but "
                    f"its answers add up to {_shown(ours.value)}: the score is "
                    f"{_shown(ours.value)} and {_shown(stored.value)} was not kept",
                    stored.expression,
                )
            )
    return found


def score_questionnaire_response(
    resource: Mapping[str, Any],
    *,
    resolve: Resolve = get_measure,
    library: Iterable[MeasureDefinition] | None = None,
    questionnaire: Mapping[str, Any] | None = None,
    measure: str | None = None,
) -> ScoredResponse:
    """Read and score a response with the scoring engine (raises
    :class:`FhirInputError` as :func:`read_questionnaire_response` does)."""
    read = read_questionnaire_response(
        resource,
        resolve=resolve,
        library=library,
        questionnaire=questionnaire,
        measure=measure,
    )
    score = score_codes(read.measure, read.answers)
    return ScoredResponse(
        read=read, score=score, issues=(*read.issues, *stored_score_issues(read, score))
    )
