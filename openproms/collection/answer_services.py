"""Reads and writes behind the answering pages (assisted, kiosk, self, paper entry).

Every answer is saved through :func:`openproms.collection.services.administration_submit`;
this module adds what the answering pages need around it: the time points and
administrations a member may reach (scoped like people: workers see their
caseload only, anything else is a 404), the plain-language result for the person,
the acceptability question, a service's collection settings and double entry of
paper forms.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from openproms.accounts.models import Membership, Organisation, Service, User
from openproms.audit.services import log_action
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    CollectionSettings,
    PaperEntry,
    TimePoint,
)
from openproms.collection.services import (
    SubmissionError,
    SubmitResult,
    TimePointAlreadyAnswered,
    administration_submit,
)
from openproms.people.models import Episode, ServiceUser
from openproms.people.selectors import person_scope
from openproms.scoring import MeasureDefinition, Scale, moved_the_wrong_way
from openproms.scoring.easy_read import scale_story

# ----------------------------------------------------------------------------- reads


def time_points_for(membership: Membership) -> QuerySet[TimePoint]:
    """Time points of the people this member may see."""
    return TimePoint.objects.filter(
        person_scope(membership, "episode__service_user"),
        organisation=membership.organisation,
    ).select_related("episode", "episode__service_user", "episode__service")


def time_point_get(*, membership: Membership, pk: int) -> TimePoint:
    try:
        return time_points_for(membership).get(pk=pk)
    except TimePoint.DoesNotExist:
        raise Http404("No such time point.") from None


def due_time_points(service_user: ServiceUser) -> QuerySet[TimePoint]:
    """A person's time points that are due now or overdue (pending, window open
    today), as every count reads them (collection.counts)."""
    from openproms.collection import counts, states

    conditions = counts.state_conditions(timezone.localdate())
    return (
        TimePoint.objects.filter(
            organisation=service_user.organisation, episode__service_user=service_user
        )
        .filter(conditions[states.DUE_NOW] | conditions[states.OVERDUE])
        .select_related("episode", "episode__service")
        .order_by("due_date", "id")
    )


def pending_time_points(service_user: ServiceUser) -> QuerySet[TimePoint]:
    """Every pending time point of a person (paper forms can be typed early)."""
    return (
        TimePoint.objects.filter(
            organisation=service_user.organisation,
            episode__service_user=service_user,
            status=TimePoint.Status.PENDING,
        )
        .select_related("episode", "episode__service")
        .order_by("due_date", "id")
    )


def administration_get(*, membership: Membership, pk: int) -> Administration:
    try:
        return Administration.objects.select_related(
            "service_user", "episode", "episode__service", "time_point"
        ).get(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            pk=pk,
        )
    except Administration.DoesNotExist:
        raise Http404("No such answers.") from None


def paper_entry_get(*, membership: Membership, pk: int) -> PaperEntry:
    try:
        return PaperEntry.objects.select_related("service_user", "time_point").get(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            pk=pk,
        )
    except PaperEntry.DoesNotExist:
        raise Http404("No such paper entry.") from None


def paper_entries_open(membership: Membership) -> QuerySet[PaperEntry]:
    """Typed forms waiting for a second person, or with differences to resolve."""
    return (
        PaperEntry.objects.filter(
            person_scope(membership, "service_user"),
            organisation=membership.organisation,
            status__in=[PaperEntry.Status.AWAITING_SECOND, PaperEntry.Status.CONFLICT],
        )
        .select_related("service_user", "time_point", "first_by")
        .order_by("first_at")
    )


def people_search(membership: Membership, query: str) -> QuerySet[ServiceUser]:
    """People this member may see whose reference, name or NHS number match."""
    from openproms.people.selectors import service_users_search

    return service_users_search(membership=membership, query=query)[:20]


def current_episode(service_user: ServiceUser) -> Episode | None:
    """The person's most recent active episode, if any."""
    return (
        service_user.episodes.filter(status=Episode.Status.ACTIVE)
        .select_related("service")
        .order_by("-start_date", "-id")
        .first()
    )


def settings_for(service: Service | None) -> CollectionSettings | None:
    if service is None:
        return None
    found, _ = CollectionSettings.objects.get_or_create(service=service)
    return found


def new_submission_id() -> str:
    return str(uuid.uuid4())


class MeasureNames:
    """Measures' short names as an organisation shows them (its own bespoke measures
    included), each read once: ``names("core10")`` -> ``"CORE-10"``."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        self._names: dict[tuple[str, str | None], str] = {}

    def __call__(self, measure_id: str, version: str | None = None) -> str:
        key = (measure_id, version)
        if key not in self._names:
            try:
                self._names[key] = measure_definition(
                    organisation=self.organisation,
                    measure_id=measure_id,
                    version=version,
                ).short_name
            except Http404:
                # A measure gone from the library: its stored id is all there is.
                self._names[key] = measure_id
        return self._names[key]

    def of(self, time_point: TimePoint) -> str:
        """The name of a time point's measure, at the version it was scheduled."""
        return self(time_point.measure_id, time_point.measure_version)


# ------------------------------------------------------------------ the result screen


def _fmt(value: float) -> str:
    return f"{value:g}" if value == round(value) else f"{value:.2f}".rstrip("0")


@dataclass(frozen=True)
class ScaleLine:
    """One scale as a person sees it after answering."""

    label: str
    value: str | None
    out_of: str
    band: str
    meaning: str
    change: tuple[str, ...]


def _scores_last_time(administration: Administration) -> dict[str, float | None]:
    """Each scale's score the last time this person answered this measure."""
    previous = (
        Administration.objects.filter(
            service_user=administration.service_user,
            measure_id=administration.measure_id,
            completed_at__lt=administration.completed_at,
        )
        .exclude(pk=administration.pk)
        .order_by("-completed_at", "-id")
        .first()
    )
    return {r.scale_id: r.value for r in previous.results.all()} if previous else {}


def _earlier_scores(administration: Administration) -> dict[str, list[float]]:
    """Each scale's earlier scores for this person on this measure, oldest first
    (answers with no score left out), for the same words as their progress page."""
    earlier: dict[str, list[float]] = {}
    previous = (
        Administration.objects.filter(
            service_user=administration.service_user,
            measure_id=administration.measure_id,
            completed_at__lt=administration.completed_at,
        )
        .exclude(pk=administration.pk)
        .order_by("completed_at", "id")
        .prefetch_related("results")
    )
    for answered in previous:
        for result in answered.results.all():
            if result.value is not None:
                earlier.setdefault(result.scale_id, []).append(result.value)
    return earlier


def band_name(scale: Scale, value: float, stored: str) -> str:
    """The name of the band ``value`` is in, from ``scale`` (so in the language of
    the definition the person reads: the stored name is the English one it was
    scored with); the stored name when the scale has no band for it."""
    if scale.bands is not None:
        index = scale.bands.index_of(value)
        if index is not None:
            return scale.bands.bands[index].label
    return stored


def result_lines(
    administration: Administration, definition: MeasureDefinition
) -> list[ScaleLine]:
    """Each scale's score, band and change since last time, in plain words.

    Never includes answers to single items (so never a risk item's content).
    """
    earlier = _earlier_scores(administration)
    lines = []
    # In the order the measure defines its scales (ONS4: life satisfaction first).
    order = {scale.id: n for n, scale in enumerate(definition.scales)}
    results = sorted(
        (r for r in administration.results.all() if r.scale_id in order),
        key=lambda r: order[r.scale_id],
    )
    for result in results:
        scale = definition.scale(result.scale_id)
        if scale.method == "profile":
            continue
        if result.value is None:
            lines.append(
                ScaleLine(
                    label=scale.label,
                    value=None,
                    out_of="",
                    band="",
                    meaning=gettext(
                        "There is no score this time because too many questions "
                        "were left blank."
                    ),
                    change=(),
                )
            )
            continue
        meaning = (
            gettext("On this questionnaire a higher score is better.")
            if scale.higher_is_better
            else gettext("On this questionnaire a lower score is better.")
        )
        band = band_name(scale, result.value, result.band)
        if band:
            meaning = (
                gettext("This is in the range called “%(band)s”.") % {"band": band}
                + " "
                + meaning
            )
        # The same Easy Read words as the person's progress page and sheet
        # (scoring.easy_read): since they started, and since last time.
        change: tuple[str, ...] = ()
        history = earlier.get(result.scale_id, [])
        if history:
            try:
                change = scale_story(
                    definition, result.scale_id, [*history, result.value], tr=gettext
                ).summary_lines
            except ValueError:
                change = ()
        lines.append(
            ScaleLine(
                label=scale.label,
                value=_fmt(result.value),
                out_of=gettext("%(min)s to %(max)s")
                % {"min": _fmt(scale.range_min), "max": _fmt(scale.range_max)},
                band=band,
                meaning=meaning,
                change=change,
            )
        )
    return lines


def support_needed(administrations: Sequence[Administration]) -> bool:
    """Whether the person should be shown their organisation's support text: one of
    these answers raised a risk alert, or a score moved the wrong way since last
    time (reliable deterioration or a worse band: ``moved_the_wrong_way``)."""
    for administration in administrations:
        if administration.alerts.exists():
            return True
        before = _scores_last_time(administration)
        if not before:
            continue
        definition = measure_definition(
            organisation=administration.organisation,
            measure_id=administration.measure_id,
            version=administration.measure_version,
        )
        for result in administration.results.all():
            earlier = before.get(result.scale_id)
            if earlier is None or result.value is None:
                continue
            try:
                if moved_the_wrong_way(
                    definition, result.scale_id, earlier, result.value
                ):
                    return True
            except (KeyError, ValueError):
                continue  # a scale or range the current definition no longer has
    return False


def results_shown(administration: Administration) -> bool:
    """Whether the service shows people their results (or only a thank-you)."""
    episode = administration.episode
    if episode is None:
        return True
    found = settings_for(episode.service)
    return True if found is None else found.show_results


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


# ------------------------------------------------------------------ paper entry


class SameTypist(SubmissionError):
    """The second entry of a double-entered form was typed by the first typist."""


DATE_KEY = "completed_on"


@dataclass(frozen=True)
class PaperOutcome:
    kind: str  # saved | first | conflict
    entry: PaperEntry | None
    submitted: SubmitResult | None


def _completed_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _differences(entry: PaperEntry) -> list[str]:
    first = entry.first_answers or {}
    second = entry.second_answers or {}
    keys = sorted(set(first) | set(second))
    return [k for k in keys if first.get(k) != second.get(k)]


def paper_entry_differences(entry: PaperEntry) -> list[str]:
    """Item ids (and ``completed_on``) where the two entries differ."""
    return _differences(entry)


def paper_entry_record(
    *,
    organisation: Organisation,
    service_user: ServiceUser,
    measure: MeasureDefinition,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    submission_id: str,
    actor: User,
    double_entry: bool,
    time_point: TimePoint | None = None,
    episode: Episode | None = None,
    request: HttpRequest | None = None,
) -> PaperOutcome:
    """Save a typed paper form, or with double entry store or compare an entry.

    Without double entry the answers are saved at once. With it, the first entry
    waits for a second person; a second entry that matches is saved, one that
    differs is kept for someone to resolve. The first typist cannot type the second.
    """
    if not double_entry:
        submitted = administration_submit(
            organisation=organisation,
            service_user=service_user,
            measure=measure,
            answers=answers,
            mode=Administration.Mode.PAPER_ENTRY,
            submission_id=submission_id,
            collected_by=actor,
            episode=episode,
            time_point=time_point,
            completed_at=_completed_at(completed_on),
            request=request,
        )
        return PaperOutcome("saved", None, submitted)
    if time_point is not None:
        existing = Administration.objects.filter(time_point=time_point).first()
        if existing is not None:
            raise TimePointAlreadyAnswered(
                time_point, existing, measure_name=measure.short_name
            )
    body: dict[str, Any] = {k: answers[k] for k in sorted(answers)}
    body[DATE_KEY] = completed_on.isoformat()
    with transaction.atomic():
        replay = PaperEntry.objects.filter(
            organisation=organisation, submission_id=submission_id
        ).first()
        if replay is not None:
            return PaperOutcome(
                "first" if replay.status != PaperEntry.Status.SAVED else "saved",
                replay,
                None,
            )
        waiting = PaperEntry.objects.select_for_update().filter(
            organisation=organisation,
            service_user=service_user,
            measure_id=measure.id,
            time_point=time_point,
            status=PaperEntry.Status.AWAITING_SECOND,
        )
        if time_point is None:
            waiting = waiting.filter(completed_on=completed_on)
        pending = waiting.order_by("first_at").first()
        if pending is None:
            entry = PaperEntry.objects.create(
                organisation=organisation,
                service_user=service_user,
                time_point=time_point,
                measure_id=measure.id,
                measure_version=measure.version,
                completed_on=completed_on,
                first_answers=body,
                first_by=actor,
                status=PaperEntry.Status.AWAITING_SECOND,
                submission_id=submission_id,
            )
            log_action(
                action="paper_entry.create",
                actor=actor,
                organisation=organisation,
                obj=entry,
                request=request,
                detail={"measure": measure.key},
            )
            return PaperOutcome("first", entry, None)
        if pending.first_by_id == actor.pk:
            raise SameTypist(
                "You typed the first entry of this form. A different person must "
                "type it the second time. Nothing was saved."
            )
        pending.second_answers = body
        pending.second_by = actor
        pending.second_at = timezone.now()
        differs = bool(_differences(pending))
        pending.status = (
            PaperEntry.Status.CONFLICT if differs else PaperEntry.Status.AWAITING_SECOND
        )
        pending.save(
            update_fields=["second_answers", "second_by", "second_at", "status"]
        )
        log_action(
            action="paper_entry.second",
            actor=actor,
            organisation=organisation,
            obj=pending,
            request=request,
            detail={"measure": measure.key, "differences": len(_differences(pending))},
        )
        if differs:
            return PaperOutcome("conflict", pending, None)
        submitted = _paper_entry_save(
            entry=pending,
            measure=measure,
            answers=answers,
            completed_on=completed_on,
            actor=actor,
            episode=episode,
            request=request,
        )
        return PaperOutcome("saved", pending, submitted)


def _paper_entry_save(
    *,
    entry: PaperEntry,
    measure: MeasureDefinition,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    actor: User,
    episode: Episode | None,
    request: HttpRequest | None,
) -> SubmitResult:
    submitted = administration_submit(
        organisation=entry.organisation,
        service_user=entry.service_user,
        measure=measure,
        answers=answers,
        mode=Administration.Mode.PAPER_ENTRY,
        submission_id=entry.submission_id,
        collected_by=actor,
        episode=episode,
        time_point=entry.time_point,
        completed_at=_completed_at(completed_on),
        request=request,
    )
    entry.status = PaperEntry.Status.SAVED
    entry.administration = submitted.administration
    entry.save(update_fields=["status", "administration"])
    return submitted


@transaction.atomic
def paper_entry_resolve(
    *,
    entry: PaperEntry,
    answers: Mapping[str, int | None],
    completed_on: dt.date,
    actor: User,
    request: HttpRequest | None = None,
) -> SubmitResult:
    """Save a double-entered form after someone chose the right value per item."""
    locked = PaperEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status != PaperEntry.Status.CONFLICT:
        raise SubmissionError("These entries were already resolved. Nothing changed.")
    measure = measure_definition(
        organisation=locked.organisation,
        measure_id=locked.measure_id,
        version=locked.measure_version,
    )
    episode = locked.time_point.episode if locked.time_point else None
    if episode is None:
        episode = current_episode(locked.service_user)
    submitted = _paper_entry_save(
        entry=locked,
        measure=measure,
        answers=answers,
        completed_on=completed_on,
        actor=actor,
        episode=episode,
        request=request,
    )
    log_action(
        action="paper_entry.resolve",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        request=request,
        detail={"measure": measure.key, "items": _differences(locked)},
    )
    return submitted
