"""The REST API at ``/o/<org_slug>/api/v1/`` (django-ninja; decision 0023).

Each operation takes the token the gate (:mod:`openproms.api.tokens`) resolved,
checks the policy action it needs (:func:`~openproms.api.tokens.require`), reads
through the token's scope (:mod:`openproms.api.selectors`) and notes the people
it shows for the audit of the use. Lists are cursor-paginated in key order and
take ``updated_since`` (its meaning for each list is in docs/api.md). Answers are
written only through ``collection.services.administration_submit``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Header, NinjaAPI, Query
from ninja.security import HttpBearer

from openproms.accounts.policy import Action
from openproms.api import rest_schemas as s
from openproms.api import selectors
from openproms.api.rest_build import (
    administration_out,
    definitions,
    episode_out,
    measure_out,
    person_out,
    scores_by_administration,
    time_point_out,
)
from openproms.api.rest_write import administration_create
from openproms.api.tokens import Refusal, require, shown
from openproms.catalogue.selectors import organisation_measures
from openproms.collection.models import Administration, AdministrationEdit, TimePoint
from openproms.people.models import Episode
from openproms.reports.selectors.collection_summary import collection_summary

MAX_LIMIT = 500


class TokenAuth(HttpBearer):
    """Documents the bearer token in the schema; the gate has already checked it."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return getattr(request, "api_token", None)


api = NinjaAPI(
    title="openproms API",
    version="1",
    description="An organisation's people, episodes, time points, answers with "
    "their scores, measures and report figures. Send an API token made by the "
    "organisation's admin as `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url=None,
)


@api.exception_handler(Refusal)
def _refusal(request: HttpRequest, exc: Refusal) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=exc.status)
    for name, value in exc.headers.items():
        response[name] = value
    return response


# ------------------------------------------------------------------ paging


def _cursor(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(base64.urlsafe_b64decode(value.encode() + b"==").decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Refusal(400, "The cursor is not one this API gave out.") from None


def _page(
    request: HttpRequest, rows: QuerySet[Any], cursor: str | None, limit: int
) -> tuple[list[Any], dict[str, str | None]]:
    """One page in key order after ``cursor``, and the cursor of the next."""
    rows = rows.filter(pk__gt=_cursor(cursor)).order_by("pk")
    found = list(rows[: limit + 1])
    if len(found) <= limit:
        return found, {"next_cursor": None, "next": None}
    found = found[:limit]
    token = base64.urlsafe_b64encode(str(found[-1].pk).encode()).decode().rstrip("=")
    query = request.GET.copy()
    query["cursor"] = token
    return found, {
        "next_cursor": token,
        "next": request.build_absolute_uri(f"{request.path}?{query.urlencode()}"),
    }


def _changed_since(
    rows: QuerySet[Any],
    changes: list[tuple[Q, QuerySet[Any]]],
    cursor: str | None,
    limit: int,
) -> list[int]:
    """The keys of the next page of ``rows`` with any of ``changes``.

    Each change is a condition on ``rows`` and the keys it holds, read from its
    own table by its own index. For each, the first ``limit + 1`` keys after the
    cursor are found, and the merged keys give the page. Asking for them all in
    one query (an OR across tables) walks every row in key order until a page is
    found: the whole table when little has changed. So each change is first
    tried on the next few keys (a bounded walk: enough when much has changed),
    and then, from where that stopped, through its keys (few, when little has).
    """
    after = _cursor(cursor)
    window = limit * 4 + 4
    next_keys = rows.filter(pk__gt=after).order_by("pk")
    following = next_keys.values("pk")[:window]
    edge = list(next_keys.values_list("pk", flat=True)[:window])
    found: set[int] = set()
    for condition, keys in changes:
        near = list(
            rows.filter(condition, pk__in=Subquery(following))
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()[: limit + 1]
        )
        found.update(near)
        if len(near) > limit or len(edge) < window:
            continue
        # Without the model's ordering: SQLite otherwise reads the change's keys
        # in that order by another index (seconds at 1,000,000 answers when
        # nothing has changed) rather than by the change's own.
        found.update(
            rows.filter(pk__in=Subquery(keys.order_by()), pk__gt=edge[-1])
            .order_by("pk")
            .values_list("pk", flat=True)[: limit + 1 - len(near)]
        )
    return sorted(found)[: limit + 1]


class ListQuery(s.Schema):
    cursor: str | None = None
    limit: int = 100
    updated_since: dt.datetime | None = None


def _since(query: ListQuery) -> dt.datetime | None:
    if query.limit < 1 or query.limit > MAX_LIMIT:
        raise Refusal(400, f"limit must be between 1 and {MAX_LIMIT}.")
    since = query.updated_since
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return since


def _token(request: HttpRequest) -> Any:
    return request.api_token  # type: ignore[attr-defined]


def _json(request: HttpRequest, data: Any, status: int = 200) -> HttpResponse:
    """The answer as JSON, as built (rest_build makes exactly the documented
    shapes, which tests check): validating every nested row again through the
    response schema cost half of a list's time (benchmarks/README.md, API)."""
    return api.create_response(request, data, status=status)


# ------------------------------------------------------------------ people


@api.get("/people", response=s.PersonPage, tags=["people"])
def people_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """People, in key order. ``updated_since``: their details changed (or they
    were added) at or after that time."""
    require(request, Action.PERSON_VIEW)
    since = _since(query)
    rows = selectors.people_for(_token(request))
    if since is not None:
        rows = rows.filter(updated_at__gte=since)
    found, links = _page(request, rows, query.cursor, query.limit)
    shown(request, found)
    return _json(request, {"items": [person_out(p) for p in found], **links})


@api.get("/people/{person_id}", response={200: s.Person, 404: s.Error}, tags=["people"])
def person_detail(request: HttpRequest, person_id: int) -> Any:
    require(request, Action.PERSON_VIEW)
    person = selectors.people_for(_token(request)).filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    shown(request, [person])
    return _json(request, person_out(person))


# ---------------------------------------------------------------- episodes


def _episodes(request: HttpRequest) -> QuerySet[Any]:
    return selectors.episodes_for(_token(request)).select_related("service")


@api.get("/episodes", response=s.EpisodePage, tags=["episodes"])
def episode_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """Episodes, in key order. ``updated_since``: opened at or after that time,
    or ended on or after that day (episodes keep no other change time)."""
    require(request, Action.PERSON_VIEW)
    since = _since(query)
    rows = _episodes(request)
    if since is not None:
        # Each kind of change by its own index (people migration 0005), as for
        # time points: one OR across both walks every episode when few changed.
        episodes = Episode.objects.filter(
            organisation_id=_token(request).organisation_id
        )
        changes = [
            (
                Q(created_at__gte=since),
                episodes.filter(created_at__gte=since).values("pk"),
            ),
            (
                Q(end_date__gte=since.date()),
                episodes.filter(end_date__gte=since.date()).values("pk"),
            ),
        ]
        scoped = selectors.episodes_for(_token(request))
        rows = rows.filter(
            pk__in=_changed_since(scoped, changes, query.cursor, query.limit)
        )
    found, links = _page(request, rows, query.cursor, query.limit)
    shown(request, [e.service_user_id for e in found])
    return _json(request, {"items": [episode_out(e) for e in found], **links})


@api.get(
    "/episodes/{episode_id}",
    response={200: s.Episode, 404: s.Error},
    tags=["episodes"],
)
def episode_detail(request: HttpRequest, episode_id: int) -> Any:
    require(request, Action.PERSON_VIEW)
    episode = _episodes(request).filter(pk=episode_id).first()
    if episode is None:
        raise Http404("No such episode.")
    shown(request, [episode.service_user_id])
    return _json(request, episode_out(episode))


# ------------------------------------------------------------- time points


def _time_points(request: HttpRequest) -> QuerySet[Any]:
    # Only the keys of the episode's person and of the answers: no wide rows.
    # The answer's key by a lookup per row: as a LEFT JOIN, PostgreSQL merged
    # it with the answers' whole index from its start, however deep the cursor
    # (0.44 s at 1,000,000 answers; benchmarks/README.md, API).
    answer = Administration.objects.filter(time_point=OuterRef("pk")).values("pk")
    return selectors.time_points_for(_token(request)).annotate(
        person_pk=F("episode__service_user_id"),
        administration_pk=Subquery(answer[:1]),
    )


@api.get("/time-points", response=s.TimePointPage, tags=["time points"])
def time_point_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """Time points, in key order. Time points keep no change time, so
    ``updated_since`` gives those of episodes opened since then, those answered
    since then (their answers saved), and those recorded as missed or printed
    since then."""
    require(request, Action.PERSON_VIEW)
    since = _since(query)
    rows = _time_points(request)
    if since is not None:
        organisation = _token(request).organisation_id
        points = TimePoint.objects.filter(organisation_id=organisation)
        opened = Episode.objects.filter(
            organisation_id=organisation, created_at__gte=since
        ).values("pk")
        changes = [
            (
                Q(episode__created_at__gte=since),
                points.filter(episode__in=Subquery(opened)).values("pk"),
            ),
            (
                Q(administration__created_at__gte=since),
                Administration.objects.filter(
                    organisation_id=organisation,
                    created_at__gte=since,
                    time_point__isnull=False,
                ).values("time_point_id"),
            ),
            (
                Q(missed_recorded_at__gte=since),
                points.filter(missed_recorded_at__gte=since).values("pk"),
            ),
            (
                Q(printed_at__gte=since),
                points.filter(printed_at__gte=since).values("pk"),
            ),
        ]
        scoped = selectors.time_points_for(_token(request))
        rows = rows.filter(
            pk__in=_changed_since(scoped, changes, query.cursor, query.limit)
        )
    found, links = _page(request, rows, query.cursor, query.limit)
    shown(request, [p.person_pk for p in found])
    names = definitions(_token(request).organisation, _measures(found))
    return _json(request, {"items": [time_point_out(p, names) for p in found], **links})


@api.get(
    "/time-points/{time_point_id}",
    response={200: s.TimePoint, 404: s.Error},
    tags=["time points"],
)
def time_point_detail(request: HttpRequest, time_point_id: int) -> Any:
    require(request, Action.PERSON_VIEW)
    point = _time_points(request).filter(pk=time_point_id).first()
    if point is None:
        raise Http404("No such time point.")
    shown(request, [point.person_pk])
    return _json(
        request, time_point_out(point, definitions(_token(request).organisation))
    )


# ---------------------------------------------------------- administrations


def _administrations(request: HttpRequest) -> QuerySet[Any]:
    return selectors.administrations_for(_token(request))


def _measures(rows: list[Any]) -> set[tuple[str, str]]:
    return {(r.measure_id, r.measure_version) for r in rows}


def _administrations_out(request: HttpRequest, found: list[Any]) -> list[Any]:
    """The rows as JSON: their measures and their scores read once for the page."""
    names = definitions(_token(request).organisation, _measures(found))
    scores = scores_by_administration(found)
    return [administration_out(a, names, scores) for a in found]


@api.get("/administrations", response=s.AdministrationPage, tags=["answers"])
def administration_list(request: HttpRequest, query: Query[ListQuery]) -> Any:
    """Completed measures with their answers and scores, in key order.
    ``updated_since``: saved, or corrected, at or after that time."""
    require(request, Action.PERSON_VIEW)
    since = _since(query)
    rows = _administrations(request)
    if since is not None:
        organisation = _token(request).organisation_id
        changes = [
            (
                Q(created_at__gte=since),
                Administration.objects.filter(
                    organisation_id=organisation, created_at__gte=since
                ).values("pk"),
            ),
            (
                Q(edits__edited_at__gte=since),
                AdministrationEdit.objects.filter(edited_at__gte=since).values(
                    "administration_id"
                ),
            ),
        ]
        rows = rows.filter(
            pk__in=_changed_since(rows, changes, query.cursor, query.limit)
        )
    found, links = _page(request, rows, query.cursor, query.limit)
    shown(request, [a.service_user_id for a in found])
    return _json(request, {"items": _administrations_out(request, found), **links})


@api.get(
    "/administrations/{administration_id}",
    response={200: s.Administration, 404: s.Error},
    tags=["answers"],
)
def administration_detail(request: HttpRequest, administration_id: int) -> Any:
    require(request, Action.PERSON_VIEW)
    found = _administrations(request).filter(pk=administration_id).first()
    if found is None:
        raise Http404("No such answers.")
    shown(request, [found.service_user_id])
    return _json(request, _administrations_out(request, [found])[0])


@api.post(
    "/administrations",
    response={
        200: s.Administration,
        201: s.Administration,
        400: s.Error,
        404: s.Error,
        409: s.Error,
        422: s.Error,
    },
    tags=["answers"],
)
def administration_post(
    request: HttpRequest,
    body: s.AdministrationIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
) -> Any:
    """Save a completed measure (scored like any other answers). Send the same
    ``Idempotency-Key`` (or ``submission_id``) again with the same answers and
    the original comes back (200); with other answers, 409 and nothing changes."""
    require(request, Action.ANSWER_COLLECT)
    administration, created = administration_create(
        request, token=_token(request), body=body, key=idempotency_key
    )
    shown(request, [administration.service_user_id])
    stored = _administrations(request).get(pk=administration.pk)
    return 201 if created else 200, _administrations_out(request, [stored])[0]


# ---------------------------------------------------------------- measures


@api.get("/measures", response=list[s.Measure], tags=["measures"])
def measure_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The measures the organisation uses, with their questions and scales."""
    require(request, Action.MEASURE_VIEW)
    names = definitions(_token(request).organisation)
    return [
        measure_out(names.get(m.measure_id, m.measure_version))
        for m in organisation_measures(_token(request).organisation).order_by(
            "measure_id", "measure_version"
        )
    ]


# ----------------------------------------------------------------- reports


class FiguresQuery(s.Schema):
    start: dt.date
    end: dt.date
    service_id: int | None = None


@api.get("/reports/collection", response=s.CollectionFigures, tags=["reports"])
def collection_figures(
    request: HttpRequest, query: Query[FiguresQuery]
) -> dict[str, Any]:
    """The dashboard's collection figures for a period (both days included):
    the same selector the dashboard page uses, nothing worked out again."""
    require(request, Action.DASHBOARD_VIEW)
    if query.end < query.start:
        raise Refusal(400, "end must be on or after start.")
    token = _token(request)
    allowed = selectors.token_service_ids(token)
    chosen = None
    if query.service_id is not None:
        service = token.organisation.services.filter(pk=query.service_id).first()
        if service is None or (allowed is not None and service.pk not in allowed):
            raise Http404("No such service.")
        chosen = [service]
    elif allowed is not None:
        chosen = list(token.organisation.services.filter(pk__in=allowed))
    figures = collection_summary(
        organisation=token.organisation,
        services=chosen,
        start=query.start,
        end=query.end,
        audience="organisation",
    )
    capture = figures.pop("follow_up")
    figures["follow_up"] = {
        "with_baseline": capture.with_baseline,
        "with_follow_up": capture.with_follow_up,
        "share": capture.share,
        "low": capture.low,
        "message": capture.message,
    }
    return {
        "start": query.start,
        "end": query.end,
        "service_id": query.service_id,
        "figures": figures,
    }
