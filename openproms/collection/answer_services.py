"""Writes around answering other than the answers themselves (those go through
:func:`openproms.collection.services.administration_submit`): the acceptability
question after answering, and a service's collection settings. Reads are in
``answer_selectors``, the result screen's words in ``answer_results``, typing
paper forms in ``paper_entry_services``.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from openproms.accounts.models import Service, User
from openproms.audit.services import log_action
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    CollectionSettings,
)


@transaction.atomic
def acceptability_record(
    *,
    administration: Administration,
    mode: str,
    rating: int,
    comment: str,
    request: HttpRequest | None = None,
) -> AcceptabilityResponse:
    """Store "How did you find answering these questions?" for one sitting."""
    episode = administration.episode
    response = AcceptabilityResponse.objects.create(
        organisation=administration.organisation,
        service=episode.service if episode is not None else None,
        administration=administration,
        mode=mode,
        rating=rating,
        comment=comment.strip()[:1000],
    )
    log_action(
        action="acceptability.create",
        organisation=administration.organisation,
        obj=response,
        request=request,
        actor_label="the person answering",
        detail={"mode": mode},
    )
    return response


@transaction.atomic
def collection_settings_update(
    *,
    service: Service,
    show_results: bool,
    double_entry: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> CollectionSettings:
    found, _ = CollectionSettings.objects.select_for_update().get_or_create(
        service=service
    )
    found.show_results = show_results
    found.double_entry = double_entry
    found.save(update_fields=["show_results", "double_entry"])
    log_action(
        action="collection_settings.update",
        actor=actor,
        organisation=service.organisation,
        obj=found,
        request=request,
        detail={"show_results": show_results, "double_entry": double_entry},
    )
    return found
