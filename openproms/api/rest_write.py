"""Answers sent to the REST API, saved through ``administration_submit``.

The submission id is the client's ``Idempotency-Key`` header or its
``submission_id`` (``api:`` before it, so it never meets an id the web pages
made). ``administration_submit`` makes the replay safe: the same key with the
same answers (the person, measure, time point and answers) gives back the
original; with different ones it raises ``SubmissionConflict`` (409) and stores
nothing. The answers keep which token sent them (``Administration.api_token``,
and its name for when the token is deleted).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from openproms.api import rest_schemas as s
from openproms.api import selectors
from openproms.api.models import ApiToken
from openproms.api.tokens import Refusal
from openproms.catalogue.selectors import measure_definition, organisation_uses_measure
from openproms.collection.administration_rows import ApiSender
from openproms.collection.models import Administration
from openproms.collection.services import (
    SubmissionConflict,
    SubmissionError,
    administration_submit,
)
from openproms.scoring import ResponseInvalid

KEY_START = "api:"
LONGEST_KEY = 64 - len(KEY_START)


def _key(body: s.AdministrationIn, header: str | None) -> str:
    header = (header or "").strip() or None
    if header and body.submission_id and header != body.submission_id:
        raise Refusal(
            400,
            "The Idempotency-Key header and submission_id differ: send one, or "
            "the same in both.",
        )
    key = header or body.submission_id
    if not key:
        raise Refusal(
            400,
            "Send an Idempotency-Key header (or submission_id), so that sending "
            "again never saves the answers twice.",
        )
    if len(key) > LONGEST_KEY:
        raise Refusal(
            400, f"The Idempotency-Key is longer than {LONGEST_KEY} characters."
        )
    return KEY_START + key


def administration_create(
    request: HttpRequest, *, token: ApiToken, body: s.AdministrationIn, key: str | None
) -> tuple[Administration, bool]:
    """Check what the body names (each in the token's scope) and save the answers;
    returns them and whether they are new."""
    submission_id = _key(body, key)
    person = selectors.people_for(token).filter(pk=body.person_id).first()
    if person is None:
        raise Refusal(422, f"person_id {body.person_id}: no such person.")
    organisation = token.organisation
    try:
        measure = measure_definition(
            organisation=organisation,
            measure_id=body.measure_id,
            version=body.measure_version,
        )
    except Http404:
        raise Refusal(
            422, f"measure_id {body.measure_id!r}: no such measure."
        ) from None
    if not organisation_uses_measure(organisation=organisation, measure_id=measure.id):
        raise Refusal(
            422,
            f"measure_id {body.measure_id!r}: {organisation.name} does not use "
            f"{measure.short_name}.",
        )
    episode = None
    if body.episode_id is not None:
        episode = selectors.episodes_for(token).filter(pk=body.episode_id).first()
        if episode is None or episode.service_user_id != person.pk:
            raise Refusal(422, f"episode_id {body.episode_id}: not this person's.")
    point = None
    if body.time_point_id is not None:
        point = (
            selectors.time_points_for(token)
            .select_related("episode")
            .filter(pk=body.time_point_id)
            .first()
        )
        if point is None or point.episode.service_user_id != person.pk:
            raise Refusal(
                422, f"time_point_id {body.time_point_id}: not this person's."
            )
        if point.measure_id != measure.id:
            raise Refusal(
                422,
                f"time_point_id {body.time_point_id}: it is for another measure.",
            )
    unknown = sorted(set(body.answers) - {item.id for item in measure.items})
    if unknown:
        raise Refusal(
            422,
            f"answers: {measure.short_name} has no question {unknown[0]!r}.",
        )
    try:
        result = administration_submit(
            organisation=organisation,
            service_user=person,
            measure=measure,
            answers=body.answers,
            mode=Administration.Mode.IMPORT,
            submission_id=submission_id,
            episode=episode,
            time_point=point,
            completed_at=body.completed_at,
            sent_by=ApiSender(token_id=token.pk, name=token.name),
            request=request,
        )
    except ResponseInvalid as exc:
        raise Refusal(
            422, "answers: " + "; ".join(e.message() for e in exc.errors)
        ) from None
    except SubmissionConflict:
        raise Refusal(
            409,
            "This Idempotency-Key was used before with other answers; nothing was "
            "changed.",
        ) from None
    except SubmissionError as exc:
        raise Refusal(409, str(exc)) from None
    return result.administration, result.created
