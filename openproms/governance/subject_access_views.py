"""The subject access download: one ZIP file of everything held about a person,
for an organisation admin (decision 0014)."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpRequest, HttpResponse

from openproms.accounts.policy import Action
from openproms.core.access import org_view
from openproms.governance.subject_access import subject_access_export
from openproms.people.selectors import service_user_get


@org_view(Action.PERSON_SUBJECT_ACCESS)
def subject_access_download(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    # On disk, not in memory: a person's scanned pages can weigh many megabytes.
    # The file has no name on disk and goes when the response is closed.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    try:
        export = subject_access_export(
            organisation=membership.organisation,
            service_user=person,
            actor=request.user,  # type: ignore[arg-type]
            out=out,
            request=request,
        )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(
        out, as_attachment=True, filename=export.name, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response
