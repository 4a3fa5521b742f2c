"""Reads for the token page, always scoped to one organisation."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from openproms.accounts.models import Organisation
from openproms.api.models import ApiToken
from openproms.audit.models import AuditEvent
from openproms.collection.models import Administration, TimePoint
from openproms.people.models import Episode, ServiceUser


def api_tokens_for(organisation: Organisation) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(organisation=organisation)
        .select_related("created_by", "revoked_by")
        .prefetch_related("services")
    )


def api_token_get(*, organisation: Organisation, pk: int) -> ApiToken:
    return get_object_or_404(api_tokens_for(organisation), pk=pk)


def api_token_uses(token: ApiToken, limit: int = 20) -> QuerySet[AuditEvent]:
    """The latest uses of a token, from the audit log."""
    return AuditEvent.objects.filter(
        organisation_id=token.organisation_id,
        action="api.use",
        object_type="api.apitoken",
        object_id=str(token.pk),
    ).order_by("-at")[:limit]


# ------------------------------------------------ what a token may see (its scope)


def token_service_ids(token: ApiToken) -> list[int] | None:
    """The services a token is limited to (None: every service)."""
    cached = getattr(token, "_service_ids", False)
    if cached is False:
        ids = sorted(token.services.values_list("pk", flat=True))
        cached = ids or None
        token._service_ids = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[no-any-return]


def people_for(token: ApiToken) -> QuerySet[ServiceUser]:
    """The people a token sees: its organisation's, and with services chosen, only
    those with an episode in one of them."""
    people = ServiceUser.objects.filter(organisation_id=token.organisation_id)
    services = token_service_ids(token)
    if services is not None:
        people = people.filter(
            Exists(
                Episode.objects.filter(
                    service_user=OuterRef("pk"), service_id__in=services
                )
            )
        )
    return people


def episodes_for(token: ApiToken) -> QuerySet[Episode]:
    episodes = Episode.objects.filter(organisation_id=token.organisation_id)
    services = token_service_ids(token)
    if services is not None:
        episodes = episodes.filter(service_id__in=services)
    return episodes


def time_points_for(token: ApiToken) -> QuerySet[TimePoint]:
    points = TimePoint.objects.filter(organisation_id=token.organisation_id)
    services = token_service_ids(token)
    if services is not None:
        points = points.filter(episode__service_id__in=services)
    return points


def administrations_for(token: ApiToken) -> QuerySet[Administration]:
    """A token's answers: with services chosen, those given in an episode of one
    of them, or in no episode by a person the token sees."""
    answers = Administration.objects.filter(organisation_id=token.organisation_id)
    services = token_service_ids(token)
    if services is not None:
        answers = answers.filter(
            Q(episode__service_id__in=services)
            | Q(episode__isnull=True, service_user__in=people_for(token))
        )
    return answers
