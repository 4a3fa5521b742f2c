"""What a person's consent decisions allow: the reads every feature uses to honour
them (docs/decisions/0019-consent-in-force.md).

The decision in force for each kind is the person's latest (the latest day it was
made on; on one day, the last recorded), as it stands now: a report on an earlier
period reads today's decisions too. Until a "no" is recorded nothing is withheld:

* taking part: a person takes part until they withdraw. A withdrawn person gets no
  new time points (``collection.scheduling`` asks :func:`takes_part`), their open
  ones are closed with the reason "withdrew", and they are sent nothing
  (:func:`people_who_may_be_contacted`);
* sharing with funders: a person who said no is left out of every figure a
  commissioner sees (``reports.selectors`` reads :func:`declined_sharing_with_funders`);
* sharing with their GP: a person who said no has no record text made for their
  GP and nothing of theirs is sent to a practice (:func:`may_share_with_gp`).

A restricted person (restriction of processing, UK GDPR Art 18; decision 0021)
is held but not processed: like a withdrawn person they get no time points
(:func:`is_restricted`, read by the scheduler) and are sent nothing
(:func:`people_who_may_be_contacted`), and they are left out of every report,
the organisation's own included (:func:`not_counted`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery

from openproms.accounts.models import Organisation
from openproms.people.models import Consent, ServiceUser

Kind = Consent.Kind

GP_RECORD = "To put their results in their GP record"
"""The GP-sharing decision's name at a GP practice, where the patient's GP is the
practice itself: there it decides whether a summary goes into the clinical
record (and to another practice, when the patient moves)."""


def kind_labels(organisation: Organisation) -> dict[str, str]:
    """Each kind of consent decision in the organisation's words."""
    labels = dict(Kind.choices)
    if organisation.kind == Organisation.Kind.GP_PRACTICE:
        labels[Kind.SHARE_WITH_GP] = GP_RECORD
    return labels


def decision_in_force(service_user_id: int, kind: str) -> Consent | None:
    """The person's latest decision of ``kind``, or None when none is recorded."""
    return (
        Consent.objects.filter(service_user_id=service_user_id, kind=kind)
        .order_by("-recorded_at", "-id")
        .first()
    )


def _says_no(service_user_id: int, kind: str) -> bool:
    decision = decision_in_force(service_user_id, kind)
    return decision is not None and not decision.given


def takes_part(service_user_id: int) -> bool:
    """False once the person's decision in force on taking part is no."""
    return not _says_no(service_user_id, Kind.TAKE_PART)


def may_share_with_gp(service_user: ServiceUser) -> bool:
    """False when the person's decision in force on sharing with their GP is no."""
    return not _says_no(service_user.pk, Kind.SHARE_WITH_GP)


def _saying_no(organisation: Organisation, kind: str) -> QuerySet[ServiceUser]:
    """The organisation's people whose decision in force of ``kind`` is no. Only
    people with a "no" of that kind ever recorded are looked at, so the work grows
    with the number of such decisions, not with the organisation."""
    latest = (
        Consent.objects.filter(service_user=OuterRef("pk"), kind=kind)
        .order_by("-recorded_at", "-id")
        .values("given")[:1]
    )
    ever_no = Consent.objects.filter(
        service_user__organisation=organisation, kind=kind, given=False
    ).values("service_user_id")
    return (
        ServiceUser.objects.filter(organisation=organisation, pk__in=ever_no)
        .annotate(given_now=Subquery(latest))
        .filter(given_now=False)
    )


def declined_sharing_with_funders(
    organisation: Organisation,
) -> QuerySet[ServiceUser]:
    """People whose answers are left out of everything a funder sees."""
    return _saying_no(organisation, Kind.SHARE_WITH_FUNDERS)


def withdrawn(organisation: Organisation) -> QuerySet[ServiceUser]:
    """People who have withdrawn from taking part in measuring outcomes."""
    return _saying_no(organisation, Kind.TAKE_PART)


def is_restricted(service_user_id: int) -> bool:
    """True while the person's data is restricted: kept, but not processed."""
    return ServiceUser.objects.filter(
        pk=service_user_id, restricted_at__isnull=False
    ).exists()


def restricted(organisation: Organisation) -> QuerySet[ServiceUser]:
    """The organisation's people whose data is restricted."""
    return ServiceUser.objects.filter(
        organisation=organisation, restricted_at__isnull=False
    )


def not_counted(organisation: Organisation, *, funders: bool) -> QuerySet[ServiceUser]:
    """The people a report leaves out: restricted people always, and for
    anything a funder sees also those who said no to sharing with funders."""
    left_out = Q(pk__in=restricted(organisation).values("pk"))
    if funders:
        left_out |= Q(pk__in=declined_sharing_with_funders(organisation).values("pk"))
    return ServiceUser.objects.filter(organisation=organisation).filter(left_out)


def people_who_may_be_contacted(organisation: Organisation) -> QuerySet[ServiceUser]:
    """The people a reminder, a self-completion link or any other message about
    measuring outcomes may go to: everyone who has not withdrawn and is not
    restricted. Anything that sends such messages without a worker choosing the
    person (a reminder job) must choose its recipients from here; their own
    contact preference is the sender's further check."""
    return (
        ServiceUser.objects.filter(organisation=organisation)
        .exclude(pk__in=withdrawn(organisation).values("pk"))
        .exclude(restricted_at__isnull=False)
    )


@dataclass(frozen=True)
class ConsentEffect:
    """What a decision in force means, in plain words, for the person page."""

    kind: str
    sentence: str


def decisions_in_force(service_user_id: int) -> dict[str, Consent | None]:
    """Each kind's decision in force (None: not asked yet), read at once."""
    found: dict[str, Consent | None] = dict.fromkeys(Kind.values)
    for decision in Consent.objects.filter(service_user_id=service_user_id).order_by(
        "-recorded_at", "-id"
    ):
        if found.get(decision.kind) is None:
            found[decision.kind] = decision
    return found


def consent_effects(service_user: ServiceUser) -> list[ConsentEffect]:
    """One plain sentence for each "no" in force, saying what it stops."""
    name = service_user.given_name or "This person"
    sentences = {
        Kind.TAKE_PART: f"{name} has withdrawn from taking part in measuring "
        "outcomes. No more questionnaires are planned for them, the ones that were "
        "planned are closed, and no reminders or links are sent. The answers they "
        "gave before are kept.",
        Kind.SHARE_WITH_FUNDERS: f"{name}'s answers are left out of every report "
        "for funders. They still count in your own dashboard.",
        Kind.SHARE_WITH_GP: f"{name}'s results are not shared with their GP: no "
        "summary is made for their GP record.",
    }
    decisions = decisions_in_force(service_user.pk)
    return [
        ConsentEffect(kind, sentence)
        for kind, sentence in sentences.items()
        if (decision := decisions.get(kind)) is not None and not decision.given
    ]
