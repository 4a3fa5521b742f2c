"""Self-completion: making and revoking links (``links.py``), and the public pages
a person answers on with a link or a short code.
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.collection import answer_selectors as reads
from openproms.collection import links
from openproms.collection.answer_forms import (
    LinkCreateForm,
    ShortCodeForm,
)
from openproms.collection.answer_pages import (
    answer_form,
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
    SelfCompletionLink,
)
from openproms.core.access import org_view, public_view
from openproms.people.models import ServiceUser
from openproms.people.selectors import person_scope, service_user_get
from openproms.scoring import WordingNotAvailable
from openproms.scoring import require_wording as check_wording
from openproms.translations.activation import (
    SELF_LANGUAGE,
    chosen_language,
    in_language,
    other_language,
    public_language,
    remember_language,
    self_language,
)
from openproms.translations.selectors import measure_definition_in


@org_view(Action.ANSWER_COLLECT)
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    person = service_user_get(membership=request.membership, pk=person_pk)  # type: ignore[attr-defined]
    due = list(reads.due_time_points(person))
    names = reads.MeasureNames(organisation)
    form = LinkCreateForm(
        posted_data(request),
        due=[(str(tp.pk), f"{names.of(tp)}, {tp.label}") for tp in due],
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
            template("link_created"),
            {
                "person": person,
                "made": made,
                "url": url,
                "start_url": request.build_absolute_uri(
                    reverse("collection:self_start")
                ),
                "qr": _qr_svg(url),
                "person_url": person_url(organisation, person),
            },
        )
    return render(
        request,
        template("link_create"),
        {
            "person": person,
            "form": form,
            "due": due,
            "active": person.links.filter(
                revoked_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
            ),
            "person_url": person_url(organisation, person),
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


def _public_page(
    request: HttpRequest,
    name: str,
    *,
    context: dict[str, Any] | None = None,
    status: int = 200,
    person: ServiceUser | None = None,
) -> HttpResponse:
    """A page that may name no person yet, in their language when it knows them,
    else in the language chosen on the page or by the browser (decision 0034),
    with a link to the other language."""
    language = public_language(request, person)
    with in_language(language):
        response = render(
            request,
            template(name),
            {
                **(context or {}),
                "other_language": None if person else other_language(language),
            },
            status=status,
        )
    return remember_language(request, response)


def _link_not_working(
    request: HttpRequest, person: ServiceUser | None = None
) -> HttpResponse:
    return _public_page(request, "self_not_working", status=404, person=person)


def _too_many(request: HttpRequest) -> HttpResponse:
    return _public_page(request, "self_too_many", status=429)


def _open_link(
    request: HttpRequest, link: SelfCompletionLink, language: str | None = None
) -> HttpResponse:
    """Start the visit; in ``language`` when the person chose one before typing
    their code, else in their preferred language (decisions 0028, 0034)."""
    request.session.cycle_key()
    request.session[SELF_LINK] = link.pk
    request.session[SELF_DONE] = []
    if language:
        request.session[SELF_LANGUAGE] = language
    else:
        request.session.pop(SELF_LANGUAGE, None)
    return redirect("collection:self_answer")


@public_view
@require_http_methods(["GET", "POST"])
def self_start(request: HttpRequest) -> HttpResponse:
    form = ShortCodeForm(posted_data(request))
    not_found = False
    if request.method == "POST":
        if links.attempts_exhausted(request):
            return _too_many(request)
        if form.is_valid():
            link = links.link_for_code(form.cleaned_data["code"])
            if link is None:
                links.attempt_failed(request)
                not_found = True
                # The box stays, with what went wrong: a typing slip is fixed
                # here, not from a page that has no box.
                form.add_error(
                    "code",
                    gettext_lazy(
                        "This code does not work. It may have been typed wrongly, "
                        "have run out or have been used already: check it and try "
                        "again, or ask the service that gave it to you for a new one."
                    ),
                )
            else:
                return _open_link(request, link, chosen_language(request))
    return _public_page(
        request,
        "self_start",
        context={"form": form},
        status=404 if not_found else 400 if form.errors else 200,
    )


@public_view
def self_token(request: HttpRequest, token: str) -> HttpResponse:
    if links.attempts_exhausted(request):
        return _too_many(request)
    link = links.link_for_token(token)
    if link is None:
        links.attempt_failed(request)
        return _link_not_working(request, links.link_person(token=token))
    return _open_link(request, link)


@public_view
@require_http_methods(["GET", "POST"])
def self_answer(request: HttpRequest) -> HttpResponse:
    link = links.link_get_usable(request.session.get(SELF_LINK))
    if link is None:
        if request.session.get(SELF_DONE):
            return redirect("collection:self_done")
        return _link_not_working(
            request, links.link_person(pk=request.session.get(SELF_LINK))
        )
    # The person's pages speak their preferred language (decision 0028), or the
    # one they chose in this visit (decisions 0028, 0034).
    language = self_language(request, link.service_user)
    with in_language(language):
        return _self_answer(request, link, language)


def _self_answer(
    request: HttpRequest, link: SelfCompletionLink, language: str
) -> HttpResponse:
    remaining = links.remaining_time_points(link)
    time_point = remaining[0]
    organisation = link.organisation
    definition = measure_definition_in(
        organisation=organisation,
        measure_id=time_point.measure_id,
        version=time_point.measure_version,
        language=language,
    )
    try:
        check_wording(definition)
    except WordingNotAvailable as error:
        return no_wording_page(request, definition, error)
    form = answer_form(request, definition, timed=True, time_point=time_point)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result, status = submit(
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
        template("self_answer"),
        {
            "definition": definition,
            "form": form,
            "items": form.item_views(),
            "organisation": organisation,
            "position": len(request.session.get(SELF_DONE, [])) + 1,
            "total": len(request.session.get(SELF_DONE, [])) + len(remaining),
            "other_language": other_language(language),
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
        return _link_not_working(request, links.link_person(pk=link_pk))
    done = list(
        Administration.objects.filter(
            organisation=link.organisation,
            service_user=link.service_user,
            pk__in=done_pks,
        ).order_by("completed_at", "id")
    )
    if not done:
        return _link_not_working(request, links.link_person(pk=link_pk))
    language = self_language(request, link.service_user)
    with in_language(language):
        return _self_done(request, link, done, language)


def _self_done(
    request: HttpRequest,
    link: SelfCompletionLink,
    done: list[Administration],
    language: str,
) -> HttpResponse:
    form, finished = acceptability(request, done[-1], Administration.Mode.SELF)
    if finished:
        request.session.pop(SELF_DONE, None)
        request.session.pop(SELF_LINK, None)
        # Lets "See my progress" (reports:self_progress) find the link's person.
        request.session["openproms_self_progress"] = link.pk
        return render(
            request,
            template("self_thanks"),
            {"organisation": link.organisation, **support_context(done)},
        )
    return render(
        request,
        template("result"),
        {
            **result_context(done, request, language=language),
            **support_context(done),
            "form": form,
            "base": "base.html",
            "other_language": other_language(language),
        },
        status=400 if form.errors else 200,
    )
