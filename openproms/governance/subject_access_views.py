"""The subject access download: one ZIP file of everything held about a person,
for an organisation admin (decision 0014)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from openproms.accounts.policy import Action
from openproms.core.access import org_view
from openproms.governance.subject_access import subject_access_export
from openproms.people.selectors import service_user_get


@org_view(Action.PERSON_SUBJECT_ACCESS)
def subject_access_download(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    export = subject_access_export(
        organisation=membership.organisation,
        service_user=person,
        actor=request.user,  # type: ignore[arg-type]
        request=request,
    )
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    response["Cache-Control"] = "no-store"
    return response
