"""What every answering page shares: template names, the person's page, the
definition with the organisation's wording, the answer form (on an answering
screen, with the signed moment it was first shown: ``answer_started``), saving
through ``administration_submit``, and the "no wording" and "already answered"
pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.collection.answer_forms import MeasureAnswerForm
from openproms.collection.answer_selectors import MeasureNames, new_submission_id
from openproms.collection.answer_started import answer_start_read, answer_start_sign
from openproms.collection.models import (
    Administration,
    TimePoint,
)
from openproms.collection.services import (
    DataRestricted,
    SubmissionConflict,
    SubmitResult,
    TimePointAlreadyAnswered,
    administration_submit,
)
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import MeasureDefinition, ResponseInvalid
from openproms.translations.selectors import measure_definition_for

TEMPLATE = "collection/answer/"


def named_time_points(
    names: MeasureNames, time_points: Iterable[TimePoint]
) -> list[dict[str, Any]]:
    """Time points with their measure's short name, for lists and choices."""
    return [{"time_point": tp, "name": names.of(tp)} for tp in time_points]


def named_measures(names: MeasureNames) -> list[dict[str, Any]]:
    """The organisation's measures in use, each with its short name, by name."""
    rows = [
        {"measure_id": m.measure_id, "name": names(m.measure_id, m.measure_version)}
        for m in organisation_measures(names.organisation)
    ]
    return sorted(rows, key=lambda row: row["name"].lower())


def posted_data(request: HttpRequest) -> Any:
    """The posted data, or None on GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None


def template(name: str) -> str:
    return f"{TEMPLATE}{name}.html"


def person_url(organisation: Any, person: ServiceUser) -> str:
    try:
        return reverse(
            "people:person_detail",
            kwargs={"org_slug": organisation.slug, "person_pk": person.pk},
        )
    except NoReverseMatch:
        return reverse(
            "collection:answer_person",
            kwargs={"org_slug": organisation.slug, "person_pk": person.pk},
        )


def definition_for(
    request: HttpRequest,
    measure_id: str,
    version: str | None = None,
    *,
    person: ServiceUser | None = None,
) -> MeasureDefinition:
    """The definition as the organisation uses it; with ``person``, its words in
    their preferred language where a translation exists (decision 0028)."""
    if person is None:
        return measure_definition(
            organisation=request.organisation,  # type: ignore[attr-defined]
            measure_id=measure_id,
            version=version,
        )
    return measure_definition_for(
        organisation=request.organisation,  # type: ignore[attr-defined]
        person=person,
        measure_id=measure_id,
        version=version,
    )


def no_wording_page(
    request: HttpRequest,
    definition: MeasureDefinition,
    error: Exception,
    base: str = "base.html",
) -> HttpResponse:
    """Why a measure's questions cannot be shown, in the licence's words (the
    engine's ``error`` lists item ids: it is for developers, not for this page)."""
    licence = definition.licence
    why = gettext(
        "Its licence (%(holder)s: %(terms)s) does not let openproms include the "
        "wording."
    ) % {"holder": licence.holder, "terms": licence.terms_summary.rstrip(".")}
    return render(
        request,
        template("no_wording"),
        {"definition": definition, "why": why, "base": base},
    )


def answer_form(
    request: HttpRequest,
    definition: MeasureDefinition,
    *,
    timed: bool = False,
    time_point: TimePoint | None = None,
    **kwargs: Any,
) -> MeasureAnswerForm:
    """The answer form, bound on POST; on GET a new submission id and, for an
    answering screen (``timed``), the signed moment it was first shown."""
    if request.method == "POST":
        return MeasureAnswerForm(request.POST, definition=definition, **kwargs)
    submission_id = new_submission_id()
    initial = {"submission_id": submission_id}
    if timed:
        initial["started"] = answer_start_sign(
            submission_id=submission_id,
            measure_id=definition.id,
            time_point_id=time_point.pk if time_point is not None else None,
        )
    return MeasureAnswerForm(definition=definition, initial=initial, **kwargs)


def submit(
    form: MeasureAnswerForm,
    *,
    request: HttpRequest,
    organisation: Any,
    service_user: ServiceUser,
    mode: str,
    collected_by: Any,
    episode: Episode | None,
    time_point: TimePoint | None,
) -> tuple[SubmitResult | None, int]:
    """Save a valid form from an answering screen, with when the screen was first
    shown (when its signed start came back intact); on failure put the reason on
    the form. (result, status)"""
    submission_id = str(form.cleaned_data["submission_id"])
    started_at = answer_start_read(
        form.cleaned_data.get("started"),
        submission_id=submission_id,
        measure_id=form.definition.id,
        time_point_id=time_point.pk if time_point is not None else None,
    )
    try:
        return (
            administration_submit(
                organisation=organisation,
                service_user=service_user,
                measure=form.definition,
                answers=form.codes,
                mode=mode,
                submission_id=submission_id,
                collected_by=collected_by,
                episode=episode,
                time_point=time_point,
                started_at=started_at,
                request=request,
            ),
            200,
        )
    except ResponseInvalid as invalid:
        form.add_engine_errors(invalid.errors)
        return None, 400
    except (SubmissionConflict, TimePointAlreadyAnswered, DataRestricted) as refused:
        form.add_error(None, str(refused))
        return None, 409


def already_answered_page(
    request: HttpRequest, time_point: TimePoint, definition: MeasureDefinition
) -> HttpResponse | None:
    """A clear page when a time point has its answer already (a replayed POST is
    left to ``administration_submit``, which returns the stored answer)."""
    existing = Administration.objects.filter(time_point=time_point).first()
    if existing is None:
        return None
    return render(
        request,
        template("already_answered"),
        {
            "message": str(
                TimePointAlreadyAnswered(
                    time_point, existing, measure_name=definition.short_name
                )
            )
        },
    )
