"""Writes for service users, consent, episodes, contacts and group registers.

Services are keyword-only, run in a transaction, assume valid input (forms check
it) and write an audit event for every change. Audit details name the fields that
changed, never their values. After any change to an episode or its contacts, the
episode's time points are refreshed (``episode_schedule_refresh``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.audit.services import log_action
from openproms.people.models import (
    Consent,
    Contact,
    Episode,
    EpisodePause,
    GroupSession,
    ServiceUser,
)


class StaleVersion(Exception):
    """Someone else saved this record since it was opened."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Someone else changed this {what} while you were editing it. "
            "Reload the page to see their changes, then make yours again."
        )


def _refresh_schedule(episode: Episode) -> None:
    """Recompute the episode's time points (collection's scheduler)."""
    from openproms.collection.scheduling import episode_schedule_refresh

    episode_schedule_refresh(episode=episode)


def _lock_episode(episode: Episode, expected_version: int) -> Episode:
    locked = Episode.objects.select_for_update().get(pk=episode.pk)
    if locked.version != expected_version:
        raise StaleVersion("episode")
    return locked


# Service users


@transaction.atomic
def service_user_create(
    *,
    organisation: Organisation,
    data: Mapping[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> ServiceUser:
    person = ServiceUser.objects.create(organisation=organisation, **data)
    log_action(
        action="person.create",
        actor=actor,
        organisation=organisation,
        obj=person,
        request=request,
        detail={"fields": sorted(name for name, value in data.items() if value)},
    )
    return person


@transaction.atomic
def service_user_update(
    *,
    service_user: ServiceUser,
    data: Mapping[str, Any],
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> ServiceUser:
    """Save changed details; raises StaleVersion if someone saved in between."""
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    if person.version != expected_version:
        raise StaleVersion("person's details")
    changed = sorted(
        name for name, value in data.items() if getattr(person, name) != value
    )
    if not changed:
        return person
    for name in changed:
        setattr(person, name, data[name])
    person.version += 1
    person.updated_at = timezone.now()
    person.save()
    log_action(
        action="person.update",
        actor=actor,
        organisation=person.organisation,
        obj=person,
        request=request,
        detail={"fields": changed},
    )
    return person


@transaction.atomic
def consent_record(
    *,
    service_user: ServiceUser,
    kind: str,
    given: bool,
    decided_on: dt.date,
    note: str,
    actor: User,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a consent decision; the latest decision of each kind is in force.

    A decision on taking part refreshes the person's schedules at once: withdrawing
    closes their open time points, rejoining brings back the ones still needed."""
    moment = dt.datetime.combine(decided_on, dt.time(12))
    consent = Consent.objects.create(
        service_user=service_user,
        kind=kind,
        given=given,
        recorded_at=timezone.make_aware(moment),
        recorded_by=actor,
        note=note,
    )
    log_action(
        action="consent.record",
        actor=actor,
        organisation=service_user.organisation,
        obj=service_user,
        request=request,
        detail={"kind": kind, "given": given},
    )
    if kind == Consent.Kind.TAKE_PART:
        for episode in service_user.episodes.all():
            _refresh_schedule(episode)
        if not given:
            _stop_links(service_user, actor=actor, request=request)
    return consent


def _stop_links(
    service_user: ServiceUser, *, actor: User, request: HttpRequest | None
) -> None:
    """Stop the person's self-completion links that still work (collection's)."""
    from openproms.collection.links import link_revoke
    from openproms.collection.models import SelfCompletionLink

    for link in SelfCompletionLink.objects.filter(
        service_user=service_user, revoked_at__isnull=True, used_at__isnull=True
    ):
        link_revoke(link=link, actor=actor, request=request)


# Episodes


@transaction.atomic
def episode_open(
    *,
    service_user: ServiceUser,
    service: Service,
    start_date: dt.date,
    key_worker: User | None,
    actor: User,
    request: HttpRequest | None = None,
) -> Episode:
    episode = Episode.objects.create(
        organisation=service_user.organisation,
        service_user=service_user,
        service=service,
        start_date=start_date,
        key_worker=key_worker,
    )
    log_action(
        action="episode.open",
        actor=actor,
        organisation=episode.organisation,
        obj=episode,
        request=request,
        detail={
            "service": service.pk,
            "key_worker": key_worker.pk if key_worker else None,
        },
    )
    _refresh_schedule(episode)
    return episode


def _save_episode(
    episode: Episode,
    action: str,
    actor: User,
    request: HttpRequest | None,
    **detail: Any,
) -> Episode:
    episode.version += 1
    episode.save()
    log_action(
        action=action,
        actor=actor,
        organisation=episode.organisation,
        obj=episode,
        request=request,
        detail=detail,
    )
    _refresh_schedule(episode)
    return episode


@transaction.atomic
def episode_pause(
    *,
    episode: Episode,
    start_date: dt.date,
    reason: str,
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> Episode:
    locked = _lock_episode(episode, expected_version)
    EpisodePause.objects.create(episode=locked, start_date=start_date, reason=reason)
    locked.status = Episode.Status.PAUSED
    return _save_episode(locked, "episode.pause", actor, request, fields=["status"])


@transaction.atomic
def episode_resume(
    *,
    episode: Episode,
    end_date: dt.date,
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> Episode:
    locked = _lock_episode(episode, expected_version)
    locked.pauses.filter(end_date__isnull=True).update(end_date=end_date)
    locked.status = Episode.Status.ACTIVE
    return _save_episode(locked, "episode.resume", actor, request, fields=["status"])


@transaction.atomic
def episode_close(
    *,
    episode: Episode,
    end_date: dt.date,
    close_reason: str,
    expected_version: int,
    actor: User,
    request: HttpRequest | None = None,
) -> Episode:
    locked = _lock_episode(episode, expected_version)
    locked.pauses.filter(end_date__isnull=True).update(end_date=end_date)
    locked.end_date = end_date
    locked.close_reason = close_reason
    locked.status = Episode.Status.CLOSED
    return _save_episode(
        locked,
        "episode.close",
        actor,
        request,
        fields=["end_date", "close_reason", "status"],
    )


# Contacts and group registers


@transaction.atomic
def contact_record(
    *,
    episode: Episode,
    date: dt.date,
    attended: bool,
    seen_by: User | None,
    actor: User,
    request: HttpRequest | None = None,
) -> Contact:
    contact = Contact.objects.create(
        organisation=episode.organisation,
        episode=episode,
        date=date,
        attended=attended,
        seen_by=seen_by,
    )
    log_action(
        action="contact.create",
        actor=actor,
        organisation=episode.organisation,
        obj=contact,
        request=request,
        detail={"episode": episode.pk, "attended": attended},
    )
    _refresh_schedule(episode)
    return contact


def _apply_register(
    session: GroupSession,
    attended: Iterable[Episode],
    did_not_attend: Iterable[Episode],
) -> dict[str, int]:
    wanted = {episode.pk: True for episode in attended}
    wanted.update({episode.pk: False for episode in did_not_attend})
    touched: set[int] = set(wanted)
    counts = {"added": 0, "changed": 0, "removed": 0}
    for contact in Contact.objects.select_for_update().filter(group_session=session):
        touched.add(contact.episode_id)
        if contact.episode_id not in wanted:
            contact.delete()
            counts["removed"] += 1
            continue
        changed = (
            contact.attended != wanted[contact.episode_id]
            or contact.date != session.date
        )
        if changed:
            contact.attended = wanted[contact.episode_id]
            contact.date = session.date
            contact.save(update_fields=["attended", "date"])
            counts["changed"] += 1
        del wanted[contact.episode_id]
    for episode_id, was_there in wanted.items():
        Contact.objects.create(
            organisation=session.organisation,
            episode_id=episode_id,
            date=session.date,
            attended=was_there,
            seen_by=session.facilitator,
            group_session=session,
        )
        counts["added"] += 1
    for episode in Episode.objects.filter(pk__in=touched):
        _refresh_schedule(episode)
    return counts


@transaction.atomic
def group_session_create(
    *,
    organisation: Organisation,
    service: Service,
    date: dt.date,
    title: str,
    attended: Iterable[Episode],
    did_not_attend: Iterable[Episode],
    actor: User,
    request: HttpRequest | None = None,
) -> GroupSession:
    """A group session and its register: one contact per person listed."""
    session = GroupSession.objects.create(
        organisation=organisation,
        service=service,
        date=date,
        title=title,
        facilitator=actor,
    )
    counts = _apply_register(session, attended, did_not_attend)
    log_action(
        action="group_session.create",
        actor=actor,
        organisation=organisation,
        obj=session,
        request=request,
        detail={"service": service.pk, **counts},
    )
    return session


@transaction.atomic
def group_session_update(
    *,
    session: GroupSession,
    date: dt.date,
    title: str,
    attended: Iterable[Episode],
    did_not_attend: Iterable[Episode],
    actor: User,
    request: HttpRequest | None = None,
) -> GroupSession:
    """Change a session and its register; contacts are added, changed or removed."""
    changed = [
        name
        for name, value in (("date", date), ("title", title))
        if getattr(session, name) != value
    ]
    session.date = date
    session.title = title
    session.save(update_fields=["date", "title"])
    counts = _apply_register(session, attended, did_not_attend)
    log_action(
        action="group_session.update",
        actor=actor,
        organisation=session.organisation,
        obj=session,
        request=request,
        detail={"fields": changed, **counts},
    )
    return session
