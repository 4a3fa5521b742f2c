"""Hand-over (kiosk) pages: the worker hands the screen to the person for the
chosen measures and takes it back with their password (``kiosk.py`` keeps the
handed-over screen inside the questionnaire).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Organisation
from openproms.accounts.policy import Action
from openproms.accounts.terms import at_practice
from openproms.audit.reads import record_viewed
from openproms.collection import answer_selectors as reads
from openproms.collection import kiosk
from openproms.collection.answer_forms import (
    KioskExitForm,
    KioskStartForm,
)
from openproms.collection.answer_pages import (
    answer_form,
    definition_for,
    named_measures,
    no_wording_page,
    person_url,
    posted_data,
    submit,
    template,
)
from openproms.collection.answer_result_views import (
    acceptability,
    result_context,
    support_context,
)
from openproms.collection.models import (
    Administration,
    TimePoint,
)
from openproms.core.access import org_view
from openproms.people.models import ServiceUser
from openproms.people.selectors import service_user_get
from openproms.scoring import WordingNotAvailable
from openproms.scoring import require_wording as check_wording
from openproms.translations.activation import in_person_language


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def kiosk_start(request: HttpRequest, person_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    due = list(reads.due_time_points(person))
    names = reads.MeasureNames(organisation)
    form = KioskStartForm(
        posted_data(request),
        due=[(str(tp.pk), f"{names.of(tp)}, {tp.label}") for tp in due],
        others=[(m["measure_id"], m["name"]) for m in named_measures(names)],
        initial={"time_points": [str(tp.pk) for tp in due]},
    )
    if request.method == "POST" and form.is_valid():
        queue: list[dict[str, Any]] = [
            {
                "time_point": tp.pk,
                "measure_id": tp.measure_id,
                "version": tp.measure_version,
            }
            for tp in due
            if str(tp.pk) in form.cleaned_data.get("time_points", [])
        ]
        queue += [
            {"time_point": None, "measure_id": m, "version": None}
            for m in form.cleaned_data.get("measures", [])
        ]
        kiosk.kiosk_start(
            request=request,
            organisation=organisation,
            service_user=person,
            queue=queue,
            actor=request.user,  # type: ignore[arg-type]
        )
        return redirect("collection:kiosk_answer", org_slug=organisation.slug)
    record_viewed(request, view="hand-over: measures due", people=[person.pk])
    return render(
        request,
        template("kiosk_start"),
        {
            "person": person,
            "form": form,
            "person_url": person_url(organisation, person),
        },
        status=400 if form.errors else 200,
    )


def _kiosk_render(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        template(name),
        {**context, "base": template("kiosk_base")},
        status=status,
    )


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def kiosk_answer(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    state = kiosk.kiosk_state(request)
    if state is None:
        messages.info(request, "Hand-over mode is not on.")
        return redirect("core:org_home", org_slug=organisation.slug)
    person = ServiceUser.objects.get(organisation=organisation, pk=state["person"])
    # Every page of the hand-over shows the person's questions or results (a
    # redirect shows nothing and writes nothing).
    record_viewed(request, view="hand-over answering", people=[person.pk])
    # The handed-over screen speaks the person's language (decision 0028).
    with in_person_language(person):
        return _kiosk_answer(request, organisation, state, person)


def _kiosk_answer(
    request: HttpRequest,
    organisation: Organisation,
    state: dict[str, Any],
    person: ServiceUser,
) -> HttpResponse:
    if request.method == "POST" and "layout" in request.POST:
        state["layout"] = "all" if request.POST["layout"] == "all" else "one"
        kiosk.kiosk_save(request, state)
        return redirect("collection:kiosk_answer", org_slug=organisation.slug)
    if state["stage"] == "answer" and state["index"] >= len(state["queue"]):
        state["stage"] = "result" if state["done"] else "finished"
        kiosk.kiosk_save(request, state)
    if state["stage"] == "result":
        done = list(
            Administration.objects.filter(
                organisation=organisation, pk__in=state["done"]
            ).order_by("completed_at", "id")
        )
        form, finished = acceptability(request, done[-1], Administration.Mode.KIOSK)
        if finished:
            state["stage"] = "finished"
            kiosk.kiosk_save(request, state)
            return redirect("collection:kiosk_answer", org_slug=organisation.slug)
        return _kiosk_render(
            request,
            "result",
            {
                **result_context(done, request),
                **support_context(done),
                "form": form,
                "kiosk": True,
            },
            status=400 if form.errors else 200,
        )
    if state["stage"] == "finished":
        finished = list(
            Administration.objects.filter(
                organisation=organisation, pk__in=state["done"]
            )
        )
        return _kiosk_render(
            request,
            "kiosk_finished",
            {
                "state": state,
                **support_context(finished),
                "at_practice": at_practice(organisation),
            },
        )
    entry = state["queue"][state["index"]]
    time_point = None
    if entry["time_point"]:
        time_point = (
            TimePoint.objects.filter(organisation=organisation, pk=entry["time_point"])
            .select_related("episode")
            .first()
        )
    definition = definition_for(
        request, entry["measure_id"], entry["version"], person=person
    )
    try:
        check_wording(definition)
    except WordingNotAvailable as error:
        state["index"] += 1
        kiosk.kiosk_save(request, state)
        return no_wording_page(request, definition, error, base=template("kiosk_base"))
    if time_point is not None and time_point.status != TimePoint.Status.PENDING:
        state["index"] += 1
        kiosk.kiosk_save(request, state)
        return redirect("collection:kiosk_answer", org_slug=organisation.slug)
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
                mode=Administration.Mode.KIOSK,
                collected_by=request.user,
                episode=time_point.episode
                if time_point
                else reads.current_episode(person),
                time_point=time_point,
            )
            if result is not None:
                state["done"].append(result.administration.pk)
                state["index"] += 1
                kiosk.kiosk_save(request, state)
                return redirect("collection:kiosk_answer", org_slug=organisation.slug)
    return _kiosk_render(
        request,
        "kiosk_answer",
        {
            "definition": definition,
            "form": form,
            "items": form.item_views(),
            "state": state,
            "position": state["index"] + 1,
            "total": len(state["queue"]),
        },
        status=status,
    )


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def kiosk_exit(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    state = kiosk.kiosk_state(request)
    if state is None:
        return redirect("core:org_home", org_slug=organisation.slug)
    form = KioskExitForm(posted_data(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        user = request.user
        if kiosk.exit_locked(user):  # type: ignore[arg-type]
            form.add_error(
                "password",
                "Too many wrong passwords. Wait 15 minutes before trying again",
            )
            kiosk.kiosk_exit(
                request=request,
                organisation=organisation,
                user=user,
                password="",  # type: ignore[arg-type]
            )
            status = 429
        elif kiosk.kiosk_exit(
            request=request,
            organisation=organisation,
            user=user,  # type: ignore[arg-type]
            password=form.cleaned_data["password"],
        ):
            messages.success(request, "Hand-over mode is off.")
            person = ServiceUser.objects.get(
                organisation=organisation, pk=state["person"]
            )
            return redirect(person_url(organisation, person))
        else:
            form.add_error("password", "That password is not right")
            status = 400
    elif form.errors:
        status = 400
    return _kiosk_render(request, "kiosk_exit", {"form": form}, status=status)
