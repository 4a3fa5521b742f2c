"""Pages for group sessions: the list, and a session's register made or changed."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.models import Service
from openproms.accounts.policy import Action
from openproms.core.access import org_view
from openproms.people import selectors, services
from openproms.people.group_forms import GroupSessionForm
from openproms.people.view_helpers import (
    PAGE_SIZE,
    form_status,
    posted,
    service_from_query,
)


@org_view(Action.EPISODE_MANAGE)
def group_session_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    sessions = selectors.group_sessions_for(membership).order_by("-date", "title")
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/group_session_list.html", {"page": page})


@org_view(Action.EPISODE_MANAGE)
@require_http_methods(["GET", "POST"])
def group_session_create(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    service = service_from_query(request)
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
        posted(request),
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
        status=form_status(form),
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
        posted(request),
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
        status=form_status(form),
    )
