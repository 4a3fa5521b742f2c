"""Stored rows as the REST API's JSON (the shapes in :mod:`rest_schemas`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404

from openproms.accounts.models import Organisation
from openproms.catalogue.selectors import measure_definitions
from openproms.collection.models import Administration, ScaleResult, TimePoint
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition
from openproms.scoring.names import display_title

# A question as an answer list shows it: item id, number, option labels by code.
Question = tuple[str, int, dict[int, str | None]]


class Definitions:
    """The organisation's measure definitions, each looked up once per request
    (a page's measures all at once, with :meth:`load`)."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self.cache: dict[tuple[str, str], MeasureDefinition | None] = {}
        self.questions: dict[tuple[str, str], list[Question]] = {}
        self.scales: dict[tuple[str, str], dict[str, str]] = {}

    def load(self, keys: Iterable[tuple[str, str]]) -> None:
        """Look up every (measure id, version) not yet known, in two queries."""
        missing = {key for key in keys if key not in self.cache}
        if missing:
            self.cache.update(
                measure_definitions(organisation=self.organisation, keys=missing)
            )

    def get(self, measure_id: str, version: str) -> MeasureDefinition:
        found = self.find(measure_id, version)
        if found is None:
            raise Http404("No such measure.")
        return found

    def find(self, measure_id: str, version: str) -> MeasureDefinition | None:
        key = (measure_id, version)
        if key not in self.cache:
            self.load([key])
        return self.cache[key]

    def name(self, measure_id: str, version: str) -> str:
        defn = self.find(measure_id, version)
        return defn.short_name if defn is not None else measure_id

    def question_list(self, measure_id: str, version: str) -> list[Question]:
        """Each question's id, number and option labels by code, worked out once."""
        key = (measure_id, version)
        if key not in self.questions:
            defn = self.find(measure_id, version)
            self.questions[key] = [
                (item.id, n, {o.code: o.label for o in item.response_set.options})
                for n, item in enumerate(defn.items if defn else (), 1)
            ]
        return self.questions[key]

    def scale_names(self, measure_id: str, version: str) -> dict[str, str]:
        key = (measure_id, version)
        if key not in self.scales:
            defn = self.find(measure_id, version)
            self.scales[key] = {sc.id: sc.label for sc in defn.scales} if defn else {}
        return self.scales[key]


def definitions(
    organisation: Organisation, keys: Iterable[tuple[str, str]] = ()
) -> Definitions:
    """The organisation's definitions, with ``keys`` (a page's measures) loaded."""
    names = Definitions(organisation)
    names.load(keys)
    return names


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
    administration: Administration, names: Definitions
) -> list[dict[str, Any]]:
    answers: dict[str, int | None] = administration.answers
    if names.find(administration.measure_id, administration.measure_version) is None:
        return [
            {"item_id": k, "question_number": n, "code": v, "label": None}
            for n, (k, v) in enumerate(answers.items(), 1)
        ]
    out = []
    for item_id, number, labels in names.question_list(
        administration.measure_id, administration.measure_version
    ):
        code = answers.get(item_id)
        out.append(
            {
                "item_id": item_id,
                "question_number": number,
                "code": code,
                "label": None if code is None else labels.get(code),
            }
        )
    return out


def scores_by_administration(
    administrations: Iterable[Administration],
) -> dict[int, list[tuple[Any, ...]]]:
    """Each administration's stored scale results, in one query (plain tuples:
    no model rows to build)."""
    found: dict[int, list[tuple[Any, ...]]] = {}
    keys = [a.pk for a in administrations]
    if not keys:
        return found
    for row in (
        ScaleResult.objects.filter(administration_id__in=keys)
        .order_by("administration_id", "scale_id")
        .values_list(
            "administration_id",
            "scale_id",
            "value",
            "band",
            "reason",
            "prorated",
            "items_missing",
        )
    ):
        found.setdefault(row[0], []).append(row[1:])
    return found


def administration_out(
    administration: Administration,
    names: Definitions,
    scores: dict[int, list[tuple[Any, ...]]],
) -> dict[str, Any]:
    """One administration; ``scores`` from :func:`scores_by_administration`."""
    scale_names = names.scale_names(
        administration.measure_id, administration.measure_version
    )
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
        "answers": _answers(administration, names),
        "scores": [
            {
                "scale_id": scale_id,
                "scale_name": scale_names.get(scale_id, scale_id),
                "value": value,
                "band": band,
                "reason": reason,
                "prorated": prorated,
                "items_missing": items_missing,
            }
            for scale_id, value, band, reason, prorated, items_missing in scores.get(
                administration.pk, []
            )
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
