"""Restricting a person's data (UK GDPR Art 18; decision 0021): the record stays,
but it is not processed. While restricted the scheduler plans nothing for them
and cancels what was planned, their unused self-completion links stop, nothing
is sent to them, and no report or dashboard counts them (``people.consent``:
``is_restricted``, ``people_who_may_be_contacted``, ``not_counted``). Lifting the
restriction brings back the time points still needed."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import User
from openproms.audit.services import log_action
from openproms.collection.links import link_revoke
from openproms.collection.models import SelfCompletionLink
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.people.models import ServiceUser


class RestrictionError(Exception):
    """A restriction that cannot be made or lifted, in words for the page."""


def _refresh(person: ServiceUser) -> None:
    for episode in person.episodes.all():
        episode_schedule_refresh(episode=episode)


@transaction.atomic
def person_restrict(
    *,
    service_user: ServiceUser,
    reason: str,
    actor: User,
    request: HttpRequest | None = None,
) -> ServiceUser:
    """Restrict the person's data; ``reason`` is kept on the person, not in the
    audit event (it is free text)."""
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    if person.restricted_at is not None:
        raise RestrictionError("This person's data is already restricted.")
    person.restricted_at = timezone.now()
    person.restriction_reason = reason.strip()[:300]
    person.save(update_fields=["restricted_at", "restriction_reason"])
    for link in SelfCompletionLink.objects.filter(
        service_user=person, revoked_at__isnull=True, used_at__isnull=True
    ):
        link_revoke(link=link, actor=actor, request=request)
    _refresh(person)
    log_action(
        action="person.restrict",
        actor=actor,
        organisation=person.organisation,
        obj=person,
        request=request,
    )
    return person


@transaction.atomic
def person_unrestrict(
    *, service_user: ServiceUser, actor: User, request: HttpRequest | None = None
) -> ServiceUser:
    """Lift the restriction: the person is planned for, contacted and counted again."""
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    if person.restricted_at is None:
        raise RestrictionError("This person's data is not restricted.")
    person.restricted_at = None
    person.restriction_reason = ""
    person.save(update_fields=["restricted_at", "restriction_reason"])
    _refresh(person)
    log_action(
        action="person.unrestrict",
        actor=actor,
        organisation=person.organisation,
        obj=person,
        request=request,
    )
    return person
