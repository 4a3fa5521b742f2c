"""Writes that take a printed form from its read pages to saved answers: a person's
answer for an item the reader was unsure of, whose form a blank copy is, what
happened to a form with no answer marked, setting a page aside, and saving through
``collection.services.administration_submit`` once everything is decided.

A form whose every question is left blank is never saved: it waits for a person
(handed back empty, not this person's form, or to be scanned again), and its time
point stays open. Answers too few to make any score are saved and say so: the time
point is then "answered, no score", not done (docs/decisions/0010-time-point-states.md
and 0012-empty-and-unscorable-scans.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from openproms.audit.services import log_action
from openproms.collection.models import Administration, TimePoint
from openproms.collection.scheduling import time_point_record_missed
from openproms.collection.services import (
    SubmissionError,
    TimePointAlreadyAnswered,
    administration_submit,
)
from openproms.scans.models import PrintedForm, ScanItem, ScanPage
from openproms.scans.selectors import measure_or_none
from openproms.scoring import (
    ResponseInvalid,
    ResponseScore,
    ScaleScore,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from openproms.accounts.models import Membership, User
    from openproms.people.models import ServiceUser


EMPTY_REASON = (
    "nothing is saved from it, and its time point stays open, until a person says "
    "what happened to it (handed back empty, not this person's form, or to be "
    "scanned again)"
)


class ScanError(Exception):
    """A request about scanned paper that cannot be carried out; the message says why."""


# ------------------------------------------------------------------ deciding


def item_decide(
    *,
    membership: Membership,
    item: ScanItem,
    code: int | None,
    request: HttpRequest | None = None,
) -> ScanItem:
    """Record a person's answer for an uncertain item (None: no answer given)."""
    page = item.page
    if not page.is_open:
        raise ScanError("This page is closed: its answers were saved or set aside.")
    definition = measure_or_none(
        page.organisation, page.measure_id, page.measure_version
    )
    if definition is None:
        raise ScanError("This page's measure is not known here any more.")
    allowed = next(
        (i.response_set.codes for i in definition.items if i.id == item.item_id), None
    )
    if allowed is None:
        raise ScanError("That question is not on this form.")
    if code is not None and code not in allowed:
        raise ScanError(
            f"{code} is not an answer to question {item.number}: choose one of "
            f"{', '.join(str(c) for c in sorted(allowed))}, or no answer."
        )
    with transaction.atomic():
        item.code = code
        item.decided = True
        item.decided_by = membership.user
        item.decided_at = timezone.now()
        item.save(update_fields=["code", "decided", "decided_by", "decided_at"])
        log_action(
            action="scan.decide",
            actor=membership.user,
            organisation=membership.organisation,
            obj=item,
            request=request,
            detail={
                "page": page.pk,
                "item": item.item_id,
                "reader": item.read_code,
                "reader_decision": item.decision,
                "chosen": code,
            },
        )
    if page.form is not None:
        form_progress(form=page.form, actor=membership.user, request=request)
    return item


def page_assign(
    *,
    membership: Membership,
    page: ScanPage,
    service_user: ServiceUser,
    time_point: TimePoint | None,
    request: HttpRequest | None = None,
) -> PrintedForm:
    """Say whose form an unmatched page is (a blank form), and which time point it
    answers (or none). Applies to every page of the same printed form."""
    form = page.form
    if form is None or page.status != ScanPage.Status.UNMATCHED:
        raise ScanError("This page does not need a person chosen.")
    if service_user.organisation_id != membership.organisation_id:
        raise ScanError("That person is not in this organisation.")
    if time_point is not None and (
        time_point.episode.service_user_id != service_user.pk
        or time_point.measure_id != form.measure_id
        or time_point.status != TimePoint.Status.PENDING
    ):
        raise ScanError(
            "That time point is not an open one for this person and this measure."
        )
    with transaction.atomic():
        form.service_user = service_user
        form.time_point = time_point
        form.save(update_fields=["service_user", "time_point"])
        ScanPage.objects.filter(form=form, status=ScanPage.Status.UNMATCHED).update(
            status=ScanPage.Status.TO_CHECK, reason=""
        )
        log_action(
            action="scan.assign",
            actor=membership.user,
            organisation=membership.organisation,
            obj=form,
            request=request,
            detail={
                "service_user": service_user.pk,
                "time_point": time_point.pk if time_point else None,
            },
        )
    form_progress(form=form, actor=membership.user, request=request)
    return form


def form_progress(
    *, form: PrintedForm, actor: User | None, request: HttpRequest | None = None
) -> Administration | None:
    """Move a printed form on as far as it can go: mark pages whose person is not
    known, wait for missing pages, and save the answers once everything is decided."""
    pages = list(
        ScanPage.objects.filter(form=form)
        .exclude(status__in=[ScanPage.Status.DUPLICATE, ScanPage.Status.REFUSED])
        .order_by("page_number", "id")
    )
    open_pages = [p for p in pages if p.is_open]
    if not open_pages:
        return None
    if form.service_user_id is None:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.UNMATCHED,
            reason="a blank form: choose whose form this is",
        )
        return None
    if form.time_point_id is not None:
        answered = Administration.objects.filter(
            time_point_id=form.time_point_id
        ).first()
        if answered is not None and not any(
            p.administration_id == answered.pk for p in pages
        ):
            _set_aside_answered(open_pages, answered)
            return None
    numbers = {p.page_number for p in pages}
    missing = [n for n in range(1, form.pages + 1) if n not in numbers]
    undecided = ScanItem.objects.filter(page__in=open_pages, decided=False).exists()
    if missing:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.WAITING
            if not undecided
            else ScanPage.Status.TO_CHECK,
            reason="waiting for page "
            + ", ".join(str(n) for n in missing)
            + f" of {form.pages}",
        )
        return None
    if undecided:
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.TO_CHECK, reason=""
        )
        return None
    if not ScanItem.objects.filter(page__in=open_pages, code__isnull=False).exists():
        # An unfilled form is not a completed measure: a person says what happened.
        ScanPage.objects.filter(pk__in=[p.pk for p in open_pages]).update(
            status=ScanPage.Status.EMPTY, reason=EMPTY_REASON
        )
        return None
    return _save_form(form, open_pages, actor, request)


def answered_elsewhere(page: ScanPage) -> Administration | None:
    """The answers already saved, not from this scan, for the time point the
    page's form answers (None when there are none, or no time point)."""
    form = page.form
    if form is None or form.time_point_id is None:
        return None
    answered = Administration.objects.filter(time_point_id=form.time_point_id).first()
    if answered is None or answered.pk == page.administration_id:
        return None
    return answered


def _set_aside_answered(pages: Iterable[ScanPage], answered: Administration) -> None:
    pages = list(pages)
    when = timezone.localtime(answered.completed_at)
    reason = (
        f"this time point was already answered on {when.day} {when:%B %Y} "
        f"({answered.get_mode_display().lower()}): the scan is not counted"
    )
    differ = _differences(pages, answered)
    if differ:
        reason += (
            f". The paper differs from the saved answers on {differ}: check with "
            "the person, and correct the saved answers if the paper is right"
        )
    ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
        status=ScanPage.Status.ALREADY_ANSWERED, reason=reason[:500]
    )


def _differences(pages: Iterable[ScanPage], answered: Administration) -> str:
    """The questions where what the paper says (as the reader or a person
    decided it) differs from the saved answers: ``question 4 (paper 0, saved 3)``."""
    saved = answered.answers or {}

    def said(code: int | None) -> str:
        return "no answer" if code is None else str(code)

    differ = [
        f"question {item.number} (paper {said(item.code)}, saved "
        f"{said(saved.get(item.item_id))})"
        for item in ScanItem.objects.filter(page__in=pages, decided=True).order_by(
            "number"
        )
        if item.item_id in saved and saved.get(item.item_id) != item.code
    ]
    return ", ".join(differ)


@transaction.atomic
def _save_form(
    form: PrintedForm,
    pages: list[ScanPage],
    actor: User | None,
    request: HttpRequest | None,
) -> Administration | None:
    organisation = pages[0].organisation
    definition = measure_or_none(organisation, form.measure_id, form.measure_version)
    if definition is None:
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=ScanPage.Status.REFUSED, reason="the measure is not known here"
        )
        return None
    answers = {
        item.item_id: item.code
        for item in ScanItem.objects.filter(page__in=pages).order_by("number")
    }
    time_point = (
        TimePoint.objects.select_related("episode")
        .filter(pk=form.time_point_id)
        .first()
    )
    try:
        result = administration_submit(
            organisation=organisation,
            service_user=form.service_user,  # type: ignore[arg-type]
            measure=definition,
            answers=answers,
            mode=Administration.Mode.PAPER_SCAN,
            submission_id=f"scan-{form.token}",
            collected_by=actor,
            time_point=time_point,
            episode=time_point.episode if time_point else None,
            completed_at=min(p.created_at for p in pages),
            request=request,
        )
    except TimePointAlreadyAnswered as already:
        _set_aside_answered(pages, already.existing)
        return None
    except (ResponseInvalid, SubmissionError) as error:
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=ScanPage.Status.TO_CHECK,
            reason=f"could not be saved: {error}"[:500],
        )
        return None
    no_score = _no_score(result.score)
    if no_score:
        reason = _no_score_reason(no_score, time_point)
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=ScanPage.Status.UNSCORED,
            reason=reason[:500],
            administration=result.administration,
        )
        log_action(
            action="scan.save_unscored",
            actor=actor,
            organisation=organisation,
            obj=result.administration,
            request=request,
            actor_label=None if actor else "system",
            detail={
                "form": form.pk,
                "time_point": time_point.pk if time_point else None,
                "no_score": [scale.scale_id for scale in no_score],
            },
        )
        return result.administration
    ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
        status=ScanPage.Status.SAVED,
        reason="",
        administration=result.administration,
    )
    return result.administration


def _no_score(score: ResponseScore) -> list[ScaleScore]:
    """Every scale, when none of them has a score (too many questions left blank);
    an empty list when any scale scores."""
    scales = list(score.scales.values())
    return [] if any(s.value is not None for s in scales) else scales


def _no_score_reason(scales: list[ScaleScore], time_point: TimePoint | None) -> str:
    why = "; ".join(f"{scale.label}: {scale.reason}" for scale in scales)
    reason = f"no score could be made ({why})"
    if time_point is not None:
        reason += (
            f": {time_point.label} shows as answered with no score, not as done "
            "(if the paper has answers the scan missed, correct them from the "
            "person's page)"
        )
    return reason


# ------------------------------------------------------------ page actions


def page_set_aside(
    *,
    membership: Membership,
    page: ScanPage,
    reason: str,
    request: HttpRequest | None = None,
) -> ScanPage:
    """A person decides an open page will not become answers (not our form, spoilt,
    a practice sheet): it is kept with the reason and never counted."""
    if not page.is_open:
        raise ScanError("This page is already closed.")
    reason = reason.strip()
    if not reason:
        raise ScanError("Say why the page is set aside.")
    with transaction.atomic():
        page.status = ScanPage.Status.REFUSED
        page.reason = f"set aside by {membership.user.display_name}: {reason}"[:500]
        page.save(update_fields=["status", "reason"])
        log_action(
            action="scan.set_aside",
            actor=membership.user,
            organisation=membership.organisation,
            obj=page,
            request=request,
            # The reason is free text (it may name someone): the page keeps it.
            detail={"reason_given": True},
        )
    return page


class EmptyChoice(StrEnum):
    """What happened to a scanned form with no answer marked."""

    DECLINED = "declined"  # handed back empty: the time point is recorded declined
    NOT_THEIRS = "not_theirs"  # not this person's form: set aside
    RESCAN = "rescan"  # marks the scan did not show: set aside to be scanned again


def page_empty_resolve(
    *,
    membership: Membership,
    page: ScanPage,
    choice: EmptyChoice,
    reason: str,
    request: HttpRequest | None = None,
) -> list[ScanPage]:
    """Say what happened to a form on which no answer was marked (every page of the
    form goes together).

    Handed back empty: the form's time point is recorded as missed because the
    person declined, with ``reason`` as its note (the same record as the missed
    list's ``time_point_record_missed``), and the pages close as "handed back
    empty". Not this person's form, or to be scanned again: the pages are set aside
    with the reason, the time point stays open, and a new scan of the same form is
    read afresh (set-aside pages are never "scanned before")."""
    form = page.form
    if page.status != ScanPage.Status.EMPTY or form is None:
        raise ScanError("This page is not an empty form waiting for a decision.")
    reason = reason.strip()
    if choice == EmptyChoice.DECLINED and not reason:
        raise ScanError("Say why it was handed back empty.")
    point = form.time_point
    if (
        choice == EmptyChoice.DECLINED
        and point is not None
        and point.status not in (TimePoint.Status.PENDING, TimePoint.Status.MISSED)
    ):
        raise ScanError(
            f"{point.label} is {point.get_status_display().lower()} now, so it "
            "cannot be recorded as declined: set the page aside instead."
        )
    name = membership.user.display_name
    if choice == EmptyChoice.DECLINED:
        status = ScanPage.Status.DECLINED
        text = f"handed back empty: {reason} (recorded as declined by {name})"
    elif choice == EmptyChoice.NOT_THEIRS:
        status = ScanPage.Status.REFUSED
        text = f"set aside by {name}: not this person's form"
    else:
        status = ScanPage.Status.REFUSED
        text = f"set aside by {name} to be scanned again"
    if choice != EmptyChoice.DECLINED:
        if reason:
            text += f" ({reason})"
        if point is not None:
            text += f"; {point.label} stays open"
    with transaction.atomic():
        pages = list(ScanPage.objects.filter(form=form, status=ScanPage.Status.EMPTY))
        ScanPage.objects.filter(pk__in=[p.pk for p in pages]).update(
            status=status, reason=text[:500]
        )
        if choice == EmptyChoice.DECLINED and point is not None:
            time_point_record_missed(
                time_point=point,
                reason=TimePoint.MissedReason.DECLINED,
                note=reason,
                actor=membership.user,
                request=request,
            )
        log_action(
            action="scan.resolve_empty",
            actor=membership.user,
            organisation=membership.organisation,
            obj=form,
            request=request,
            detail={
                "choice": str(choice),
                # Free text (it may name someone): the pages keep it, not the event.
                "reason_given": bool(reason),
                "pages": [p.pk for p in pages],
                "time_point": point.pk if point else None,
            },
        )
    for each in pages:
        each.refresh_from_db()
    return pages
