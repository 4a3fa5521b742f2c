"""The shapes of the REST API's JSON (django-ninja schemas: the OpenAPI 3
components). Field names are for programs; every label a person may read
(measure names, question numbers, scale names, statuses) is given beside its id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class Error(Schema):
    detail: str


class Person(Schema):
    id: int
    reference: str
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    nhs_number: str
    sex: str
    postcode: str
    restricted: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class Episode(Schema):
    id: int
    person_id: int
    service_id: int
    service_name: str
    start_date: dt.date
    end_date: dt.date | None
    status: str
    status_label: str
    close_reason: str
    created_at: dt.datetime


class TimePoint(Schema):
    id: int
    episode_id: int
    label: str
    measure_id: str
    measure_version: str
    measure_name: str
    due_date: dt.date
    window_start: dt.date
    window_end: dt.date | None
    status: str
    status_label: str
    missed_reason: str
    administration_id: int | None


class Answer(Schema):
    item_id: str
    question_number: int
    code: int | None
    label: str | None


class Score(Schema):
    scale_id: str
    scale_name: str
    value: float | None
    band: str
    reason: str
    prorated: bool
    items_missing: int


class Administration(Schema):
    id: int
    person_id: int
    episode_id: int | None
    time_point_id: int | None
    measure_id: str
    measure_version: str
    measure_name: str
    mode: str
    mode_label: str
    submission_id: str
    completed_at: dt.datetime
    created_at: dt.datetime
    version: int
    answers: list[Answer]
    scores: list[Score]


class AdministrationIn(Schema):
    person_id: int
    measure_id: str
    measure_version: str | None = None
    answers: dict[str, int | None] = Field(
        description="Each question's id and its answer code (null: not answered)."
    )
    episode_id: int | None = None
    time_point_id: int | None = None
    completed_at: dt.datetime | None = None
    submission_id: str | None = Field(
        default=None,
        max_length=60,
        description="Your id for this submission; or send an Idempotency-Key "
        "header. Sending it again with the same answers returns the original; "
        "with other answers, 409.",
    )


class Scale(Schema):
    id: str
    name: str


class Question(Schema):
    id: str
    number: int
    text: str | None


class Measure(Schema):
    id: str
    version: str
    name: str
    full_name: str
    questions: list[Question]
    scales: list[Scale]


class CollectionFigures(Schema):
    start: dt.date
    end: dt.date
    service_id: int | None
    figures: dict[str, Any]


class Page(Schema):
    """One page of a list; ``next_cursor`` is null on the last page."""

    next_cursor: str | None
    next: str | None


class PersonPage(Page):
    items: list[Person]


class EpisodePage(Page):
    items: list[Episode]


class TimePointPage(Page):
    items: list[TimePoint]


class AdministrationPage(Page):
    items: list[Administration]
