"""Fast typing of paper forms, with optional double entry and resolving the
differences between two entries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openproms.accounts import selectors as account_selectors
from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.collection import answer_selectors as reads
from openproms.collection import paper_entry_services as paper
from openproms.collection.answer_forms import (
    CompletedOnForm,
    PersonSearchForm,
    ResolveForm,
)
from openproms.collection.answer_pages import (
    already_answered_page,
    answer_form,
    definition_for,
    named_measures,
    named_time_points,
    posted_data,
    template,
)
from openproms.collection.models import (
    Administration,
    PaperEntry,
    TimePoint,
)
from openproms.collection.services import SubmissionError
from openproms.core.access import org_view
from openproms.people.models import Episode, ServiceUser
from openproms.people.selectors import service_user_get
from openproms.scoring import MeasureDefinition, ResponseInvalid


@org_view(Action.PAPER_ENTER)
def paper_start(request: HttpRequest) -> HttpResponse:
    """Find the person whose paper form is being typed in."""
    membership = request.membership  # type: ignore[attr-defined]
    organisation = request.organisation  # type: ignore[attr-defined]
    saved = None
    if "saved" in request.GET:
        try:
            pk = int(request.GET["saved"])
        except ValueError:
            raise Http404("No such answers.") from None
        saved = reads.administration_get(membership=membership, pk=pk)
    names = reads.MeasureNames(organisation)
    form = PersonSearchForm(request.GET or None)
    people: list[dict[str, Any]] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            for person in reads.people_search(membership, query):
                people.append(
                    {
                        "person": person,
                        "pending": named_time_points(
                            names, reads.pending_time_points(person)
                        ),
                    }
                )
    if people:
        record_viewed(
            request,
            view="people search (typing paper forms)",
            people=[row["person"].pk for row in people],
        )
    return render(
        request,
        template("paper_start"),
        {
            "form": form,
            "query": query,
            "people": people,
            "measures": named_measures(names),
            "open_entries": [
                {"entry": entry, "name": names(entry.measure_id, entry.measure_version)}
                for entry in reads.paper_entries_open(membership)
            ],
            "saved": saved,
            "saved_name": names(saved.measure_id, saved.measure_version)
            if saved
            else "",
            "services": account_selectors.services_for_organisation(
                request.organisation  # type: ignore[attr-defined]
            ),
        },
    )


def _saved(organisation: Any, administration: Administration | None) -> HttpResponse:
    """Back to finding a person, saying what was saved, for whom, with a link to
    correct it."""
    url = reverse("collection:paper_start", kwargs={"org_slug": organisation.slug})
    if administration is None:
        return redirect(url)
    return redirect(f"{url}?saved={administration.pk}")


def _double_entry_on(episode: Episode | None) -> bool:
    found = reads.settings_for(episode.service if episode else None)
    return bool(found and found.double_entry)


def _paper(
    request: HttpRequest,
    *,
    person: ServiceUser,
    definition: MeasureDefinition,
    time_point: TimePoint | None,
    episode: Episode | None,
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if request.method == "GET" and time_point is not None:
        answered = already_answered_page(request, time_point, definition)
        if answered is not None:
            return answered
    double = _double_entry_on(episode)
    form = answer_form(request, definition, blank_confirmation=False)
    date_form = CompletedOnForm(
        request.POST if request.method == "POST" else None,
        initial={"completed_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and date_form.is_valid():
            try:
                outcome = paper.paper_entry_record(
                    organisation=organisation,
                    service_user=person,
                    measure=definition,
                    answers=form.codes,
                    completed_on=date_form.cleaned_data["completed_on"],
                    submission_id=str(form.cleaned_data["submission_id"]),
                    actor=request.user,  # type: ignore[arg-type]
                    double_entry=double,
                    time_point=time_point,
                    episode=episode,
                    request=request,
                )
            except ResponseInvalid as invalid:
                form.add_engine_errors(invalid.errors)
            except SubmissionError as refused:
                form.add_error(None, str(refused))
                status = 409
            else:
                if outcome.kind == "conflict":
                    assert outcome.entry is not None
                    messages.info(
                        request,
                        "The two entries differ. Choose the right value for each "
                        "difference.",
                    )
                    return redirect(
                        "collection:paper_entry_resolve",
                        org_slug=organisation.slug,
                        paper_entry_pk=outcome.entry.pk,
                    )
                if outcome.kind == "first":
                    messages.success(
                        request,
                        f"First entry of {definition.short_name} for "
                        f"{person.display_name} stored. A different person must type "
                        "it again before it is saved.",
                    )
                    return redirect(
                        "collection:paper_start", org_slug=organisation.slug
                    )
                saved = (
                    outcome.submitted.administration
                    if outcome.submitted is not None
                    else outcome.entry.administration  # type: ignore[union-attr]
                )
                return _saved(organisation, saved)
    record_viewed(request, view="typing a paper form", people=[person.pk])
    return render(
        request,
        template("paper_entry"),
        {
            "person": person,
            "definition": definition,
            "time_point": time_point,
            "form": form,
            "date_form": date_form,
            "items": form.item_views(),
            "double": double,
        },
        status=status,
    )


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def paper_entry_time_point(request: HttpRequest, time_point_pk: int) -> HttpResponse:
    time_point = reads.time_point_get(membership=request.membership, pk=time_point_pk)  # type: ignore[attr-defined]
    return _paper(
        request,
        person=time_point.episode.service_user,
        definition=definition_for(
            request, time_point.measure_id, time_point.measure_version
        ),
        time_point=time_point,
        episode=time_point.episode,
    )


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def paper_entry_measure(
    request: HttpRequest, person_pk: int, measure_id: str
) -> HttpResponse:
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    return _paper(
        request,
        person=person,
        definition=definition_for(request, measure_id),
        time_point=None,
        episode=reads.current_episode(person),
    )


def _code_text(definition: MeasureDefinition, item_id: str, code: Any) -> str:
    if code is None:
        return "Left blank"
    item = definition.item(item_id)
    label = ""
    rs = item.response_set
    for option in rs.options:
        if option.code == code and option.label:
            label = option.label
    return f"{code} ({label})" if label else str(code)


@org_view(Action.PAPER_ENTER)
@require_http_methods(["GET", "POST"])
def paper_entry_resolve(request: HttpRequest, paper_entry_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    entry = reads.paper_entry_get(membership=request.membership, pk=paper_entry_pk)  # type: ignore[attr-defined]
    if entry.status != PaperEntry.Status.CONFLICT:
        return render(request, template("paper_resolve_none"), {"entry": entry})
    definition = definition_for(request, entry.measure_id, entry.measure_version)
    first, second = entry.first_answers, entry.second_answers or {}
    rows = []
    numbers = {item.id: n for n, item in enumerate(definition.items, 1)}
    for key in paper.paper_entry_differences(entry):
        if key == paper.DATE_KEY:
            rows.append(
                (
                    key,
                    "Date the form was filled in",
                    f"First entry: {first.get(key)}",
                    f"Second entry: {second.get(key)}",
                )
            )
        else:
            item = definition.item(key)
            wording = item.text or item.short_label
            label = f"Question {numbers[key]}" + (f": {wording}" if wording else "")
            rows.append(
                (
                    key,
                    label,
                    f"First entry: {_code_text(definition, key, first.get(key))}",
                    f"Second entry: {_code_text(definition, key, second.get(key))}",
                )
            )
    form = ResolveForm(posted_data(request), rows=rows)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            chosen = dict(first)
            for key, *_ in rows:
                if form.cleaned_data[f"pick_{key}"] == "second":
                    chosen[key] = second.get(key)
            day = dt.date.fromisoformat(chosen.pop(paper.DATE_KEY))
            try:
                submitted = paper.paper_entry_resolve(
                    entry=entry,
                    answers=chosen,
                    completed_on=day,
                    actor=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            except (SubmissionError, ResponseInvalid) as refused:
                form.add_error(None, str(refused))
                status = 409
            else:
                return _saved(organisation, submitted.administration)
    record_viewed(
        request, view="paper form differences", people=[entry.service_user_id]
    )
    return render(
        request,
        template("paper_resolve"),
        {"entry": entry, "definition": definition, "form": form},
        status=status,
    )
