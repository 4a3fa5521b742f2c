"""Reads of service users and episodes, scoped to who is asking.

Workers see only their caseload (see ``CASELOAD_ONLY_ROLES`` in the policy); other
roles with ``person.view`` see their whole organisation. Anything outside that is a
404, and never appears in a list, a search or a count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openproms.accounts.models import Membership, Organisation, Service
from openproms.accounts.policy import CASELOAD_ONLY_ROLES, Role
from openproms.people.models import Episode, GroupSession, ServiceUser


def _on_caseload(membership: Membership, person: Any) -> Q:
    """A condition true for people on this member's caseload: they have an episode
    the member holds as key worker, or attend a group session the member runs.

    Correlated EXISTS (not joins + DISTINCT), so looking up one person or filtering
    a page of them never evaluates the whole organisation.
    """
    from openproms.people.models import Contact

    user = membership.user
    return Q(Exists(Episode.objects.filter(service_user=person, key_worker=user))) | Q(
        Exists(
            Contact.objects.filter(
                episode__service_user=person, group_session__facilitator=user
            )
        )
    )


def person_scope(membership: Membership, person_path: str) -> Q:
    """A filter for records about a person (``person_path`` leads to the service
    user, e.g. ``"service_user"`` or ``"episode__service_user"``) limiting them to
    the people this member may see. Add the organisation filter separately."""
    if membership.role not in CASELOAD_ONLY_ROLES:
        return Q()
    return _on_caseload(membership, OuterRef(person_path))


def service_users_for(membership: Membership) -> QuerySet[ServiceUser]:
    """The service users this member may see."""
    people = ServiceUser.objects.filter(organisation=membership.organisation)
    if membership.role in CASELOAD_ONLY_ROLES:
        people = people.filter(_on_caseload(membership, OuterRef("pk")))
    return people


def service_user_get(*, membership: Membership, pk: int) -> ServiceUser:
    try:
        return service_users_for(membership).get(pk=pk)
    except ServiceUser.DoesNotExist:
        raise Http404("No such person.") from None


def service_user_key_for_reference(
    organisation: Organisation, reference: str
) -> int | None:
    """The key of the person with this reference in the organisation (any case)."""
    return (
        ServiceUser.objects.filter(
            organisation=organisation, reference__iexact=reference.strip()
        )
        .values_list("pk", flat=True)
        .first()
    )


def episodes_for(membership: Membership) -> QuerySet[Episode]:
    """The episodes of the service users this member may see."""
    episodes = Episode.objects.filter(organisation=membership.organisation)
    if membership.role in CASELOAD_ONLY_ROLES:
        episodes = episodes.filter(_on_caseload(membership, OuterRef("service_user")))
    return episodes.select_related("service", "service_user", "key_worker")


def episode_get(*, membership: Membership, pk: int) -> Episode:
    try:
        return episodes_for(membership).get(pk=pk)
    except Episode.DoesNotExist:
        raise Http404("No such episode.") from None


def service_users_in_organisation(organisation: Organisation) -> QuerySet[ServiceUser]:
    """Every service user of an organisation (for system tasks, never for a page)."""
    return ServiceUser.objects.filter(organisation=organisation)


# Pages: search, people, episodes, group sessions, caseload, alerts.


def service_users_search(
    *, membership: Membership, query: str
) -> QuerySet[ServiceUser]:
    """People this member may see whose reference, name or NHS number matches."""
    people = service_users_for(membership)
    query = query.strip()
    if not query:
        return people.order_by("family_name", "given_name", "reference")
    match = Q(reference__icontains=query)
    digits = query.replace(" ", "").replace("-", "")
    if digits.isdigit():
        match |= Q(nhs_number__startswith=digits)
    for word in query.split():
        match |= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    if len(query.split()) > 1:
        first, *rest = query.split()
        match |= Q(given_name__icontains=first, family_name__icontains=" ".join(rest))
    return people.filter(match).order_by("family_name", "given_name", "reference")


# The roles whose members can hold a caseload (be a person's key worker).
KEY_WORKER_ROLES = frozenset({Role.WORKER, Role.MANAGER})


def key_workers_for(organisation: Organisation) -> QuerySet[Membership]:
    """The members who can hold a caseload: workers and managers."""
    return (
        Membership.objects.filter(organisation=organisation, role__in=KEY_WORKER_ROLES)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def group_sessions_for(membership: Membership) -> QuerySet[GroupSession]:
    """Group sessions this member may see: a worker sees the ones they run."""
    sessions = GroupSession.objects.filter(
        organisation=membership.organisation
    ).select_related("service", "facilitator")
    if membership.role in CASELOAD_ONLY_ROLES:
        sessions = sessions.filter(facilitator=membership.user)
    return sessions


def group_session_get(*, membership: Membership, pk: int) -> GroupSession:
    try:
        return group_sessions_for(membership).get(pk=pk)
    except GroupSession.DoesNotExist:
        raise Http404("No such group session.") from None


def register_candidates(
    *, membership: Membership, service: Service, session: GroupSession | None = None
) -> QuerySet[Episode]:
    """Episodes that can be on a group register: active or paused in the service,
    among the people this member may see, plus anyone already on the register."""
    episodes = episodes_for(membership).filter(
        service=service, status__in=[Episode.Status.ACTIVE, Episode.Status.PAUSED]
    )
    if session is not None:
        episodes = episodes | episodes_for(membership).filter(
            contacts__group_session=session
        )
    return episodes.distinct().order_by(
        "service_user__family_name",
        "service_user__given_name",
        "service_user__reference",
    )


class _ScoresAsRead:
    """Stored scores as a person reads them, labelled from the definitions (each
    definition read once per measure version)."""

    def __init__(self) -> None:
        self._definitions: dict[tuple[int, str, str], Any] = {}

    def definition(self, administration: Any) -> Any:
        from openproms.catalogue.selectors import measure_definition

        key = (
            administration.organisation_id,
            administration.measure_id,
            administration.measure_version,
        )
        if key not in self._definitions:
            try:
                self._definitions[key] = measure_definition(
                    organisation=administration.organisation,
                    measure_id=administration.measure_id,
                    version=administration.measure_version,
                )
            except Http404:
                self._definitions[key] = None
        return self._definitions[key]

    def measure_name(self, administration: Any) -> str:
        definition = self.definition(administration)
        # A measure gone from the library: its stored id is all there is.
        return definition.short_name if definition else administration.measure_id

    def scores(self, administration: Any) -> list[dict[str, Any]]:
        """Each scale's score: its display label (left out when the measure has one
        scale, as the measure's name says it), the score as people write it (14,
        not 14.0) and its band."""
        from openproms.scoring.phrasing import score_text

        definition = self.definition(administration)
        labels = {s.id: s.label for s in definition.scales} if definition else {}
        order = list(labels)
        results = sorted(
            administration.results.all(),
            key=lambda r: (
                order.index(r.scale_id) if r.scale_id in order else len(order)
            ),
        )
        return [
            {
                "scale_id": result.scale_id,
                "label": labels.get(result.scale_id, result.scale_id)
                if len(labels) != 1
                else "",
                "value": result.value,
                "score": "no score"
                if result.value is None
                else score_text(result.value),
                "band": result.band,
            }
            for result in results
        ]


def _latest_scores(people: list[int]) -> dict[int, list[dict[str, Any]]]:
    """For each person: the latest stored scores of each measure they answered,
    labelled as people read them. An answer with no score (too many questions left
    blank) does not hide the last score there is; it stands only where the measure
    has never had a score."""
    from openproms.collection.models import Administration

    administrations = (
        Administration.objects.filter(service_user_id__in=people)
        .select_related("organisation")
        .prefetch_related("results")
        .order_by("-completed_at", "-id")
    )
    return _latest_of(administrations, _ScoresAsRead())


def _latest_of(
    administrations: Iterable[Any], read: _ScoresAsRead
) -> dict[int, list[dict[str, Any]]]:
    """:func:`_latest_scores` from ``administrations`` already read, newest first
    (each with its ``results`` prefetched)."""
    latest: dict[int, dict[str, Any]] = {}
    unscored: dict[int, dict[str, Any]] = {}
    for administration in administrations:
        scored = any(r.value is not None for r in administration.results.all())
        found = latest if scored else unscored
        mine = found.setdefault(administration.service_user_id, {})
        mine.setdefault(administration.measure_id, administration)
    for person, by_measure in unscored.items():
        mine = latest.setdefault(person, {})
        for measure_id, administration in by_measure.items():
            mine.setdefault(measure_id, administration)
    out: dict[int, list[dict[str, Any]]] = {}
    for person, by_measure in latest.items():
        out[person] = [
            {
                "measure_id": measure_id,
                "measure_name": read.measure_name(administration),
                "administration": administration,
                "results": read.scores(administration),
            }
            for measure_id, administration in sorted(by_measure.items())
        ]
    return out


def person_collection(*, service_user: ServiceUser) -> dict[str, Any]:
    """A person's time points (each with ``state_tag`` and ``state_label``),
    completed measures with their scores (``answered``: each administration with its
    measure's name and scores labelled as people read them), and the latest scores
    per measure (``service_user`` must already be one the asker may see)."""
    from openproms.collection import counts as time_point_counts
    from openproms.collection.models import Administration, TimePoint

    time_points = list(
        time_point_counts.with_unscored(
            TimePoint.objects.filter(
                organisation=service_user.organisation,
                episode__service_user=service_user,
            )
        )
        .select_related("episode__service")
        .order_by("due_date", "id")
    )
    # Each time point's state today, as every count reads it (collection.states).
    time_point_counts.label_states(time_points, timezone.localdate())
    administrations = list(
        Administration.objects.filter(
            organisation=service_user.organisation, service_user=service_user
        )
        .select_related("organisation")
        .prefetch_related("results")
        .order_by("-completed_at", "-id")
    )
    read = _ScoresAsRead()
    return {
        "time_points": time_points,
        "answered": [
            {
                "administration": administration,
                "measure_name": read.measure_name(administration),
                "scores": read.scores(administration),
            }
            for administration in administrations
        ],
        # The same rows, newest first: no second read of the person's answers.
        "latest_scores": _latest_of(administrations, read).get(service_user.pk, []),
    }


def _due_counts(episode_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """Per episode: time points due now and overdue, as every count reads them
    (``collection.states``); none while the episode is paused, as on the due list."""
    from openproms.collection import counts as time_point_counts
    from openproms.collection.models import TimePoint

    found: dict[int, dict[str, int]] = {
        episode_id: {"due": 0, "overdue": 0} for episode_id in episode_ids
    }
    points = TimePoint.objects.filter(
        episode_id__in=episode_ids, status=TimePoint.Status.PENDING
    ).exclude(episode__status=Episode.Status.PAUSED)
    by_episode = time_point_counts.count_states_by(points, "episode", today)
    for episode_id, state in by_episode.items():
        found[episode_id] = {"due": state.due_now, "overdue": state.overdue}
    return found


# Arrows in the caseload: the arrow shows which way the score moved; the words say
# whether that is a reliable improvement or deterioration (not colour alone).
CHANGE_ORDER = {"deteriorated": 0, "none": 1, "unknown": 2, "": 3, "improved": 4}


def _score_changes(
    organisation: Organisation, people: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """For each person and measure: each scale's latest score and band, and the
    change from the first score (reliable improvement or deterioration by the
    engine's :func:`individual_change`). One query for the scores; definitions are
    read once per measure version."""
    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.models import ScaleResult
    from openproms.scoring import individual_change

    rows = (
        ScaleResult.objects.filter(
            administration__organisation=organisation,
            administration__service_user_id__in=people,
            value__isnull=False,
        )
        .order_by("administration__completed_at", "administration_id")
        .values_list(
            "administration__service_user_id",
            "administration__measure_id",
            "administration__measure_version",
            "scale_id",
            "value",
            "band",
        )
    )
    # Time order comes from the query; the dates themselves are not needed (and
    # converting thousands of them is most of the cost).
    series: dict[tuple[int, str, str], list[tuple[float, str, str]]] = {}
    for person, measure, version, scale, value, band in rows:
        series.setdefault((person, measure, scale), []).append((value, band, version))
    definitions: dict[tuple[str, str], Any] = {}
    out: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for (person, measure, scale_id), points in sorted(series.items()):
        value, band, version = points[-1]
        entry: dict[str, Any] = {
            "scale_id": scale_id,
            "label": scale_id,
            "value": value,
            "band": band,
            "change": "",
            "delta": None,
            "arrow": "",
            "text": "",
        }
        key = (measure, version)
        if key not in definitions:
            try:
                definitions[key] = measure_definition(
                    organisation=organisation, measure_id=measure, version=version
                )
            except Http404:
                definitions[key] = None
        definition = definitions[key]
        if definition is not None:
            try:
                scale = definition.scale(scale_id)
                entry["label"] = scale.label
            except KeyError:
                scale = None
            if scale is not None and len(points) > 1 and scale.method != "profile":
                try:
                    change = individual_change(
                        definition, scale_id, points[0][0], value
                    )
                except ValueError:
                    change = None
                if change is not None:
                    delta = change.delta
                    entry["delta"] = delta
                    entry["arrow"] = "↑" if delta > 0 else ("↓" if delta < 0 else "→")
                    sign = "+" if delta > 0 else ""
                    if change.reliable is None:
                        entry["change"] = "unknown"
                        entry["text"] = f"{sign}{delta:g} since first (no threshold)"
                    elif change.reliable_improvement:
                        entry["change"] = "improved"
                        entry["text"] = f"{sign}{delta:g}: reliable improvement"
                    elif change.reliable_deterioration:
                        entry["change"] = "deteriorated"
                        entry["text"] = f"{sign}{delta:g}: reliable deterioration"
                    else:
                        entry["change"] = "none"
                        entry["text"] = f"{sign}{delta:g}: no reliable change"
        out.setdefault(person, {}).setdefault(measure, []).append(entry)
    return {
        person: [
            {"measure_id": measure, "results": results}
            for measure, results in sorted(by_measure.items())
        ]
        for person, by_measure in out.items()
    }


def caseload_for(
    *,
    membership: Membership,
    service: Service | None = None,
    sort: str = "name",
    today: dt.date | None = None,
    deteriorated_only: bool = False,
    due_only: bool = False,
    with_changes: bool = False,
) -> list[dict[str, Any]]:
    """The member's caseload: open episodes where they are the key worker, with
    time points due and overdue, latest scores and open alerts; ``with_changes``
    adds each scale's change since the first score (reliable deterioration is an
    alert too)."""
    from openproms.collection.models import RiskAlert

    today = today or timezone.localdate()
    episodes = episodes_for(membership).filter(
        key_worker=membership.user,
        status__in=[Episode.Status.ACTIVE, Episode.Status.PAUSED],
    )
    if service is not None:
        episodes = episodes.filter(service=service)
    chosen = list(episodes)
    counts = _due_counts([e.pk for e in chosen], today)
    person_ids = [e.service_user_id for e in chosen]
    scores = (
        _score_changes(membership.organisation, person_ids)
        if with_changes
        else _latest_scores(person_ids)
    )
    alerts: dict[int, int] = {}
    for person_id in RiskAlert.objects.filter(
        organisation=membership.organisation,
        service_user_id__in=person_ids,
        acknowledged_at__isnull=True,
    ).values_list("service_user_id", flat=True):
        alerts[person_id] = alerts.get(person_id, 0) + 1
    rows = [
        {
            "episode": episode,
            "person": episode.service_user,
            "due": counts[episode.pk]["due"],
            "overdue": counts[episode.pk]["overdue"],
            "scores": scores.get(episode.service_user_id, []),
            "alerts": alerts.get(episode.service_user_id, 0),
        }
        for episode in chosen
    ]
    for row in rows:
        changes = (
            [r["change"] for s in row["scores"] for r in s["results"]]
            if with_changes
            else []
        ) or [""]
        row["deteriorated"] = "deteriorated" in changes
        row["change_rank"] = min(CHANGE_ORDER.get(c, 3) for c in changes)
    if with_changes:
        from openproms.collection.on_track import on_track_for_people

        verdicts = on_track_for_people(membership.organisation, person_ids)
        for row in rows:
            row["not_on_track"] = [
                v for v in verdicts.get(row["person"].pk, []) if v.not_on_track
            ]
            row["no_range"] = [
                v for v in verdicts.get(row["person"].pk, []) if v.assessment is None
            ]
    if deteriorated_only:
        rows = [r for r in rows if r["deteriorated"]]
    if due_only:
        rows = [r for r in rows if r["due"] or r["overdue"]]
    if sort == "due":
        rows.sort(key=lambda r: (-r["overdue"], -r["due"], _name_key(r["person"])))
    elif sort == "change":
        rows.sort(key=lambda r: (r["change_rank"], _name_key(r["person"])))
    else:
        rows.sort(key=lambda r: _name_key(r["person"]))
    return rows


def _name_key(person: ServiceUser) -> tuple[str, str, str]:
    return (
        person.family_name.lower(),
        person.given_name.lower(),
        person.reference.lower(),
    )


def caseload_summary(*, membership: Membership) -> dict[str, int]:
    """For the home page, computed in the database (a caseload can hold thousands
    of people): how many people have an open episode I hold. What is due for them
    is counted with the due list (``collection.due_lists.work_summary``)."""
    episodes = Episode.objects.filter(
        organisation=membership.organisation,
        key_worker=membership.user,
        status__in=[Episode.Status.ACTIVE, Episode.Status.PAUSED],
    )
    return {"people": episodes.values("service_user").distinct().count()}


def open_alerts_for(
    membership: Membership, *, mine_only: bool = False
) -> QuerySet[Any]:
    """Unacknowledged risk alerts: a worker's own (on people they may see); managers
    and admins see all of the organisation's unless ``mine_only``."""
    from openproms.collection.models import RiskAlert

    alerts = RiskAlert.objects.filter(
        person_scope(membership, "service_user"),
        organisation=membership.organisation,
        acknowledged_at__isnull=True,
    ).select_related("service_user", "administration", "assigned_to")
    if mine_only or membership.role in CASELOAD_ONLY_ROLES:
        alerts = alerts.filter(assigned_to=membership.user)
    return alerts.order_by("-created_at")


def alert_get(*, membership: Membership, pk: int) -> Any:
    """One risk alert this member may act on (acknowledged ones too), or 404."""
    from openproms.collection.models import RiskAlert

    alerts = RiskAlert.objects.filter(
        person_scope(membership, "service_user"),
        organisation=membership.organisation,
    ).select_related("service_user", "administration")
    if membership.role in CASELOAD_ONLY_ROLES:
        alerts = alerts.filter(assigned_to=membership.user)
    try:
        return alerts.get(pk=pk)
    except RiskAlert.DoesNotExist:
        raise Http404("No such alert.") from None
