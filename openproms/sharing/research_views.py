"""Pages for research projects (record, approve, download the extract) and for
recording a person's research consent decision."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from openproms.accounts.policy import Action
from openproms.core.access import forbidden, org_view
from openproms.people.selectors import service_user_get
from openproms.sharing import extract
from openproms.sharing import research_services as svc
from openproms.sharing.forms import ResearchConsentForm, ResearchProjectForm
from openproms.sharing.models import ResearchProject
from openproms.sharing.research_consent import (
    people_in_research,
    research_consent_record,
)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _project(request: HttpRequest, project_pk: int) -> ResearchProject:
    organisation = request.organisation  # type: ignore[attr-defined]
    return get_object_or_404(svc.projects_of(organisation), pk=project_pk)


@org_view(Action.RESEARCH_MANAGE)
def research_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    return render(
        request,
        "sharing/research_list.html",
        {"projects": svc.projects_of(organisation)},
    )


@org_view(Action.RESEARCH_MANAGE)
@require_http_methods(["GET", "POST"])
def research_create(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = ResearchProjectForm(
        _data(request),
        organisation=organisation,
        approvers=svc.approvers_for(organisation),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = svc.research_project_create(
            organisation=organisation,
            name=data["name"],
            purpose=data["purpose"],
            approver=data["approver"],
            approval_date=data["approval_date"],
            expiry_date=data["expiry_date"],
            fields=list(data["fields"]),
            shift_dates=data["shift_dates"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"Research project {project.name} recorded.")
        return redirect(
            "sharing:research_detail",
            org_slug=organisation.slug,
            project_pk=project.pk,
        )
    return render(
        request,
        "sharing/research_form.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@org_view(Action.RESEARCH_MANAGE)
def research_detail(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    user = request.user
    return render(
        request,
        "sharing/research_detail.html",
        {
            "project": project,
            "columns": extract.columns_of(project),
            "is_approver": project.approver_id == user.pk,
            "refused": svc.download_refusal(project, user),  # type: ignore[arg-type]
            "people": people_in_research(project.organisation).count(),
            "shift_days": extract.pseudonyms.SHIFT_DAYS,
        },
    )


@org_view(Action.RESEARCH_MANAGE)
@require_POST
def research_approve(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = _project(request, project_pk)
    if project.approver_id != request.user.pk:
        return forbidden(
            request,
            action=str(Action.RESEARCH_MANAGE),
            organisation=project.organisation,
        )
    if project.approved_at is None:
        svc.research_project_approve(
            project=project,
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, f"{project.name} approved.")
    return redirect(
        "sharing:research_detail",
        org_slug=project.organisation.slug,
        project_pk=project.pk,
    )


def _extract_response(request: HttpRequest, project_pk: int, what: str) -> HttpResponse:
    project = _project(request, project_pk)
    user = request.user
    refused = svc.download_refusal(project, user)  # type: ignore[arg-type]
    if refused is not None:
        return render(
            request,
            "sharing/research_refused.html",
            {"project": project, "refused": refused},
            status=403,
        )
    svc.research_extract_log(project=project, what=what, actor=user, request=request)  # type: ignore[arg-type]
    stem = slugify(project.name) or f"project-{project.pk}"
    response: HttpResponse
    if what == "csv":
        chunks: Iterator[str] = extract.extract_csv(project)
        response = StreamingHttpResponse(chunks, content_type="text/csv")
        name = f"{stem}-extract.csv"
    elif what == "parquet":
        response = HttpResponse(
            extract.extract_parquet(project),
            content_type="application/vnd.apache.parquet",
        )
        name = f"{stem}-extract.parquet"
    elif what == "dictionary-csv":
        response = HttpResponse(
            extract.dictionary_csv(project), content_type="text/csv"
        )
        name = f"{stem}-data-dictionary.csv"
    else:
        response = HttpResponse(
            extract.dictionary_markdown(project), content_type="text/markdown"
        )
        name = f"{stem}-data-dictionary.md"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view(Action.RESEARCH_MANAGE)
def research_extract_csv(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _extract_response(request, project_pk, "csv")


@org_view(Action.RESEARCH_MANAGE)
def research_extract_parquet(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _extract_response(request, project_pk, "parquet")


@org_view(Action.RESEARCH_MANAGE)
def research_dictionary_csv(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _extract_response(request, project_pk, "dictionary-csv")


@org_view(Action.RESEARCH_MANAGE)
def research_dictionary_markdown(request: HttpRequest, project_pk: int) -> HttpResponse:
    return _extract_response(request, project_pk, "dictionary-md")


@org_view(Action.PERSON_MANAGE)
@require_http_methods(["GET", "POST"])
def research_consent_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    form = ResearchConsentForm(_data(request))
    if request.method == "POST" and form.is_valid():
        research_consent_record(
            service_user=person,
            given=form.cleaned_data["given"],
            decided_on=form.cleaned_data["decided_on"],
            note=form.cleaned_data["note"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        messages.success(request, "Research consent decision recorded.")
        return redirect(
            "people:person_detail",
            org_slug=membership.organisation.slug,
            person_pk=person.pk,
        )
    return render(
        request,
        "sharing/research_consent_form.html",
        {"form": form, "person": person},
        status=400 if form.is_bound and form.errors else 200,
    )
