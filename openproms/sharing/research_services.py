"""Research projects: recorded by an organisation admin, approved by the member
named as approver, and only then, until they expire, downloadable by that
approver as a pseudonymised extract (openproms.sharing.extract; decision 0025).
Every download is audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.accounts.policy import POLICY, Action
from openproms.audit.services import log_action
from openproms.sharing.models import ResearchProject
from openproms.sharing.research_consent import people_in_research

FORMATS = {
    "csv": "extract (CSV)",
    "parquet": "extract (Parquet)",
    "dictionary-csv": "data dictionary (CSV)",
    "dictionary-md": "data dictionary (markdown)",
}


class DownloadRefused(Exception):
    """Why the extract may not be downloaded, in words."""


def projects_of(organisation: Organisation) -> QuerySet[ResearchProject]:
    return ResearchProject.objects.filter(organisation=organisation).select_related(
        "approver"
    )


def approvers_for(organisation: Organisation) -> QuerySet[User]:
    """The members who may be named as a project's approver: those whose role
    may manage research (the approver downloads the extract)."""
    return User.objects.filter(
        memberships__organisation=organisation,
        memberships__role__in=POLICY[Action.RESEARCH_MANAGE],
    ).order_by("full_name", "email")


@transaction.atomic
def research_project_create(
    *,
    organisation: Organisation,
    name: str,
    purpose: str,
    approver: User,
    approval_date: dt.date,
    expiry_date: dt.date,
    fields: list[str],
    shift_dates: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> ResearchProject:
    project = ResearchProject.objects.create(
        organisation=organisation,
        name=name,
        purpose=purpose,
        approver=approver,
        approval_date=approval_date,
        expiry_date=expiry_date,
        fields=fields,
        shift_dates=shift_dates,
        created_by=actor,
    )
    log_action(
        action="research_project.create",
        actor=actor,
        organisation=organisation,
        obj=project,
        request=request,
        detail={"fields": fields, "shift_dates": shift_dates},
    )
    return project


@transaction.atomic
def research_project_approve(
    *, project: ResearchProject, actor: User, request: HttpRequest | None = None
) -> ResearchProject:
    project.approved_at = timezone.now()
    project.save(update_fields=["approved_at"])
    log_action(
        action="research_project.approve",
        actor=actor,
        organisation=project.organisation,
        obj=project,
        request=request,
    )
    return project


def download_refusal(project: ResearchProject, user: User) -> str | None:
    """Why ``user`` may not download the project's extract now, or None."""
    if project.approver_id != user.pk:
        return (
            f"Only the project's approver, {project.approver.display_name}, can "
            "download its extract."
        )
    if project.approved_at is None:
        return "The project has not been approved yet: approve it first."
    if project.has_expired():
        return (
            f"This project expired on {project.expiry_date:%d/%m/%Y}: its extract "
            "can no longer be downloaded."
        )
    return None


def research_extract_log(
    *, project: ResearchProject, what: str, actor: User, request: HttpRequest
) -> None:
    """Audit one download (the people in it by key: who left, and when)."""
    people = list(people_in_research(project.organisation).values_list("pk", flat=True))
    log_action(
        action="research_extract.download",
        actor=actor,
        organisation=project.organisation,
        obj=project,
        request=request,
        detail={"what": FORMATS[what], "people": len(people)},
        people=people if what in ("csv", "parquet") else [],
    )
