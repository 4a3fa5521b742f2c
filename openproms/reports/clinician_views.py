"""The clinician summary: a person's scores with measurement error, reliable-change
verdicts and caseness, and plain text to paste into the clinical record."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.collection.on_track import on_track_for_people
from openproms.core.access import org_view
from openproms.people.consent import may_share_with_gp
from openproms.people.selectors import service_user_get
from openproms.reports import clinician_summary as summary
from openproms.reports import progress_services as svc


@org_view(Action.PERSON_VIEW)
def clinician_summary(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    progress = svc.person_progress(service_user=person, with_intervals=True)
    record_viewed(request, view="clinician summary", people=[person.pk])
    return render(
        request,
        "reports/clinician/summary.html",
        {
            "person": person,
            "blocks": summary.summary_blocks(
                progress,
                on_track=on_track_for_people(membership.organisation, [person.pk]).get(
                    person.pk, []
                ),
            ),
            # No summary for the record when the person said no to sharing with
            # their GP (people.consent); the page says so instead.
            "text": summary.clinician_record_text(
                service_user=person, progress=progress, today=timezone.localdate()
            )
            if may_share_with_gp(person)
            else None,
        },
    )
