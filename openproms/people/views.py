"""Pages for service users, consent, episodes, contacts, group registers,
the caseload and risk alerts.

Views are thin: a form checks the input, one service or selector does the work.
Everything is read through the scoped selectors, so another organisation's record,
or a person outside a worker's caseload, is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Service
from openproms.accounts.policy import CASELOAD_ONLY_ROLES, Action
from openproms.audit.reads import record_viewed
from openproms.core.access import org_view
from openproms.people import selectors, services
from openproms.people.consent import consent_effects
from openproms.people.forms import (
    AlertAcknowledgeForm,
    ConsentForm,
    ContactForm,
    EpisodeCloseForm,
    EpisodeOpenForm,
    EpisodePauseForm,
    EpisodeResumeForm,
    GroupSessionForm,
    PersonForm,
)
from openproms.people.models import Consent, Episode
from openproms.people.person_panels import person_panels

PAGE_SIZE = 25


def _data(request: HttpRequest) -> Any:
    """The posted data, even when empty (so an empty form is checked, not shown)."""
    return request.POST if request.method == "POST" else None


def _status(form: Any, conflict: bool = False) -> int:
    if conflict:
        return 409
    return 400 if form.is_bound and form.errors else 200


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
    form = PersonForm(_data(request), organisation=organisation)
    episode_form = (
        EpisodeOpenForm(
            _data(request),
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
        _data(request), organisation=membership.organisation, instance=person
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
        status=_status(form, conflict),
    )


@org_view(Action.PERSON_VIEW)
def person_detail(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    consents = list(person.consents.select_related("recorded_by"))
    in_force = []
    for kind, label in Consent.Kind.choices:
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
            **selectors.person_collection(service_user=person),
            "person_panels": person_panels(request, person),
        },
    )


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def consent_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    form = ConsentForm(_data(request))
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
        status=_status(form),
    )


# Episodes and contacts


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def episode_open(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = selectors.service_user_get(membership=membership, pk=person_pk)
    form = EpisodeOpenForm(
        _data(request),
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
        status=_status(form),
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
    form = form_class(_data(request), episode=episode)
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
        else _status(form),
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
        _data(request),
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
        status=_status(form),
    )


# Group sessions


@org_view(Action.EPISODE_MANAGE)
def group_session_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    sessions = selectors.group_sessions_for(membership).order_by("-date", "title")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/group_session_list.html", {"page": page})


def _service_from_query(request: HttpRequest) -> Service | None:
    raw = request.GET.get("service") or request.POST.get("service_id") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such service.")
    try:
        return Service.objects.get(
            organisation=request.organisation,  # type: ignore[attr-defined]
            pk=int(raw),
        )
    except Service.DoesNotExist:
        raise Http404("No such service.") from None


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def group_session_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    service = _service_from_query(request)
    if service is None:
        return render(
            request,
            "people/group_session_service.html",
            {
                "services": Service.objects.filter(
                    organisation=organisation, is_active=True
                )
            },
            status=400 if request.method == "POST" else 200,
        )
    candidates = selectors.register_candidates(membership=membership, service=service)
    form = GroupSessionForm(
        _data(request),
        membership=membership,
        candidates=candidates,
        fixed_service=service,
    )
    if request.method == "POST" and form.is_valid():
        session = services.group_session_create(
            organisation=organisation,
            service=service,
            date=form.cleaned_data["date"],
            title=form.cleaned_data["title"],
            attended=form.cleaned_data["attended"],
            did_not_attend=form.cleaned_data["did_not_attend"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Register for “{session.title}” saved.")
        return redirect("people:group_session_list", org_slug=organisation.slug)
    return render(
        request,
        "people/group_session_form.html",
        {"form": form, "service": service, "session": None, "candidates": candidates},
        status=_status(form),
    )


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def group_session_edit(request: HttpRequest, group_session_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    session = selectors.group_session_get(membership=membership, pk=group_session_pk)
    candidates = selectors.register_candidates(
        membership=membership, service=session.service, session=session
    )
    contacts = list(session.contacts.all())
    initial = {
        "title": session.title,
        "on_day": str(session.date.day),
        "on_month": str(session.date.month),
        "on_year": str(session.date.year),
        "attended": [c.episode_id for c in contacts if c.attended],
        "did_not_attend": [c.episode_id for c in contacts if not c.attended],
    }
    form = GroupSessionForm(
        _data(request),
        membership=membership,
        candidates=candidates,
        fixed_service=session.service,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.group_session_update(
            session=session,
            date=form.cleaned_data["date"],
            title=form.cleaned_data["title"],
            attended=form.cleaned_data["attended"],
            did_not_attend=form.cleaned_data["did_not_attend"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Register for “{session.title}” saved.")
        return redirect("people:group_session_list", org_slug=session.organisation.slug)
    return render(
        request,
        "people/group_session_form.html",
        {
            "form": form,
            "service": session.service,
            "session": session,
            "candidates": candidates,
        },
        status=_status(form),
    )


# Caseload and alerts


@org_view(Action.CASELOAD_VIEW)
def caseload(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    raw_service = request.GET.get("service", "")
    service = None
    if raw_service:
        # A made-up or another organisation's service id is a 404, like any record.
        if not raw_service.isdigit():
            raise Http404("No such service.")
        try:
            service = Service.objects.get(
                organisation=organisation, pk=int(raw_service)
            )
        except Service.DoesNotExist:
            raise Http404("No such service.") from None
    sort = request.GET.get("sort", "name")
    sort = sort if sort in {"name", "due", "change"} else "name"
    deteriorated_only = request.GET.get("deteriorated") == "1"
    due_only = request.GET.get("due") == "1"
    rows = selectors.caseload_for(
        membership=membership,
        service=service,
        sort=sort,
        deteriorated_only=deteriorated_only,
        due_only=due_only,
        with_changes=True,
    )
    record_viewed(request, view="caseload", people=[row["person"].pk for row in rows])
    return render(
        request,
        "people/caseload.html",
        {
            "rows": rows,
            "service": service,
            "sort": sort,
            "deteriorated_only": deteriorated_only,
            "due_only": due_only,
            "services": Service.objects.filter(organisation=organisation),
        },
    )


@org_view(Action.ALERT_MANAGE)
def alert_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    alerts = selectors.open_alerts_for(membership)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    record_viewed(
        request,
        view="risk alerts",
        people=(alert.service_user_id for alert in page.object_list),
    )
    return render(
        request,
        "people/alert_list.html",
        {"page": page, "all_alerts": membership.role not in CASELOAD_ONLY_ROLES},
    )


@org_view(Action.ALERT_MANAGE)
@require_http_methods(["GET", "POST"])
def alert_acknowledge(request: HttpRequest, alert_pk: int) -> HttpResponse:
    from openproms.collection.services import risk_alert_acknowledge

    membership = request.membership  # type: ignore[attr-defined]
    alert = selectors.alert_get(membership=membership, pk=alert_pk)
    form = AlertAcknowledgeForm(_data(request))
    done = alert.acknowledged_at is not None
    if request.method == "POST" and not done and form.is_valid():
        risk_alert_acknowledge(
            alert=alert,
            actor=request.user,  # type: ignore[arg-type]
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, "Alert acknowledged.")
        return redirect("people:alert_list", org_slug=membership.organisation.slug)
    return render(
        request,
        "people/alert_acknowledge.html",
        {"form": form, "alert": alert, "done": done},
        status=409 if done and request.method == "POST" else _status(form),
    )
