"""Pages for answering: with a worker, hand-over (kiosk), self-completion links and
fast entry of paper forms; the result screen, acceptability and corrections.

Views are thin: a form checks the input, ``administration_submit`` (through the
helpers in ``answer_services``) saves it.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts import selectors as account_selectors
from openproms.accounts.policy import Action
from openproms.catalogue.selectors import measure_definition, organisation_measures
from openproms.collection import answer_services as svc
from openproms.collection import kiosk, links
from openproms.collection.answer_forms import (
    AcceptabilityForm,
    CollectionSettingsForm,
    CompletedOnForm,
    EditReasonForm,
    KioskExitForm,
    KioskStartForm,
    LinkCreateForm,
    MeasureAnswerForm,
    PersonSearchForm,
    ResolveForm,
    ShortCodeForm,
)
from openproms.collection.models import (
    Administration,
    PaperEntry,
    SelfCompletionLink,
    TimePoint,
)
from openproms.collection.services import (
    StaleEdit,
    SubmissionConflict,
    SubmissionError,
    SubmitResult,
    TimePointAlreadyAnswered,
    administration_edit,
    administration_submit,
)
from openproms.core.access import org_view, public_view
from openproms.people.models import Episode, ServiceUser
from openproms.people.selectors import person_scope, service_user_get
from openproms.scoring import MeasureDefinition, ResponseInvalid, WordingNotAvailable
from openproms.scoring import require_wording as check_wording

TEMPLATE = "collection/answer/"


def _data(request: HttpRequest) -> Any:
    """The posted data, or None on GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None


def _t(name: str) -> str:
    return f"{TEMPLATE}{name}.html"


def _person_url(organisation: Any, person: ServiceUser) -> str:
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


def _definition(
    request: HttpRequest, measure_id: str, version: str | None = None
) -> MeasureDefinition:
    return measure_definition(
        organisation=request.organisation,  # type: ignore[attr-defined]
        measure_id=measure_id,
        version=version,
    )


def _no_wording(
    request: HttpRequest,
    definition: MeasureDefinition,
    error: Exception,
    base: str = "base.html",
) -> HttpResponse:
    return render(
        request,
        _t("no_wording"),
        {"definition": definition, "why": str(error), "base": base},
    )


def _answer_form(
    request: HttpRequest, definition: MeasureDefinition, **kwargs: Any
) -> MeasureAnswerForm:
    if request.method == "POST":
        return MeasureAnswerForm(request.POST, definition=definition, **kwargs)
    return MeasureAnswerForm(
        definition=definition,
        initial={"submission_id": svc.new_submission_id()},
        **kwargs,
    )


def _submit(
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
    """Save a valid form; on failure put the reason on the form. (result, status)"""
    try:
        return (
            administration_submit(
                organisation=organisation,
                service_user=service_user,
                measure=form.definition,
                answers=form.codes,
                mode=mode,
                submission_id=str(form.cleaned_data["submission_id"]),
                collected_by=collected_by,
                episode=episode,
                time_point=time_point,
                request=request,
            ),
            200,
        )
    except ResponseInvalid as invalid:
        form.add_engine_errors(invalid.errors)
        return None, 400
    except (SubmissionConflict, TimePointAlreadyAnswered) as refused:
        form.add_error(None, str(refused))
        return None, 409


def _already_answered(
    request: HttpRequest, time_point: TimePoint
) -> HttpResponse | None:
    """A clear page when a time point has its answer already (a replayed POST is
    left to ``administration_submit``, which returns the stored answer)."""
    existing = Administration.objects.filter(time_point=time_point).first()
    if existing is None:
        return None
    return render(
        request,
        _t("already_answered"),
        {"message": str(TimePointAlreadyAnswered(time_point, existing))},
    )


# ------------------------------------------------------------- worker-assisted


@org_view(Action.ANSWER_COLLECT)
def answer_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A person's due measures, with the three ways of answering them."""
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    return render(
        request,
        _t("person"),
        {
            "person": person,
            "due": svc.due_time_points(person),
            "measures": organisation_measures(organisation),
            "links": person.links.filter(
                revoked_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            ),
            "person_url": _person_url(organisation, person),
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
        return _no_wording(request, definition, error)
    if request.method == "GET" and time_point is not None:
        answered = _already_answered(request, time_point)
        if answered is not None:
            return answered
    form = _answer_form(request, definition)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = _submit(
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
    return render(
        request,
        _t("assisted"),
        {
            "person": person,
            "definition": definition,
            "time_point": time_point,
            "form": form,
            "items": form.item_views(),
            "person_url": _person_url(organisation, person),
        },
        status=status,
    )


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def answer_time_point(request: HttpRequest, time_point_pk: int) -> HttpResponse:
    time_point = svc.time_point_get(membership=request.membership, pk=time_point_pk)  # type: ignore[attr-defined]
    definition = _definition(request, time_point.measure_id, time_point.measure_version)
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
    definition = _definition(request, measure_id)
    return _assisted(
        request,
        person=person,
        definition=definition,
        time_point=None,
        episode=svc.current_episode(person),
    )


def _result_context(
    administrations: list[Administration], request: HttpRequest
) -> dict[str, Any]:
    shown = all(svc.results_shown(a) for a in administrations)
    blocks = []
    for administration in administrations:
        definition = measure_definition(
            organisation=administration.organisation,
            measure_id=administration.measure_id,
            version=administration.measure_version,
        )
        blocks.append(
            {
                "title": definition.title,
                "lines": svc.result_lines(administration, definition) if shown else [],
            }
        )
    return {"shown": shown, "blocks": blocks}


def _acceptability(
    request: HttpRequest, administration: Administration, mode: str
) -> tuple[AcceptabilityForm, bool]:
    """Handle the acceptability question; (form, done)."""
    if request.method != "POST":
        return AcceptabilityForm(), False
    if "skip" in request.POST:
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


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def answer_result(request: HttpRequest, administration_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    administration = svc.administration_get(
        membership=request.membership,
        pk=administration_pk,  # type: ignore[attr-defined]
    )
    form, done = _acceptability(request, administration, administration.mode)
    if done:
        messages.success(request, "Thank you. The answers are saved.")
        return redirect(_person_url(organisation, administration.service_user))
    return render(
        request,
        _t("result"),
        {
            **_result_context([administration], request),
            "administration": administration,
            "form": form,
            "base": "base.html",
        },
        status=400 if form.errors else 200,
    )


@org_view(Action.ANSWER_EDIT)
@require_http_methods(["GET", "POST"])
def answer_edit(request: HttpRequest, administration_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    administration = svc.administration_get(
        membership=request.membership,
        pk=administration_pk,  # type: ignore[attr-defined]
    )
    definition = _definition(
        request, administration.measure_id, administration.measure_version
    )
    data = request.POST if request.method == "POST" else None
    form = MeasureAnswerForm(
        data,
        definition=definition,
        initial_answers=administration.answers,
        initial={"submission_id": svc.new_submission_id()},
    )
    reason = EditReasonForm(data, initial={"version": administration.version})
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
                return redirect(
                    "collection:answer_result",
                    org_slug=organisation.slug,
                    administration_pk=administration.pk,
                )
    return render(
        request,
        _t("edit"),
        {
            "administration": administration,
            "definition": definition,
            "form": form,
            "reason_form": reason,
            "items": form.item_views(),
        },
        status=status,
    )


# ------------------------------------------------------------- kiosk (hand-over)


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def kiosk_start(request: HttpRequest, person_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    due = list(svc.due_time_points(person))
    others = [
        (m.measure_id, m.measure_id.upper())
        for m in organisation_measures(organisation)
    ]
    form = KioskStartForm(
        _data(request),
        due=[(str(tp.pk), f"{tp.measure_id.upper()}, {tp.label}") for tp in due],
        others=others,
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
    return render(
        request,
        _t("kiosk_start"),
        {
            "person": person,
            "form": form,
            "person_url": _person_url(organisation, person),
        },
        status=400 if form.errors else 200,
    )


def _kiosk_render(
    request: HttpRequest, name: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, _t(name), {**context, "base": _t("kiosk_base")}, status=status
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
        form, finished = _acceptability(request, done[-1], Administration.Mode.KIOSK)
        if finished:
            state["stage"] = "finished"
            kiosk.kiosk_save(request, state)
            return redirect("collection:kiosk_answer", org_slug=organisation.slug)
        return _kiosk_render(
            request,
            "result",
            {**_result_context(done, request), "form": form, "kiosk": True},
            status=400 if form.errors else 200,
        )
    if state["stage"] == "finished":
        return _kiosk_render(request, "kiosk_finished", {"state": state})
    entry = state["queue"][state["index"]]
    time_point = None
    if entry["time_point"]:
        time_point = (
            TimePoint.objects.filter(organisation=organisation, pk=entry["time_point"])
            .select_related("episode")
            .first()
        )
    definition = _definition(request, entry["measure_id"], entry["version"])
    try:
        check_wording(definition)
    except WordingNotAvailable as error:
        state["index"] += 1
        kiosk.kiosk_save(request, state)
        return _no_wording(request, definition, error, base=_t("kiosk_base"))
    if time_point is not None and time_point.status != TimePoint.Status.PENDING:
        state["index"] += 1
        kiosk.kiosk_save(request, state)
        return redirect("collection:kiosk_answer", org_slug=organisation.slug)
    form = _answer_form(request, definition)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = _submit(
                form,
                request=request,
                organisation=organisation,
                service_user=person,
                mode=Administration.Mode.KIOSK,
                collected_by=request.user,
                episode=time_point.episode
                if time_point
                else svc.current_episode(person),
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
    form = KioskExitForm(_data(request))
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
            return redirect(_person_url(organisation, person))
        else:
            form.add_error("password", "That password is not right")
            status = 400
    elif form.errors:
        status = 400
    return _kiosk_render(request, "kiosk_exit", {"form": form}, status=status)


# ------------------------------------------------------------- self-completion links


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    due = list(svc.due_time_points(person))
    form = LinkCreateForm(
        _data(request),
        due=[(str(tp.pk), f"{tp.measure_id.upper()}, {tp.label}") for tp in due],
        email=person.email,
        initial={
            "time_points": [str(tp.pk) for tp in due],
            "send_email": bool(person.email),
        },
    )
    if request.method == "POST" and form.is_valid():
        chosen = [tp for tp in due if str(tp.pk) in form.cleaned_data["time_points"]]
        send_to = person.email if form.cleaned_data.get("send_email") else ""
        made = links.link_create(
            organisation=organisation,
            service_user=person,
            time_points=chosen,
            actor=request.user,  # type: ignore[arg-type]
            send_to=send_to,
            url_for_token=lambda token: request.build_absolute_uri(
                reverse("collection:self_token", kwargs={"token": token})
            ),
            request=request,
        )
        url = request.build_absolute_uri(
            reverse("collection:self_token", kwargs={"token": made.token})
        )
        return render(
            request,
            _t("link_created"),
            {
                "person": person,
                "made": made,
                "url": url,
                "start_url": request.build_absolute_uri(
                    reverse("collection:self_start")
                ),
                "qr": _qr_svg(url),
                "person_url": _person_url(organisation, person),
            },
        )
    return render(
        request,
        _t("link_create"),
        {
            "person": person,
            "form": form,
            "due": due,
            "active": person.links.filter(
                revoked_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            ),
            "person_url": _person_url(organisation, person),
        },
        status=400 if form.errors else 200,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@org_view(Action.ANSWER_COLLECT)
@require_POST
def link_revoke(request: HttpRequest, link_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    link = (
        SelfCompletionLink.objects.filter(
            person_scope(request.membership, "service_user"),  # type: ignore[attr-defined]
            organisation=organisation,
            pk=link_pk,
        )
        .select_related("service_user")
        .first()
    )
    if link is None:
        from django.http import Http404

        raise Http404("No such link.")
    links.link_revoke(link=link, actor=request.user, request=request)  # type: ignore[arg-type]
    messages.success(request, "The link no longer works.")
    return redirect(
        "collection:link_create",
        org_slug=organisation.slug,
        person_pk=link.service_user.pk,
    )


SELF_LINK = "openproms_self_link"
SELF_DONE = "openproms_self_done"


def _link_not_working(request: HttpRequest) -> HttpResponse:
    return render(request, _t("self_not_working"), status=404)


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, _t("self_too_many"), status=429)


def _open_link(request: HttpRequest, link: SelfCompletionLink) -> HttpResponse:
    request.session.cycle_key()
    request.session[SELF_LINK] = link.pk
    request.session[SELF_DONE] = []
    return redirect("collection:self_answer")


@public_view
@require_http_methods(["GET", "POST"])
def self_start(request: HttpRequest) -> HttpResponse:
    form = ShortCodeForm(_data(request))
    if request.method == "POST":
        if links.attempts_exhausted(request):
            return _too_many(request)
        if form.is_valid():
            link = links.link_for_code(form.cleaned_data["code"])
            if link is None:
                links.attempt_failed(request)
                return _link_not_working(request)
            return _open_link(request, link)
    return render(
        request, _t("self_start"), {"form": form}, status=400 if form.errors else 200
    )


@public_view
def self_token(request: HttpRequest, token: str) -> HttpResponse:
    if links.attempts_exhausted(request):
        return _too_many(request)
    link = links.link_for_token(token)
    if link is None:
        links.attempt_failed(request)
        return _link_not_working(request)
    return _open_link(request, link)


@public_view
@require_http_methods(["GET", "POST"])
def self_answer(request: HttpRequest) -> HttpResponse:
    link = links.link_get_usable(request.session.get(SELF_LINK))
    if link is None:
        if request.session.get(SELF_DONE):
            return redirect("collection:self_done")
        return _link_not_working(request)
    remaining = links.remaining_time_points(link)
    time_point = remaining[0]
    organisation = link.organisation
    definition = measure_definition(
        organisation=organisation,
        measure_id=time_point.measure_id,
        version=time_point.measure_version,
    )
    try:
        check_wording(definition)
    except WordingNotAvailable as error:
        return _no_wording(request, definition, error)
    form = _answer_form(request, definition)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = _submit(
                form,
                request=request,
                organisation=organisation,
                service_user=link.service_user,
                mode=Administration.Mode.SELF,
                collected_by=None,
                episode=time_point.episode,
                time_point=time_point,
            )
            if result is not None:
                done = list(request.session.get(SELF_DONE, []))
                done.append(result.administration.pk)
                request.session[SELF_DONE] = done
                if links.link_mark_used_if_complete(link=link):
                    return redirect("collection:self_done")
                return redirect("collection:self_answer")
    return render(
        request,
        _t("self_answer"),
        {
            "definition": definition,
            "form": form,
            "items": form.item_views(),
            "organisation": organisation,
            "position": len(request.session.get(SELF_DONE, [])) + 1,
            "total": len(request.session.get(SELF_DONE, [])) + len(remaining),
        },
        status=status,
    )


@public_view
@require_http_methods(["GET", "POST"])
def self_done(request: HttpRequest) -> HttpResponse:
    done_pks = request.session.get(SELF_DONE) or []
    link_pk = request.session.get(SELF_LINK)
    link = SelfCompletionLink.objects.filter(pk=link_pk).first() if link_pk else None
    if not done_pks or link is None:
        return _link_not_working(request)
    done = list(
        Administration.objects.filter(
            organisation=link.organisation,
            service_user=link.service_user,
            pk__in=done_pks,
        ).order_by("completed_at", "id")
    )
    if not done:
        return _link_not_working(request)
    form, finished = _acceptability(request, done[-1], Administration.Mode.SELF)
    if finished:
        request.session.pop(SELF_DONE, None)
        request.session.pop(SELF_LINK, None)
        # Lets "See my progress" (reports:self_progress) find the link's person.
        request.session["openproms_self_progress"] = link.pk
        return render(request, _t("self_thanks"), {"organisation": link.organisation})
    return render(
        request,
        _t("result"),
        {**_result_context(done, request), "form": form, "base": "base.html"},
        status=400 if form.errors else 200,
    )


# ------------------------------------------------------------- paper entry


@org_view(Action.PAPER_ENTER)
def paper_start(request: HttpRequest) -> HttpResponse:
    """Find the person whose paper form is being typed in."""
    membership = request.membership  # type: ignore[attr-defined]
    form = PersonSearchForm(request.GET or None)
    people: list[dict[str, Any]] = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            for person in svc.people_search(membership, query):
                people.append(
                    {"person": person, "pending": list(svc.pending_time_points(person))}
                )
    return render(
        request,
        _t("paper_start"),
        {
            "form": form,
            "query": query,
            "people": people,
            "measures": organisation_measures(request.organisation),  # type: ignore[attr-defined]
            "open_entries": svc.paper_entries_open(membership),
            "services": account_selectors.services_for_organisation(
                request.organisation  # type: ignore[attr-defined]
            ),
        },
    )


def _double_entry_on(episode: Episode | None) -> bool:
    found = svc.settings_for(episode.service if episode else None)
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
        answered = _already_answered(request, time_point)
        if answered is not None:
            return answered
    double = _double_entry_on(episode)
    form = _answer_form(request, definition, blank_confirmation=False)
    date_form = CompletedOnForm(
        request.POST if request.method == "POST" else None,
        initial={"completed_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and date_form.is_valid():
            try:
                outcome = svc.paper_entry_record(
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
                else:
                    messages.success(
                        request,
                        f"{definition.short_name} for {person.display_name} saved.",
                    )
                return redirect("collection:paper_start", org_slug=organisation.slug)
    return render(
        request,
        _t("paper_entry"),
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
    time_point = svc.time_point_get(membership=request.membership, pk=time_point_pk)  # type: ignore[attr-defined]
    return _paper(
        request,
        person=time_point.episode.service_user,
        definition=_definition(
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
        definition=_definition(request, measure_id),
        time_point=None,
        episode=svc.current_episode(person),
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
    entry = svc.paper_entry_get(membership=request.membership, pk=paper_entry_pk)  # type: ignore[attr-defined]
    if entry.status != PaperEntry.Status.CONFLICT:
        return render(request, _t("paper_resolve_none"), {"entry": entry})
    definition = _definition(request, entry.measure_id, entry.measure_version)
    first, second = entry.first_answers, entry.second_answers or {}
    rows = []
    numbers = {item.id: n for n, item in enumerate(definition.items, 1)}
    for key in svc.paper_entry_differences(entry):
        if key == svc.DATE_KEY:
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
            label = f"Question {numbers[key]}: {item.text or item.short_label or key}"
            rows.append(
                (
                    key,
                    label,
                    f"First entry: {_code_text(definition, key, first.get(key))}",
                    f"Second entry: {_code_text(definition, key, second.get(key))}",
                )
            )
    form = ResolveForm(_data(request), rows=rows)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            chosen = dict(first)
            for key, *_ in rows:
                if form.cleaned_data[f"pick_{key}"] == "second":
                    chosen[key] = second.get(key)
            import datetime as dt

            day = dt.date.fromisoformat(chosen.pop(svc.DATE_KEY))
            try:
                svc.paper_entry_resolve(
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
                messages.success(
                    request,
                    f"{definition.short_name} for {entry.service_user.display_name} saved.",
                )
                return redirect("collection:paper_start", org_slug=organisation.slug)
    return render(
        request,
        _t("paper_resolve"),
        {"entry": entry, "definition": definition, "form": form},
        status=status,
    )


@org_view(Action.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def collection_settings(request: HttpRequest, service_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    service = account_selectors.service_get(organisation=organisation, pk=service_pk)
    current = svc.settings_for(service)
    assert current is not None
    form = CollectionSettingsForm(
        _data(request),
        initial={
            "show_results": current.show_results,
            "double_entry": current.double_entry,
        },
    )
    if request.method == "POST" and form.is_valid():
        svc.collection_settings_update(
            service=service,
            show_results=form.cleaned_data["show_results"],
            double_entry=form.cleaned_data["double_entry"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Collection settings for {service.name} saved.")
        return redirect("accounts:service_list", org_slug=organisation.slug)
    return render(
        request,
        _t("settings"),
        {"service": service, "form": form},
        status=400 if form.errors else 200,
    )
