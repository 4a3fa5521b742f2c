"""Erasing a person (UK GDPR Art 17; decision 0021).

Every row about the person goes, by the database's own cascade from the person
(consents, episodes and their pauses and contacts, time points, answers, scores,
edits, risk alerts, links, paper entries, printed forms and the scanned pages that
became their answers), together with the rows that point at them loosely (feedback
given after answering, with its free text; the record of an uploaded file whose
every page was theirs: its name may name them) and the page images on disk.

What stays: audit events (append-only) name the person only by type and key
(``audit.services.record_text``), so they keep a pseudonymous reference and
nothing else; and an :class:`~openproms.governance.models.Erasure` record, under a
new random token, saying when, why, by whom and how much went, and that reports
already released are not rewritten. Reports made afterwards read the database,
so they no longer count the person.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from openproms.accounts.models import Organisation, User
from openproms.audit.services import log_action
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    TimePoint,
)
from openproms.governance.models import Erasure
from openproms.people.models import ServiceUser
from openproms.scans.models import ScanFile, ScanPage


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing a person would remove, for the confirmation page."""

    episodes: int
    answers: int
    time_points: int
    scanned_pages: int


def erasure_preview(service_user: ServiceUser) -> ErasurePreview:
    return ErasurePreview(
        episodes=service_user.episodes.count(),
        answers=service_user.administrations.count(),
        time_points=TimePoint.objects.filter(
            episode__service_user=service_user
        ).count(),
        scanned_pages=_pages_of(service_user).count(),
    )


def _pages_of(service_user: ServiceUser) -> QuerySet[ScanPage]:
    """The person's scanned pages: those saved as their answers or printed for
    them, and any later copy of one (a page scanned twice)."""
    theirs = ScanPage.objects.filter(
        Q(administration__service_user=service_user)
        | Q(form__service_user=service_user)
    ).values("pk")
    return ScanPage.objects.filter(Q(pk__in=theirs) | Q(duplicate_of__in=theirs))


def _files_on_disk(pages: list[ScanPage], files: list[ScanFile]) -> int:
    count = sum(1 for page in pages for f in (page.image, page.aligned) if f)
    return count + sum(1 for f in files if f.upload)


@transaction.atomic
def person_erase(
    *,
    service_user: ServiceUser,
    reason: str,
    kind: str = Erasure.Kind.REQUEST,
    actor: User | None = None,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Erasure:
    """Erase ``service_user`` and everything about them; return the record kept.

    Assumes a checked reason (``governance.erasure_forms``) that does not name them.
    """
    person = ServiceUser.objects.select_for_update().get(pk=service_user.pk)
    organisation: Organisation = person.organisation
    pages = list(_pages_of(person))
    file_ids = {page.file_id for page in pages}
    # Files whose every page is this person's go too (their names may name them).
    whole_files = list(
        ScanFile.objects.filter(pk__in=file_ids)
        .annotate(
            total=Count("pages", distinct=True),
            theirs=Count("pages", filter=Q(pages__in=[p.pk for p in pages])),
        )
        .filter(total=F("theirs"))
    )
    files_removed = _files_on_disk(pages, whole_files)

    removed: Counter[str] = Counter()
    feedback = AcceptabilityResponse.objects.filter(
        administration__in=Administration.objects.filter(service_user=person)
    )
    _, by_model = feedback.delete()
    removed.update(by_model)
    # Deleting the pages (by cascade) deletes their images (scans.signals).
    _, by_model = person.delete()
    removed.update(by_model)
    # Copies of their pages the cascade did not reach (a copy read without a form).
    _, by_model = ScanPage.objects.filter(pk__in=[p.pk for p in pages]).delete()
    removed.update(by_model)
    _, by_model = ScanFile.objects.filter(pk__in=[f.pk for f in whole_files]).delete()
    removed.update(by_model)

    erasure = Erasure.objects.create(
        organisation=organisation,
        token=secrets.token_hex(8),
        kind=kind,
        reason=reason.strip()[:500],
        erased_by=actor,
        erased_at=now or timezone.now(),
        rows_removed={label: n for label, n in sorted(removed.items()) if n},
        files_removed=files_removed,
    )
    log_action(
        action="person.erase",
        actor=actor,
        actor_label=None if actor is not None else "the retention job",
        organisation=organisation,
        obj=erasure,
        request=request,
        detail={"kind": kind, "rows": erasure.rows_total, "files": files_removed},
    )
    return erasure
