"""Stored rows as the REST API's JSON (the shapes in :mod:`rest_schemas`)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from openproms.accounts.models import Organisation
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import Administration, TimePoint
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition
from openproms.scoring.names import display_title


class Definitions:
    """The organisation's measure definitions, each looked up once per request."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.cache: dict[tuple[str, str], MeasureDefinition | None] = {}

    def get(self, measure_id: str, version: str) -> MeasureDefinition:
        found = self.find(measure_id, version)
        if found is None:
            raise Http404("No such measure.")
        return found

    def find(self, measure_id: str, version: str) -> MeasureDefinition | None:
        key = (measure_id, version)
        if key not in self.cache:
            try:
                self.cache[key] = measure_definition(
                    organisation=self.organisation,
                    measure_id=measure_id,
                    version=version,
                )
            except Http404:
                self.cache[key] = None
        return self.cache[key]

    def name(self, measure_id: str, version: str) -> str:
        defn = self.find(measure_id, version)
        return defn.short_name if defn is not None else measure_id


def definitions(organisation: Organisation) -> Definitions:
    return Definitions(organisation)


def person_out(person: ServiceUser) -> dict[str, Any]:
    return {
        "id": person.pk,
        "reference": person.reference,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth,
        "nhs_number": person.nhs_number,
        "sex": person.sex,
        "postcode": person.postcode,
        "restricted": person.restricted_at is not None,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def episode_out(episode: Episode) -> dict[str, Any]:
    return {
        "id": episode.pk,
        "person_id": episode.service_user_id,
        "service_id": episode.service_id,
        "service_name": episode.service.name,
        "start_date": episode.start_date,
        "end_date": episode.end_date,
        "status": episode.status,
        "status_label": episode.get_status_display(),
        "close_reason": episode.close_reason,
        "created_at": episode.created_at,
    }


def time_point_out(point: TimePoint, names: Definitions) -> dict[str, Any]:
    return {
        "id": point.pk,
        "episode_id": point.episode_id,
        "label": point.label,
        "measure_id": point.measure_id,
        "measure_version": point.measure_version,
        "measure_name": names.name(point.measure_id, point.measure_version),
        "due_date": point.due_date,
        "window_start": point.window_start,
        "window_end": point.window_end,
        "status": point.status,
        "status_label": point.get_status_display(),
        "missed_reason": point.missed_reason,
        "administration_id": getattr(point, "administration_pk", None),
    }


def _answers(
    defn: MeasureDefinition | None, answers: dict[str, int | None]
) -> list[dict[str, Any]]:
    if defn is None:
        return [
            {"item_id": k, "question_number": n, "code": v, "label": None}
            for n, (k, v) in enumerate(answers.items(), 1)
        ]
    out = []
    for number, item in enumerate(defn.items, 1):
        code = answers.get(item.id)
        label = None
        if code is not None:
            option = next(
                (o for o in item.response_set.options if o.code == code), None
            )
            label = getattr(option, "label", None) if option is not None else None
        out.append(
            {
                "item_id": item.id,
                "question_number": number,
                "code": code,
                "label": label,
            }
        )
    return out


def administration_out(
    administration: Administration, names: Definitions
) -> dict[str, Any]:
    defn = names.find(administration.measure_id, administration.measure_version)
    scale_names = {sc.id: sc.label for sc in defn.scales} if defn else {}
    return {
        "id": administration.pk,
        "person_id": administration.service_user_id,
        "episode_id": administration.episode_id,
        "time_point_id": administration.time_point_id,
        "measure_id": administration.measure_id,
        "measure_version": administration.measure_version,
        "measure_name": names.name(
            administration.measure_id, administration.measure_version
        ),
        "mode": administration.mode,
        "mode_label": administration.get_mode_display(),
        "submission_id": administration.submission_id,
        "completed_at": administration.completed_at,
        "created_at": administration.created_at,
        "version": administration.version,
        "answers": _answers(defn, administration.answers),
        "scores": [
            {
                "scale_id": r.scale_id,
                "scale_name": scale_names.get(r.scale_id, r.scale_id),
                "value": r.value,
                "band": r.band,
                "reason": r.reason,
                "prorated": r.prorated,
                "items_missing": r.items_missing,
            }
            for r in administration.results.all()
        ],
    }


def measure_out(defn: MeasureDefinition) -> dict[str, Any]:
    return {
        "id": defn.id,
        "version": defn.version,
        "name": defn.short_name,
        "full_name": display_title(defn),
        "questions": [
            {"id": item.id, "number": n, "text": item.text}
            for n, item in enumerate(defn.items, 1)
        ],
        "scales": [{"id": sc.id, "name": sc.label} for sc in defn.scales],
    }
