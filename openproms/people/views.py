"""Pages for service users, consent, episodes and contacts (group registers are
in :mod:`group_views`, the caseload and risk alerts in :mod:`caseload_views`).

Views are thin: a form checks the input, one service or selector does the work.
Everything is read through the scoped selectors, so another organisation's record,
or a person outside a worker's caseload, is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import CASELOAD_ONLY_ROLES, Action
from openproms.audit.reads import record_viewed
from openproms.core.access import org_view
from openproms.people import selectors, services
from openproms.people.consent import consent_effects, kind_labels
from openproms.people.forms import (
    ConsentForm,
    ContactForm,
    EpisodeCloseForm,
    EpisodeOpenForm,
    EpisodePauseForm,
    EpisodeResumeForm,
    PersonForm,
)
from openproms.people.models import Consent, Episode
from openproms.people.person_panels import person_panels
from openproms.people.view_helpers import PAGE_SIZE, form_status, posted


def _to_person(request: HttpRequest, person_pk: int) -> HttpResponse:
    return redirect(
        "people:person_detail",
        org_slug=request.organisation.slug,  # type: ignore[attr-defined]
        person_pk=person_pk,
    )


# People


@org_view(Action.PERSON_VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    query = request.GET.get("q", "")[:100]
    people = selectors.service_users_search(membership=membership, query=query)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    record_viewed(
        request,
        view="people search" if query else "people list",
        people=(person.pk for person in page.object_list),
    )
    return render(
        request,
        "people/person_list.html",
        {
            "page": page,
            "query": query,
            "caseload_only": membership.role in CASELOAD_ONLY_ROLES,
        },
    )


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    caseload_only = membership.role in CASELOAD_ONLY_ROLES
    form = PersonForm(posted(request), organisation=organisation)
    episode_form = (
        EpisodeOpenForm(
            posted(request),
            organisation=organisation,
            default_worker=request.user,  # type: ignore[arg-type]
            prefix="episode",
        )
        if caseload_only
        else None
    )
    if request.method == "POST":
        valid = form.is_valid()
        valid = (episode_form is None or episode_form.is_valid()) and valid
        if valid:
            person = services.service_user_create(
                organisation=organisation,
                data=form.person_data(),
                actor=request.user,  # type: ignore[arg-type]
                request=request,
            )
            if episode_form is not None:
                # A worker sees only their caseload: the person joins it at once.
                services.episode_open(
                    service_user=person,
                    service=episode_form.cleaned_data["service"],
                    start_date=episode_form.cleaned_data["start_date"],
                    key_worker=episode_form.cleaned_data["key_worker"],
                    actor=request.user,  # type: ignore[arg-type]
                    request=request,
                )
            messages.success(request, f"{person.display_name} added.")
            if selectors.service_users_for(membership).filter(pk=person.pk).exists():
                return _to_person(request, person.pk)
            return redirect("people:person_list", org_slug=organisation.slug)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "episode_form": episode_form, "person": None},
        status=400 if request.method == "POST" else 200,
    )


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    form = PersonForm(
        posted(request), organisation=membership.organisation, instance=person
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.service_user_update(
                service_user=person,
                data=form.person_data(),
                expected_version=form.cleaned_data.get("version") or person.version,
                actor=request.user,  # type: ignore[arg-type]
                request=request,
            )
        except services.StaleVersion as error:
            form.add_error(None, str(error))
            conflict = True
        else:
            messages.success(request, f"{person.display_name}: details saved.")
            return _to_person(request, person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "episode_form": None, "person": person},
        status=form_status(form, conflict),
    )


@org_view(Action.PERSON_VIEW)
def person_detail(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    consents = list(person.consents.select_related("recorded_by"))
    labels = kind_labels(membership.organisation)
    for c in consents:
        c.label = labels[c.kind]  # type: ignore[attr-defined]
    in_force = []
    for kind, label in labels.items():
        latest = next((c for c in consents if c.kind == kind), None)
        in_force.append({"label": label, "consent": latest})
    effects = consent_effects(person)
    episodes = (
        selectors.episodes_for(membership)
        .filter(service_user=person)
        .prefetch_related("pauses", "contacts__seen_by", "contacts__group_session")
    )
    record_viewed(request, view="person page", people=[person.pk])
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "consents": consents,
            "in_force": in_force,
            "consent_effects": effects,
            "withdrawn": any(e.kind == Consent.Kind.TAKE_PART for e in effects),
            "episodes": episodes,
            "panels": person_panels(request, person),
            **selectors.person_collection(service_user=person),
        },
    )


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    form = ConsentForm(posted(request), organisation=membership.organisation)
    if request.method == "POST" and form.is_valid():
        services.consent_record(
            service_user=person,
            kind=form.cleaned_data["kind"],
            given=form.cleaned_data["given"],
            decided_on=form.cleaned_data["decided_on"],
            note=form.cleaned_data["note"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "Consent decision recorded.")
        return _to_person(request, person.pk)
    return render(
        request,
        "people/consent_form.html",
        {"form": form, "person": person},
        status=form_status(form),
    )


# Episodes and contacts


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_open(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    form = EpisodeOpenForm(
        posted(request),
        organisation=membership.organisation,
        default_worker=request.user  # type: ignore[arg-type]
        if membership.role in CASELOAD_ONLY_ROLES
        else None,
    )
    if request.method == "POST" and form.is_valid():
        episode = services.episode_open(
            service_user=person,
            service=form.cleaned_data["service"],
            start_date=form.cleaned_data["start_date"],
            key_worker=form.cleaned_data["key_worker"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Episode opened in {episode.service.name}.")
        if selectors.service_users_for(membership).filter(pk=person.pk).exists():
            return _to_person(request, person.pk)
        return redirect("people:person_list", org_slug=membership.organisation.slug)
    return render(
        request,
        "people/episode_open.html",
        {"form": form, "person": person},
        status=form_status(form),
    )


def _episode_change(
    request: HttpRequest,
    episode_pk: int,
    form_class: type[Any],
    template: str,
    apply: Any,
    done: str,
    allowed: set[str],
) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    episode = selectors.episode_get(membership=membership, pk=episode_pk)
    form = form_class(posted(request), episode=episode)
    conflict = False
    wrong_state = episode.status not in allowed
    if request.method == "POST" and not wrong_state and form.is_valid():
        try:
            apply(episode, form.cleaned_data)
        except services.StaleVersion as error:
            form.add_error(None, str(error))
            conflict = True
        else:
            messages.success(request, done)
            return _to_person(request, episode.service_user_id)
    return render(
        request,
        template,
        {
            "form": form,
            "episode": episode,
            "person": episode.service_user,
            "wrong_state": wrong_state,
        },
        status=409
        if conflict or (wrong_state and request.method == "POST")
        else form_status(form),
    )


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_pause(request: HttpRequest, episode_pk: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> None:
        services.episode_pause(
            episode=episode,
            start_date=data["date"],
            reason=data["reason"],
            expected_version=data["version"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )

    return _episode_change(
        request,
        episode_pk,
        EpisodePauseForm,
        "people/episode_pause.html",
        apply,
        "Support paused.",
        {Episode.Status.ACTIVE},
    )


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_resume(request: HttpRequest, episode_pk: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> None:
        services.episode_resume(
            episode=episode,
            end_date=data["date"],
            expected_version=data["version"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )

    return _episode_change(
        request,
        episode_pk,
        EpisodeResumeForm,
        "people/episode_resume.html",
        apply,
        "Support started again.",
        {Episode.Status.PAUSED},
    )


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_close(request: HttpRequest, episode_pk: int) -> HttpResponse:
    def apply(episode: Episode, data: dict[str, Any]) -> None:
        services.episode_close(
            episode=episode,
            end_date=data["date"],
            close_reason=data["close_reason"],
            expected_version=data["version"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )

    return _episode_change(
        request,
        episode_pk,
        EpisodeCloseForm,
        "people/episode_close.html",
        apply,
        "Episode closed.",
        {Episode.Status.ACTIVE, Episode.Status.PAUSED},
    )


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, episode_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    episode = selectors.episode_get(membership=membership, pk=episode_pk)
    form = ContactForm(
        posted(request),
        episode=episode,
        default_worker=request.user,  # type: ignore[arg-type]
    )
    if request.method == "POST" and form.is_valid():
        services.contact_record(
            episode=episode,
            date=form.cleaned_data["date"],
            attended=form.cleaned_data["attended"],
            seen_by=form.cleaned_data["seen_by"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "Contact recorded.")
        return _to_person(request, episode.service_user_id)
    return render(
        request,
        "people/contact_form.html",
        {"form": form, "episode": episode, "person": episode.service_user},
        status=form_status(form),
    )
