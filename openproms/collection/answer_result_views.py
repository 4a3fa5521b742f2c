"""The result screen after answering, and the acceptability question, shared by
every way of answering.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.accounts.selectors import support_text_for
from openproms.accounts.terms import at_practice
from openproms.audit.reads import record_viewed
from openproms.collection import answer_results as results
from openproms.collection import answer_selectors as reads
from openproms.collection import answer_services as svc
from openproms.collection.answer_forms import AcceptabilityForm
from openproms.collection.answer_pages import (
    named_time_points,
    person_url,
    template,
)
from openproms.collection.models import Administration
from openproms.core.access import org_view
from openproms.translations.activation import person_language
from openproms.translations.selectors import measure_definition_in


def result_context(
    administrations: list[Administration],
    request: HttpRequest,
    *,
    language: str | None = None,
) -> dict[str, Any]:
    """The results of ``administrations``, with each measure's words in
    ``language`` (a language the person chose for this visit), else in their
    preferred language."""
    shown = all(results.results_shown(a) for a in administrations)
    blocks = []
    for administration in administrations:
        definition = measure_definition_in(
            organisation=administration.organisation,
            measure_id=administration.measure_id,
            version=administration.measure_version,
            language=language or person_language(administration.service_user),
        )
        blocks.append(
            {
                "title": definition.title,
                "lines": results.result_lines(administration, definition)
                if shown
                else [],
            }
        )
    return {
        "shown": shown,
        "blocks": blocks,
        "at_practice": at_practice(administrations[0].organisation),
    }


def support_context(administrations: list[Administration]) -> dict[str, str]:
    """The organisation's support text when these answers call for it (a risk answer,
    or a score moved the wrong way since last time), else an empty text."""
    if not administrations or not results.support_needed(administrations):
        return {"support_text": ""}
    return {"support_text": support_text_for(administrations[0].organisation)}


def acceptability(
    request: HttpRequest, administration: Administration, mode: str
) -> tuple[AcceptabilityForm, bool]:
    """Handle the acceptability question; (form, done). Asked once per set of
    answers: once it has a reply, a second one (a page sent again, the result
    seen again after a correction) records nothing."""
    if request.method != "POST":
        return AcceptabilityForm(), False
    if "skip" in request.POST or administration.acceptability.exists():
        return AcceptabilityForm(), True
    form = AcceptabilityForm(request.POST)
    if form.is_valid():
        svc.acceptability_record(
            administration=administration,
            mode=mode,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            request=request,
        )
        return form, True
    return form, False


JUST_ANSWERED = dt.timedelta(hours=2)
"""How long after answering with a worker the result screen still thanks the
person and asks how they found it (the same sitting)."""


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def answer_result(request: HttpRequest, administration_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    administration = reads.administration_get(
        membership=request.membership,
        pk=administration_pk,  # type: ignore[attr-defined]
    )
    person = administration.service_user
    corrected = administration.edits.exists()
    # Just answered with a worker on screen: the person is there, thanked and
    # asked how they found it. Otherwise (opened later, typed in from paper,
    # answered by link or scan) a member of staff is looking back at it.
    just_answered = (
        administration.mode == Administration.Mode.ASSISTED
        and timezone.now() - administration.completed_at < JUST_ANSWERED
        and not corrected
    )
    if not just_answered and request.method == "POST":
        return redirect(person_url(organisation, person))
    form, done = acceptability(request, administration, administration.mode)
    if done:
        messages.success(request, "Thank you. The answers are saved.")
        return redirect(person_url(organisation, person))
    names = reads.MeasureNames(organisation)
    record_viewed(request, view="answers and result", people=[person.pk])
    return render(
        request,
        template("result"),
        {
            **result_context([administration], request),
            "administration": administration,
            "form": form,
            # The person was asked already (before a correction, or on an
            # earlier visit): the result is shown without asking again.
            "asked": not just_answered or administration.acceptability.exists(),
            "corrected": corrected,
            "looking_back": not just_answered and not corrected,
            "base": "base.html",
            "person": person,
            "person_url": person_url(organisation, person),
            "next_due": next(
                iter(named_time_points(names, reads.due_time_points(person)[:1])), None
            ),
        },
        status=400 if form.errors else 200,
    )
