"""Sharing a person's summary with their GP practice (decision 0025).

A worker sends (:func:`gp_share_send`) the clinician summary's record text, a
PDF of it and the person's FHIR Bundle, only while the person's decision in
force on sharing with their GP is not "no" and their data is not restricted.
To a practice on this installation the share arrives in its inbox; it matches
it by NHS number to its own record of the person and accepts it
(:func:`gp_share_accept`) or declines it (:func:`gp_share_decline`). To a
practice elsewhere the worker downloads the Bundle and PDF. Each side's audit
log records its part: the sender's the sending, the practice's the arrival and
its decision (written under the practice's name, so each sees only its own).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.collection.fhir_io import person_bundle
from openproms.core.row_security import organisation_scope
from openproms.people.consent import is_restricted, may_share_with_gp
from openproms.people.models import ServiceUser
from openproms.reports.clinician_summary import clinician_record_text
from openproms.reports.progress_services import person_progress
from openproms.sharing.gp_pdf import gp_summary_pdf
from openproms.sharing.models import GpShare


class ShareRefused(Exception):
    """Why nothing was sent, in words for the worker."""


def gp_practices(organisation: Organisation) -> QuerySet[Organisation]:
    """The GP practices on this installation a share may be addressed to."""
    return Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE).exclude(
        pk=organisation.pk
    )


def refusal(service_user: ServiceUser) -> str | None:
    """Why the person's summary may not be shared with their GP, or None."""
    name = service_user.given_name or "This person"
    if not may_share_with_gp(service_user):
        return (
            f"{name} said no to sharing their results with their GP, so nothing "
            "can be sent to their practice."
        )
    if is_restricted(service_user.pk):
        return f"{name}'s data is restricted, so nothing can be sent to their practice."
    return None


@transaction.atomic
def gp_share_send(
    *,
    service_user: ServiceUser,
    recipient: Organisation | None,
    practice_name: str,
    actor: User,
    request: HttpRequest | None = None,
) -> GpShare:
    """Make the summary and send it: to ``recipient``'s inbox, or (None) kept to
    be downloaded for a practice elsewhere. Raises :class:`ShareRefused`."""
    reason = refusal(service_user)
    if reason is not None:
        raise ShareRefused(reason)
    organisation = service_user.organisation
    now = timezone.now()
    today = timezone.localdate()
    practice = recipient.name if recipient is not None else practice_name
    text = clinician_record_text(
        service_user=service_user,
        progress=person_progress(service_user=service_user, with_intervals=True),
        today=today,
    )
    name = f"{service_user.given_name} {service_user.family_name}".strip()
    share = GpShare.objects.create(
        organisation=organisation,
        recipient=recipient,
        practice_name=practice,
        service_user=service_user,
        nhs_number=service_user.nhs_number,
        given_name=service_user.given_name,
        family_name=service_user.family_name,
        date_of_birth=service_user.date_of_birth,
        record_text=text,
        pdf=gp_summary_pdf(
            name=name,
            nhs_number=service_user.nhs_number,
            date_of_birth=service_user.date_of_birth,
            sender=organisation.name,
            practice=practice,
            record_text=text,
            shared_on=today,
        ),
        bundle=person_bundle(organisation=organisation, service_user=service_user),
        shared_by=actor,
        shared_at=now,
        status=GpShare.Status.SENT if recipient else GpShare.Status.DOWNLOADED,
    )
    log_action(
        action="gp_share.send" if recipient else "gp_share.prepare_download",
        actor=actor,
        organisation=organisation,
        obj=share,
        request=request,
        detail={"practice": practice[:100]},
        people=[service_user.pk],
    )
    if recipient is not None:
        # The practice's own log: written under its name (the sender's request
        # may write no row of another organisation otherwise). No person's key:
        # the sender's person is not the practice's record.
        with organisation_scope(recipient.pk):
            log_action(
                action="gp_share.receive",
                actor=actor,
                organisation=recipient,
                obj=share,
                request=request,
                detail={"from": organisation.name[:100]},
                people=[],
            )
    return share


def gp_inbox(organisation: Organisation) -> QuerySet[GpShare]:
    """The shares addressed to this practice, newest first."""
    return GpShare.objects.filter(recipient=organisation).select_related(
        "organisation", "matched_person", "decided_by"
    )


def gp_matches(share: GpShare) -> QuerySet[ServiceUser]:
    """The practice's own record(s) of the person: same NHS number."""
    if not share.nhs_number or share.recipient_id is None:
        return ServiceUser.objects.none()
    return ServiceUser.objects.filter(
        organisation_id=share.recipient_id, nhs_number=share.nhs_number
    )


@transaction.atomic
def gp_share_accept(
    *,
    share: GpShare,
    person: ServiceUser,
    actor: User,
    request: HttpRequest | None = None,
) -> GpShare:
    """Link the share to the practice's record ``person`` (one of its own)."""
    assert person.organisation_id == share.recipient_id
    share.status = GpShare.Status.ACCEPTED
    share.matched_person = person
    share.decided_by = actor
    share.decided_at = timezone.now()
    share.save(update_fields=["status", "matched_person", "decided_by", "decided_at"])
    log_action(
        action="gp_share.accept",
        actor=actor,
        organisation=share.recipient,
        obj=share,
        request=request,
        people=[person.pk],
    )
    return share


@transaction.atomic
def gp_share_decline(
    *, share: GpShare, actor: User, request: HttpRequest | None = None
) -> GpShare:
    share.status = GpShare.Status.DECLINED
    share.decided_by = actor
    share.decided_at = timezone.now()
    share.save(update_fields=["status", "decided_by", "decided_at"])
    log_action(
        action="gp_share.decline",
        actor=actor,
        organisation=share.recipient,
        obj=share,
        request=request,
        people=[],
    )
    return share


def gp_shares_of(service_user: ServiceUser) -> QuerySet[GpShare]:
    """What has been shared about the person, for their organisation's page."""
    return GpShare.objects.filter(
        organisation_id=service_user.organisation_id, service_user=service_user
    ).select_related("shared_by", "recipient")


def gp_shares_received_for(service_user: ServiceUser) -> QuerySet[GpShare]:
    """Summaries from other organisations the practice linked to this person."""
    return GpShare.objects.filter(
        recipient_id=service_user.organisation_id, matched_person=service_user
    ).select_related("organisation")
