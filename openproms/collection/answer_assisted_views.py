"""Answering with a worker: a person's due measures, the questionnaire on the
worker's screen, and corrections with a reason.

Views are thin: a form checks the input, ``administration_submit`` saves it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action, role_may
from openproms.audit.reads import record_viewed
from openproms.collection import answer_selectors as reads
from openproms.collection.answer_forms import (
    EditReasonForm,
    MeasureAnswerForm,
)
from openproms.collection.answer_pages import (
    already_answered_page,
    answer_form,
    definition_for,
    named_measures,
    named_time_points,
    no_wording_page,
    person_url,
    submit,
    template,
)
from openproms.collection.models import (
    Administration,
    TimePoint,
)
from openproms.collection.services import (
    StaleEdit,
    administration_edit,
)
from openproms.core.access import org_view
from openproms.people.models import Episode, ServiceUser
from openproms.people.selectors import service_user_get
from openproms.scoring import MeasureDefinition, ResponseInvalid, WordingNotAvailable
from openproms.scoring import require_wording as check_wording


@org_view(Action.ANSWER_COLLECT)
def answer_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A person's due measures, with the three ways of answering them."""
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    names = reads.MeasureNames(organisation)
    record_viewed(request, view="answering: measures due", people=[person.pk])
    return render(
        request,
        template("person"),
        {
            "person": person,
            "due": named_time_points(names, reads.due_time_points(person)),
            "measures": named_measures(names),
            "links": person.links.filter(
                revoked_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            ),
            "person_url": person_url(organisation, person),
        },
    )


def _assisted(
    request: HttpRequest,
    *,
    person: ServiceUser,
    definition: MeasureDefinition,
    time_point: TimePoint | None,
    episode: Episode | None,
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        check_wording(definition)
    except WordingNotAvailable as error:
        return no_wording_page(request, definition, error)
    if request.method == "GET" and time_point is not None:
        answered = already_answered_page(request, time_point, definition)
        if answered is not None:
            return answered
    form = answer_form(request, definition, timed=True, time_point=time_point)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = submit(
                form,
                request=request,
                organisation=organisation,
                service_user=person,
                mode=Administration.Mode.ASSISTED,
                collected_by=request.user,
                episode=episode,
                time_point=time_point,
            )
            if result is not None:
                return redirect(
                    "collection:answer_result",
                    org_slug=organisation.slug,
                    administration_pk=result.administration.pk,
                )
    record_viewed(request, view="answering page", people=[person.pk])
    return render(
        request,
        template("assisted"),
        {
            "person": person,
            "definition": definition,
            "time_point": time_point,
            "form": form,
            "items": form.item_views(),
            "person_url": person_url(organisation, person),
        },
        status=status,
    )


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def answer_time_point(request: HttpRequest, time_point_pk: int) -> HttpResponse:
    time_point = reads.time_point_get(membership=request.membership, pk=time_point_pk)  # type: ignore[attr-defined]
    definition = definition_for(
        request,
        time_point.measure_id,
        time_point.measure_version,
        person=time_point.episode.service_user,
    )
    return _assisted(
        request,
        person=time_point.episode.service_user,
        definition=definition,
        time_point=time_point,
        episode=time_point.episode,
    )


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def answer_measure(
    request: HttpRequest, person_pk: int, measure_id: str
) -> HttpResponse:
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    definition = definition_for(request, measure_id, person=person)
    return _assisted(
        request,
        person=person,
        definition=definition,
        time_point=None,
        episode=reads.current_episode(person),
    )


@org_view(Action.ANSWER_EDIT)
@require_http_methods(["GET", "POST"])
def answer_edit(request: HttpRequest, administration_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    administration = reads.administration_get(
        membership=request.membership,
        pk=administration_pk,  # type: ignore[attr-defined]
    )
    definition = definition_for(
        request, administration.measure_id, administration.measure_version
    )
    data = request.POST if request.method == "POST" else None
    form = MeasureAnswerForm(
        data,
        definition=definition,
        initial_answers=administration.answers,
        initial={"submission_id": reads.new_submission_id()},
    )
    reason = EditReasonForm(data, initial={"version": administration.version})
    record_viewed(
        request, view="answers (correcting)", people=[administration.service_user_id]
    )
    # Someone who types paper forms but does not collect answers (a data officer)
    # has no result screen: they go back to the person's page.
    if role_may(request.membership.role, Action.ANSWER_COLLECT):  # type: ignore[attr-defined]
        back_url = reverse(
            "collection:answer_result",
            kwargs={
                "org_slug": organisation.slug,
                "administration_pk": administration.pk,
            },
        )
    else:
        back_url = person_url(organisation, administration.service_user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and reason.is_valid():
            try:
                administration_edit(
                    administration=administration,
                    measure=definition,
                    answers=form.codes,
                    reason=reason.cleaned_data["reason"],
                    expected_version=reason.cleaned_data["version"],
                    actor=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            except StaleEdit as stale:
                reason.add_error(None, str(stale))
                status = 409
            except ResponseInvalid as invalid:
                form.add_engine_errors(invalid.errors)
            else:
                messages.success(request, "The answers were corrected.")
                return redirect(back_url)
    return render(
        request,
        template("edit"),
        {
            "administration": administration,
            "definition": definition,
            "form": form,
            "reason_form": reason,
            "items": form.item_views(),
            "back_url": back_url,
        },
        status=status,
    )
