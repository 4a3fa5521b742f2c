"""Pages for sharing a summary with a GP practice: the worker's (send, what was
sent, its downloads) and the practice's inbox (read, match, accept, decline)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from openproms.accounts.policy import Action
from openproms.audit.reads import record_viewed
from openproms.core.access import org_view
from openproms.people.selectors import service_user_get
from openproms.sharing import gp_services as svc
from openproms.sharing.forms import GpShareForm, InboxDecisionForm, PersonChoiceForm
from openproms.sharing.models import GpShare


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _download(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The sending organisation


@org_view(Action.GP_SHARE)
@require_http_methods(["GET", "POST"])
def gp_share_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    person = service_user_get(membership=membership, pk=person_pk)
    refused = svc.refusal(person)
    form = GpShareForm(_data(request), practices=svc.gp_practices(person.organisation))
    if refused is None and request.method == "POST" and form.is_valid():
        share = svc.gp_share_send(
            service_user=person,
            recipient=form.cleaned_data["recipient"],
            practice_name=form.cleaned_data["practice_name"],
            actor=request.user,  # type: ignore[arg-type]
            request=request,
        )
        if share.recipient is not None:
            messages.success(request, f"Summary sent to {share.practice_name}.")
            return redirect(
                "people:person_detail",
                org_slug=membership.organisation.slug,
                person_pk=person.pk,
            )
        return redirect(
            "sharing:gp_share_detail",
            org_slug=membership.organisation.slug,
            share_pk=share.pk,
        )
    status = 200
    if request.method == "POST":
        status = 409 if refused else (400 if form.errors else 200)
    return render(
        request,
        "sharing/gp_share_form.html",
        {"person": person, "form": form, "refused": refused},
        status=status,
    )


def _sent(request: HttpRequest, share_pk: int) -> GpShare:
    """A share the organisation sent about a person the member may see."""
    membership = request.membership  # type: ignore[attr-defined]
    share = (
        GpShare.objects.filter(organisation=membership.organisation, pk=share_pk)
        .select_related("shared_by", "recipient")
        .first()
    )
    if share is None or share.service_user_id is None:
        raise Http404("No such summary.")
    service_user_get(membership=membership, pk=share.service_user_id)
    return share


@org_view(Action.GP_SHARE)
def gp_share_detail(request: HttpRequest, share_pk: int) -> HttpResponse:
    share = _sent(request, share_pk)
    record_viewed(
        request, view="summary shared with a GP", people=[share.service_user_id]
    )
    return render(request, "sharing/gp_share_detail.html", {"share": share})


@org_view(Action.GP_SHARE)
def gp_share_pdf(request: HttpRequest, share_pk: int) -> HttpResponse:
    share = _sent(request, share_pk)
    record_viewed(
        request,
        view="summary for a GP (PDF)",
        people=[share.service_user_id],
        download=True,
    )
    return _download(bytes(share.pdf), "application/pdf", f"gp-summary-{share.pk}.pdf")


@org_view(Action.GP_SHARE)
def gp_share_bundle(request: HttpRequest, share_pk: int) -> HttpResponse:
    share = _sent(request, share_pk)
    record_viewed(
        request,
        view="summary for a GP (FHIR Bundle)",
        people=[share.service_user_id],
        download=True,
    )
    return _download(
        json.dumps(share.bundle, indent=2).encode(),
        "application/fhir+json",
        f"gp-summary-{share.pk}.json",
    )


# The practice's inbox


def _received(request: HttpRequest, received_pk: int) -> GpShare:
    organisation = request.organisation  # type: ignore[attr-defined]
    share = svc.gp_inbox(organisation).filter(pk=received_pk).first()
    if share is None:
        raise Http404("No such summary.")
    return share


@org_view(Action.GP_INBOX)
def gp_inbox(request: HttpRequest) -> HttpResponse:
    shares = list(svc.gp_inbox(request.organisation))  # type: ignore[attr-defined]
    record_viewed(
        request,
        view="GP inbox",
        people=[s.matched_person_id for s in shares if s.matched_person_id],
    )
    return render(
        request,
        "sharing/gp_inbox.html",
        {
            "waiting": [s for s in shares if s.status == GpShare.Status.SENT],
            "settled": [s for s in shares if s.status != GpShare.Status.SENT],
        },
    )


@org_view(Action.GP_INBOX)
@require_http_methods(["GET", "POST"])
def gp_inbox_detail(request: HttpRequest, received_pk: int) -> HttpResponse:
    share = _received(request, received_pk)
    organisation = request.organisation  # type: ignore[attr-defined]
    matches = svc.gp_matches(share)
    posted = _data(request) if share.status == GpShare.Status.SENT else None
    by_reference = posted is not None and "reference" in posted
    decision = InboxDecisionForm(None if by_reference else posted, candidates=matches)
    choice = PersonChoiceForm(
        posted if by_reference else None, organisation=organisation
    )
    form = choice if by_reference else decision
    if posted is not None and form.is_valid():
        person = form.cleaned_data.get("reference") or form.cleaned_data.get("person")
        user = request.user
        if person is None:
            svc.gp_share_decline(share=share, actor=user, request=request)  # type: ignore[arg-type]
            messages.success(request, "Summary declined.")
        else:
            svc.gp_share_accept(share=share, person=person, actor=user, request=request)  # type: ignore[arg-type]
            messages.success(
                request,
                f"Summary accepted and added to the record of {person.display_name}.",
            )
        return redirect(
            "sharing:gp_inbox_detail",
            org_slug=organisation.slug,
            received_pk=share.pk,
        )
    record_viewed(
        request,
        view="summary shared by another organisation",
        people=[p.pk for p in matches]
        + ([share.matched_person_id] if share.matched_person_id else []),
    )
    return render(
        request,
        "sharing/gp_inbox_detail.html",
        {
            "share": share,
            "matches": list(matches),
            "decision": decision,
            "choice": choice,
        },
        status=400 if posted is not None else 200,
    )


@org_view(Action.GP_INBOX)
def gp_inbox_pdf(request: HttpRequest, received_pk: int) -> HttpResponse:
    share = _received(request, received_pk)
    record_viewed(
        request,
        view="summary shared by another organisation (PDF)",
        people=[share.matched_person_id] if share.matched_person_id else [],
        obj=share,
        download=True,
    )
    return _download(bytes(share.pdf), "application/pdf", f"gp-summary-{share.pk}.pdf")
