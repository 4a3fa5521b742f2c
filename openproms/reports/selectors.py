"""Reads for outcome reporting: paired scores per episode, and collection counts.

Everything here is read-only and tenancy-scoped by the ``organisation`` argument
(and optionally some of its services). The figures themselves are computed by the
pure :mod:`openproms.stats` package from what these selectors return.

Period rule (``outcome_pairs``): an episode counts for the period [start, end] when
its *later* score (the latest score completed on or before ``end`` for
``pairing="latest"``, or the latest score at an exit time point completed on or
before ``end`` for ``pairing="exit"``) was completed inside [start, end]. Its
*first* score is the earliest score of the episode on that measure, whenever it was
completed (it may be before ``start``). The first and the later score must be two
different administrations. Dates are local (Europe/London) calendar days, both ends
included.

Speed: a measure's own scores come from :class:`OutcomeScore` (one covering
index, integer completion times, already in episode and time order; values only,
run on the database cursor so no per-row model or conversion); a derived measure
also reads its source measures' answers from ``Administration``. The services are
applied afterwards (the organisation's scores are read, then the episodes in scope
kept), and numpy does the grouping.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from django.db import connection, connections
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    TextField,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from openproms.accounts.models import Organisation, Service, User
from openproms.catalogue.selectors import measure_definition
from openproms.collection.models import (
    Administration,
    OutcomeScore,
    PlanRule,
    TimePoint,
)
from openproms.people.categories import ETHNICITY_GROUP_OF, Sex, age_band
from openproms.people.models import Episode
from openproms.scoring import MeasureDefinition, score_derived_table
from openproms.stats import (
    FollowUpCapture,
    PairedScore,
    ScoreArrays,
    follow_up_capture,
    quarter_of,
)

Pairing = Literal["latest", "exit"]

#: Breakdown keys put in every pair's ``groups``.
GROUP_KEYS: dict[str, str] = {
    "sex": "Sex",
    "ethnicity_group": "Ethnic group",
    "age_band": "Age at first score",
    "worker": "Key worker",
    "service": "Service",
    "quarter": "Quarter of the later score",
}
NOT_RECORDED = "Not recorded"
_SEX_LABELS = dict(Sex.choices)


@dataclass(frozen=True, slots=True)
class OutcomePairs:
    """The pairs for a period, and the follow-up capture behind them.

    ``capture``: of the episodes counting for the period (their latest score on or
    before ``end`` falls inside the period), how many have a pair.
    """

    pairs: list[PairedScore]
    capture: FollowUpCapture
    scores: ScoreArrays
    """The pairs' first and later scores as arrays, in the same order."""


# -- time helpers ---------------------------------------------------------------


def _day_start(day: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return day if timezone.is_aware(day) else timezone.make_aware(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _day_after(day: dt.date | dt.datetime) -> dt.datetime:
    """Exclusive upper bound: the end of ``day`` (a datetime is taken as it is)."""
    if isinstance(day, dt.datetime):
        return _day_start(day) + dt.timedelta(microseconds=1)
    return _day_start(day + dt.timedelta(days=1))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _micros(moment: dt.datetime) -> int:
    """Microseconds since the epoch, exactly (no float rounding)."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def _sort_keys(values: Sequence[Any]) -> np.ndarray:
    """Completion times as they come off the cursor -> int64 microseconds since the
    epoch. SQLite gives naive UTC text in one fixed format (numpy parses it in C:
    Python's sqlite3 converters would cost more than the query); PostgreSQL gives
    aware datetimes."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    if isinstance(values[0], str):
        return np.array(values, dtype="datetime64[us]").astype(np.int64)
    if isinstance(values[0], int):
        return np.fromiter(values, dtype=np.int64, count=len(values))
    out = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values):
        out[i] = _micros(v)
    return out


class _LocalDays:
    """Local (Europe/London) dates of completion keys, cached per UTC hour
    (UK offsets are whole hours, so the local date is fixed within one)."""

    def __init__(self) -> None:
        self._cache: dict[int, dt.date] = {}

    def __call__(self, key: int) -> dt.date:
        hour = int(key) // 3_600_000_000
        day = self._cache.get(hour)
        if day is None:
            moment = dt.datetime.fromtimestamp(hour * 3600, tz=dt.UTC)
            day = self._cache[hour] = timezone.localtime(moment).date()
        return day

    def many(self, keys: np.ndarray) -> list[dt.date]:
        """The local dates of an array of keys (each distinct hour converted once)."""
        hours, inverse = np.unique(keys // 3_600_000_000, return_inverse=True)
        days = [self(int(hour) * 3_600_000_000) for hour in hours.tolist()]
        return [days[i] for i in inverse.tolist()]


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class _EpochMicros(Func):
    """A PostgreSQL timestamp as integer microseconds since the epoch (exact:
    EXTRACT gives a numeric), so no datetime objects are made per row."""

    template = "CAST(EXTRACT(EPOCH FROM %(expressions)s) * 1000000 AS BIGINT)"
    output_field = BigIntegerField()


def _completed_at(field: str) -> Any:
    """The completion time as the database gives it fastest: text on SQLite
    (numpy parses it, see :func:`_sort_keys`), integer microseconds elsewhere."""
    if connection.vendor == "sqlite":
        return Cast(field, output_field=TextField())
    return _EpochMicros(F(field))


def _fetch(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Run a ``values_list`` queryset on the cursor: raw values, no converters."""
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def run_together(*tasks: Callable[[], Any]) -> list[Any]:
    """Run read-only database tasks at the same time, each on its own connection,
    where that helps: on PostgreSQL (each connection is a server process, so the
    machine's cores work at once) and outside a transaction (another connection
    could not see its uncommitted rows). Otherwise one after the other. Returns
    the results in order; an exception in a task is raised here.

    Not on SQLite: tried on a file database, a report took twice as long (its
    connections contend for Python's lock and the file's)."""
    if (
        len(tasks) < 2
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
    ):
        return [task() for task in tasks]

    def on_own_connection(task: Callable[[], Any]) -> Any:
        try:
            return task()
        finally:
            connections.close_all()  # this thread's connections only

    workers = min(len(tasks) - 1, os.cpu_count() or 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(on_own_connection, task) for task in tasks[1:]]
        first = tasks[0]()
        return [first, *(future.result() for future in futures)]


# -- rows of scores -------------------------------------------------------------


@dataclass(slots=True)
class _Scores:
    episode: np.ndarray  # int64
    at: np.ndarray  # int64 micros
    admin: np.ndarray  # int64: orders rows of one time (derived rows negative)
    value: np.ndarray  # float64
    is_exit: np.ndarray  # bool
    in_order: bool = False  # already sorted by (episode, at, admin)

    @classmethod
    def empty(cls) -> _Scores:
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, np.zeros(0), np.zeros(0, dtype=bool))

    @classmethod
    def concat(cls, parts: Iterable[_Scores]) -> _Scores:
        parts = list(parts)
        if not parts:
            return cls.empty()
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("episode", "at", "admin", "value", "is_exit")
            )
        )


def _administration_filter(
    *,
    organisation: Organisation,
    measure_id: str,
    before: dt.datetime,
    include_pilot: bool,
) -> Q:
    """A source measure's administrations in episodes, completed before ``before``."""
    q = Q(
        organisation=organisation,
        measure_id=measure_id,
        episode__isnull=False,
        completed_at__lt=before,
    )
    if not include_pilot:
        q &= Q(is_pilot=False)
    return q


def _direct_scores(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    before: dt.datetime,
    include_pilot: bool,
    pairing: Pairing,
    services: tuple[int, ...] | None = None,
) -> _Scores:
    """The measure's own scores, from :class:`OutcomeScore`: one index holds every
    column read, in episode, time and administration order (no join, no sort).

    SQLite returns the rows in that order, so ``admin`` is each row's position
    (the ids are not read: fewer values to convert), which keeps the order when
    derived scores are merged in. PostgreSQL's rows come packed in one value
    (:func:`_fetch_table`), with the ids, and their order is checked."""
    postgres = connections[OutcomeScore.objects.db].vendor == "postgresql"
    fields = ["episode_id", "completed_us", "value"]
    dtype = [("episode", "i8"), ("at", "i8"), ("value", "f8")]
    if pairing == "exit":
        fields.append("is_exit")
        dtype.append(("exit", "?"))
    if postgres:
        fields.append("administration_id")
        dtype.append(("admin", "i8"))
    qs = OutcomeScore.objects.filter(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        completed_us__lt=_micros(before),
    )
    if not include_pilot:
        qs = qs.filter(is_pilot=False)
    if postgres and services is not None:
        # A merge join with the services' episodes (in the index's order); the
        # caller keeps only those episodes in any case.
        qs = qs.filter(
            episode_id__in=Episode.objects.filter(
                organisation=organisation, service__in=services
            ).values("id")
        )
    qs = qs.order_by("episode_id", "completed_us", "administration_id")
    table = _fetch_table(qs.values_list(*fields), dtype)
    n = len(table)
    if n == 0:
        return _Scores.empty()
    episode = np.ascontiguousarray(table["episode"])
    at = np.ascontiguousarray(table["at"])
    if postgres:
        admin = np.ascontiguousarray(table["admin"])
        d_ep, d_at, d_admin = np.diff(episode), np.diff(at), np.diff(admin)
        in_order = bool(
            np.all(
                (d_ep > 0)
                | ((d_ep == 0) & ((d_at > 0) | ((d_at == 0) & (d_admin > 0))))
            )
        )
    else:
        admin = np.arange(n, dtype=np.int64)
        in_order = True
    return _Scores(
        episode,
        at,
        admin,
        np.ascontiguousarray(table["value"]),
        np.ascontiguousarray(table["exit"])
        if pairing == "exit"
        else np.zeros(n, dtype=bool),
        in_order=in_order,
    )


_PG_SEND = {
    "i8": "int8send(CAST({} AS bigint))",
    "f8": "float8send(CAST({} AS double precision))",
    "?": "boolsend(CAST({} AS boolean))",
}


def _fetch_table(qs: QuerySet[Any], dtype: list[tuple[str, str]]) -> np.ndarray:
    """Run a ``values_list`` queryset of non-null fixed-width columns (bigint,
    double, boolean) into a numpy structured array.

    SQLite: rows from the cursor into one structured array built in C (transposing
    half a million tuples in Python costs several times more). PostgreSQL: the rows
    packed by the server into one ``bytea`` of fixed-size binary records
    (``int8send`` ...), which numpy reads in place: no Python object per value.
    The row count comes with it, so a record lost to a null would be noticed."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    if connections[qs.db].vendor != "postgresql":
        # Straight from the driver's cursor into the array: no list of tuples in
        # between, and no Python-level iterator of Django's wrapper per row
        # (which cost a fifth of the read: benchmarks/README.md, Reports).
        db = connections[qs.db]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            with db.wrap_database_errors:
                return np.fromiter(cursor.cursor, dtype=dtype)
    names = [f"c{i}" for i in range(len(dtype))]
    record = " || ".join(
        _PG_SEND[kind].format(name)
        for name, (_, kind) in zip(names, dtype, strict=True)
    )
    # Only Django's compiled query (its values stay parameters) and fixed names.
    packed_sql = (
        f"SELECT COUNT(*), string_agg({record}, ''::bytea) "  # noqa: S608
        f"FROM ({sql}) AS t ({', '.join(names)})"
    )
    import psycopg  # PostgreSQL only (the "postgres" extra)

    db = connections[qs.db]
    db.ensure_connection()
    # A server-side-binding cursor, for binary results: the bytea arrives as it
    # is, not as hex text twice its size (Django's own cursors bind client-side).
    with psycopg.Cursor(db.connection) as cursor:
        cursor.execute(packed_sql, params, binary=True)
        row = cursor.fetchone()
    count, data = row if row else (0, None)
    wire = np.dtype(
        [(name, kind if kind == "?" else ">" + kind) for name, kind in dtype]
    )
    data = bytes(data or b"")
    if len(data) != count * wire.itemsize:
        raise ValueError("PostgreSQL returned fewer scores than rows (a null value?)")
    return np.frombuffer(data, dtype=wire).astype(dtype)


def _source_rows(
    *, source: str, items: Sequence[str], pairing: Pairing, **filters: Any
) -> list[tuple[Any, ...]]:
    fields = ["episode_id", "at", "id"]
    fields += [f"answers__{item}" for item in items]
    if pairing == "exit":
        fields.append("time_point__rule__kind")
    qs = (
        Administration.objects.filter(
            _administration_filter(measure_id=source, **filters)
        )
        .annotate(at=_completed_at("completed_at"))
        .values_list(*fields)
    )
    return _fetch(qs.order_by("id"))


def _answer_column(values: Sequence[Any]) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None:
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            out[i] = -1.0  # not an allowed answer: the scoring marks the row invalid
    return out


def _derived_scores(
    *, target: MeasureDefinition, scale_id: str, pairing: Pairing, **filters: Any
) -> _Scores:
    """Scores of ``target`` derived from its source measures' answers.

    With one source each source administration gives one score. With several
    sources (PHQ-4 from PHQ-9 and GAD-7) the source administrations of the same
    episode completed on the same local day are combined (the latest of each that
    day); the score takes the later completion time and the first source's id.
    """
    sources: dict[str, list[str]] = {}
    for d in target.derivations:
        sources.setdefault(d.from_measure, []).extend(d.item_map.values())
    local_day = _LocalDays()
    fetched = {
        source: _source_rows(source=source, items=items, pairing=pairing, **filters)
        for source, items in sources.items()
    }
    names = list(sources)
    first = names[0]
    # Row key -> per-source row; combine on (episode, local day) for several sources.
    combined: list[dict[str, tuple[Any, ...]]] = []
    if len(names) == 1:
        combined = [{first: row} for row in fetched[first]]
    else:
        by_day: dict[str, dict[tuple[int, dt.date], tuple[Any, ...]]] = {}
        for source in names:
            rows = fetched[source]
            keys = _sort_keys([r[1] for r in rows])
            table: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
            for row, m in zip(rows, keys.tolist(), strict=True):
                key = (row[0], local_day(m))
                if key not in table or m >= table[key][-1]:
                    table[key] = (*row, m)
            by_day[source] = table
        for key, row in by_day[first].items():
            others = [by_day[s].get(key) for s in names[1:]]
            if all(o is not None for o in others):
                combined.append(
                    {first: row[:-1]}
                    | {s: o[:-1] for s, o in zip(names[1:], others, strict=True) if o}
                )
    if not combined:
        return _Scores.empty()
    columns: dict[str, dict[str, np.ndarray]] = {}
    for source, items in sources.items():
        columns[source] = {
            item: _answer_column([c[source][3 + j] for c in combined])
            for j, item in enumerate(items)
        }
    table = score_derived_table(target, columns)
    values = table.scales[scale_id].value
    micros = _sort_keys([c[first][1] for c in combined])
    for s in names[1:]:
        other = _sort_keys([c[s][1] for c in combined])
        micros = np.where(other > micros, other, micros)
    is_exit = np.zeros(len(combined), dtype=bool)
    if pairing == "exit":
        is_exit = np.array(
            [any(c[s][-1] == PlanRule.Kind.EXIT for s in names) for c in combined],
            dtype=bool,
        )
    scores = _Scores(
        np.array([c[first][0] for c in combined], dtype=np.int64),
        micros,
        # Negative ids keep derived rows apart from direct administrations.
        -np.array([c[first][2] for c in combined], dtype=np.int64),
        np.asarray(values, dtype=np.float64),
        is_exit,
    )
    keep = np.isfinite(scores.value)
    return _Scores(
        scores.episode[keep],
        scores.at[keep],
        scores.admin[keep],
        scores.value[keep],
        scores.is_exit[keep],
    )


# -- breakdown keys --------------------------------------------------------------


EpisodeGroups = dict[int, tuple[Any, ...]]


def episode_groups(
    organisation: Organisation, services: Iterable[Service] | None
) -> EpisodeGroups:
    """Each episode's breakdown facts (service, key worker, sex, ethnicity, date of
    birth), for passing to several :func:`outcome_pairs` calls of one report."""
    return _episode_groups(organisation, services)


def _episode_groups(
    organisation: Organisation, services: Iterable[Service] | None
) -> dict[int, tuple[Any, ...]]:
    qs = Episode.objects.filter(organisation=organisation)
    if services is not None:
        qs = qs.filter(service__in=[s.pk for s in services])
    rows = _fetch(
        qs.order_by().values_list(
            "id",
            "service_id",
            "key_worker_id",
            "service_user__sex",
            "service_user__ethnicity",
            "service_user__date_of_birth",
        )
    )
    return {r[0]: r[1:] for r in rows}


# -- public selectors -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeValues:
    """The first and later scores of the episodes counting for a period, as
    arrays (no breakdown keys), and the follow-up capture behind them: what a
    report needs when it breaks nothing down (:func:`outcome_values`)."""

    scores: ScoreArrays
    capture: FollowUpCapture


@dataclass(frozen=True, slots=True)
class _Paired:
    first: np.ndarray  # values
    latest: np.ndarray
    episode: np.ndarray  # int64 ids
    first_at: np.ndarray  # int64 micros
    latest_at: np.ndarray
    capture: FollowUpCapture

    @classmethod
    def empty(cls) -> _Paired:
        z = np.zeros(0, dtype=np.int64)
        return cls(np.zeros(0), np.zeros(0), z, z, z, follow_up_capture(0, 0))


def _narrowing(
    organisation: Organisation, services: Iterable[Service] | None
) -> list[Service] | None:
    """``services`` as a list, or None when they leave nothing of the
    organisation out (so no query needs to filter by service)."""
    if services is None:
        return None
    chosen = list(services)
    every = set(
        Service.objects.filter(organisation=organisation).values_list("pk", flat=True)
    )
    return None if {s.pk for s in chosen} >= every else chosen


@dataclass(frozen=True, slots=True)
class EpisodeScope:
    """Some of an organisation's services, and the ids of their episodes."""

    service_ids: tuple[int, ...]
    episode_ids: np.ndarray


def episode_scope(
    organisation: Organisation, services: Iterable[Service] | None
) -> EpisodeScope | None:
    """The scope of ``services``, or None when no scoping is needed (no services
    given, or every service of the organisation)."""
    services = _narrowing(organisation, services)
    if services is None:
        return None
    ids = tuple(s.pk for s in services)
    rows = _fetch(
        Episode.objects.filter(organisation=organisation, service__in=ids)
        .order_by()
        .values_list("id")
    )
    episode_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    return EpisodeScope(ids, np.sort(episode_ids))


def _paired(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool,
    pairing: Pairing,
    scope: EpisodeScope | None,
) -> _Paired:
    """Pair each episode's first and later score (the period rule of the module
    docstring); ``scope``: the services' episodes to keep (None: all)."""
    if pairing not in ("latest", "exit"):
        raise ValueError("pairing must be 'latest' or 'exit'")
    defn = measure_definition(organisation=organisation, measure_id=measure_id)
    filters: dict[str, Any] = {
        "organisation": organisation,
        "before": _day_after(end),
        "include_pilot": include_pilot,
    }
    parts = [
        _direct_scores(
            scale_id=scale_id,
            pairing=pairing,
            measure_id=measure_id,
            services=scope.service_ids if scope else None,
            **filters,
        )
    ]
    if defn.derivations:
        parts.append(
            _derived_scores(target=defn, scale_id=scale_id, pairing=pairing, **filters)
        )
    in_order = len(parts) == 1 and parts[0].in_order
    scores = _Scores.concat(parts)
    if scope is not None:
        # Services are applied here (on SQLite only here: joining every score to
        # its episode costs more than reading the organisation's scores and
        # dropping some; PostgreSQL also filters in SQL, with a merge join).
        keep = np.isin(scores.episode, scope.episode_ids)
        scores = _Scores(
            scores.episode[keep],
            scores.at[keep],
            scores.admin[keep],
            scores.value[keep],
            scores.is_exit[keep],
        )
    if scores.episode.size == 0:
        return _Paired.empty()
    start_us = _micros(_day_start(start))

    if in_order:
        ep, at, value, is_exit = (
            scores.episode,
            scores.at,
            scores.value,
            scores.is_exit,
        )
    else:
        order = np.lexsort((scores.admin, scores.at, scores.episode))
        ep = scores.episode[order]
        at = scores.at[order]
        value = scores.value[order]
        is_exit = scores.is_exit[order]
    n = ep.size
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    new_group[1:] = ep[1:] != ep[:-1]
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:] - 1, n - 1)

    # Episodes counting for the period: latest score (on or before end) in period.
    in_period = at[ends] >= start_us
    with_baseline = int(in_period.sum())
    if pairing == "latest":
        first_idx = starts
        later_idx = ends
        paired = in_period & (ends > starts)
    else:
        exit_rows = np.flatnonzero(is_exit)
        exit_ep = ep[exit_rows]
        last_of_ep = (
            np.append(exit_ep[1:] != exit_ep[:-1], True)
            if exit_ep.size
            else exit_ep.astype(bool)
        )
        exit_last = exit_rows[last_of_ep]
        group_of = np.searchsorted(ep[starts], ep[exit_last])
        later_idx = np.full(starts.size, -1, dtype=np.int64)
        later_idx[group_of] = exit_last
        first_idx = starts
        # Count episodes whose exit score, or failing that latest score, is in period.
        has_exit = later_idx >= 0
        exit_in = np.zeros(starts.size, dtype=bool)
        exit_in[has_exit] = at[later_idx[has_exit]] >= start_us
        in_period = np.where(has_exit, exit_in, in_period)
        with_baseline = int(in_period.sum())
        paired = in_period & has_exit & (later_idx != first_idx)

    chosen = np.flatnonzero(paired)
    first_rows = first_idx[chosen]
    later_rows = later_idx[chosen]
    return _Paired(
        value[first_rows],
        value[later_rows],
        ep[first_rows],
        at[first_rows],
        at[later_rows],
        follow_up_capture(with_baseline, int(chosen.size)),
    )


def outcome_values(
    *,
    organisation: Organisation,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    scope: EpisodeScope | None = None,
) -> OutcomeValues:
    """:func:`outcome_pairs_with_capture` without the breakdown keys: the first
    and later scores as arrays (for :func:`openproms.stats.paired_change`).

    ``scope``: :func:`episode_scope` for the services (None: all), read once
    by a caller that asks for several measures."""
    p = _paired(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        scope=scope,
    )
    return OutcomeValues(ScoreArrays(p.first, p.latest), p.capture)


def outcome_pairs_with_capture(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    episodes: EpisodeGroups | None = None,
) -> OutcomePairs:
    """:func:`outcome_pairs` and the follow-up capture of the same episodes.

    ``episodes``: :func:`episode_groups` for the same organisation and services,
    when the caller asks for several measures (read once instead of each time)."""
    services = list(services) if services is not None else None
    if episodes is None:
        episodes = _episode_groups(organisation, services)
    scope = None
    if services is not None:
        scope = EpisodeScope(
            tuple(s.pk for s in services),
            np.fromiter(episodes.keys(), dtype=np.int64, count=len(episodes)),
        )
    p = _paired(
        organisation=organisation,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        scope=scope,
    )
    scores = ScoreArrays(p.first, p.latest)
    if p.episode.size == 0:
        return OutcomePairs([], p.capture, scores)
    pairs_first = p.first.tolist()
    pairs_later = p.latest.tolist()
    pairs_ep = p.episode.tolist()
    local_day = _LocalDays()
    first_at = local_day.many(p.first_at)
    later_at = local_day.many(p.latest_at)

    service_names = dict(
        Service.objects.filter(organisation=organisation).values_list("id", "name")
    )
    worker_ids = {row[1] for row in episodes.values() if row[1] is not None}
    workers = {u.pk: u.display_name for u in User.objects.filter(pk__in=worker_ids)}

    quarters: dict[dt.date, str] = {}
    bands: dict[tuple[Any, dt.date], str] = {}
    # People share breakdown keys: one (read-only) groups mapping per combination
    # rather than a new dict for each of 100,000 pairs.
    shared: dict[tuple[Any, ...], dict[str, str]] = {}
    missing = (None, None, "", "", None)
    pairs: list[PairedScore] = []
    append = pairs.append
    for f, latest, episode_id, first_on, latest_on in zip(
        pairs_first, pairs_later, pairs_ep, first_at, later_at, strict=True
    ):
        service_id, worker_id, sex, ethnicity, dob = episodes.get(episode_id, missing)
        band_key = (dob, first_on)
        band = bands.get(band_key)
        if band is None:
            band = bands[band_key] = age_band(_as_date(dob), first_on)
        quarter = quarters.get(latest_on)
        if quarter is None:
            quarter = quarters[latest_on] = quarter_of(latest_on)
        key = (sex, ethnicity, band, worker_id, service_id, quarter)
        groups = shared.get(key)
        if groups is None:
            groups = shared[key] = {
                "sex": _SEX_LABELS.get(sex, NOT_RECORDED) if sex else NOT_RECORDED,
                "ethnicity_group": ETHNICITY_GROUP_OF.get(
                    ethnicity or "", NOT_RECORDED
                ),
                "age_band": band,
                "worker": workers.get(worker_id, NOT_RECORDED),
                "service": service_names.get(service_id, NOT_RECORDED),
                "quarter": quarter,
            }
        append(PairedScore(f, latest, latest_on, groups))
    return OutcomePairs(pairs, p.capture, scores)


def outcome_pairs(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    measure_id: str,
    scale_id: str,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
    pairing: Pairing = "latest",
    episodes: EpisodeGroups | None = None,
) -> list[PairedScore]:
    """One :class:`~openproms.stats.PairedScore` per episode counting for the period.

    For each episode of ``organisation`` (in ``services``; None = all services) with a
    first score and a later score on ``measure_id``/``scale_id``:

    * ``pairing="latest"``: first score vs the latest score completed on or before
      ``end``; the episode counts when that latest score is in [start, end];
    * ``pairing="exit"``: first score vs the latest score at an exit time point
      completed on or before ``end``; the episode counts when that is in [start, end].

    Pilot administrations are left out unless ``include_pilot``. When the measure is
    derivable from others (PHQ-2 from PHQ-9, SWEMWBS from WEMWBS, PHQ-4 from PHQ-9 +
    GAD-7), the source measures' administrations count too, scored with the derived
    measure's own rules. ``latest_on`` is the local date of the later score;
    ``groups`` holds the keys of :data:`GROUP_KEYS` (sex, ethnicity group, age band at
    the first score, key worker, service, financial quarter of the later score).
    """
    return outcome_pairs_with_capture(
        organisation=organisation,
        services=services,
        measure_id=measure_id,
        scale_id=scale_id,
        start=start,
        end=end,
        include_pilot=include_pilot,
        pairing=pairing,
        episodes=episodes,
    ).pairs


def _baseline_counts(
    new: QuerySet[Episode], starts: list[int], *, include_pilot: bool
) -> dict[str, int]:
    """Of the ``new`` episodes: how many, how many have a completed start time
    point (a baseline), and how many of those also a later completed one.

    Two forms, each the faster on its database (benchmarks/README.md, Reports):
    PostgreSQL joins the episodes to their completed time points and counts in one
    grouped query; SQLite looks up each episode's time points twice in the (episode,
    status, rule, is_pilot) index (by episode alone: an episode's time points are
    its organisation's), with the rule compared as "rule + 0" so that SQLite reads
    one range of the index rather than searching it once per start rule."""
    done = Q(time_points__status=TimePoint.Status.COMPLETED)
    if not include_pilot:
        done &= Q(time_points__is_pilot=False)
    if connections[new.db].vendor == "postgresql":
        per_episode = (
            new.order_by()
            .annotate(done=FilteredRelation("time_points", condition=done))
            .values("pk")
            .annotate(
                b=Max(Case(When(done__rule_id__in=starts, then=1), default=0)),
                f=Max(
                    Case(
                        When(
                            Q(done__rule_id__isnull=False)
                            & ~Q(done__rule_id__in=starts),
                            then=1,
                        ),
                        default=0,
                    )
                ),
            )
        )
        totals = per_episode.aggregate(
            new=Count("pk"), with_baseline=Sum("b"), followed=Sum(F("b") * F("f"))
        )
        return {k: int(v or 0) for k, v in totals.items()}
    done_of = TimePoint.objects.filter(status=TimePoint.Status.COMPLETED).alias(
        rule_key=F("rule_id") + 0
    )
    if not include_pilot:
        done_of = done_of.filter(is_pilot=False)
    baseline = done_of.filter(episode=OuterRef("pk"), rule_key__in=starts)
    later = done_of.filter(episode=OuterRef("pk")).exclude(rule_key__in=starts)
    # One row of two flags per new episode, summed here: an aggregate would
    # evaluate the baseline lookup twice.
    flags = _fetch(
        new.order_by()
        .annotate(b=Exists(baseline), f=Exists(later))
        .values_list("b", "f")
    )
    return {
        "new": len(flags),
        "with_baseline": sum(1 for b, _ in flags if b),
        "followed": sum(1 for b, f in flags if b and f),
    }


def collection_summary(
    *,
    organisation: Organisation,
    services: Iterable[Service] | None,
    start: dt.date,
    end: dt.date,
    include_pilot: bool = False,
) -> dict[str, Any]:
    """Collection counts for a period (both ends included).

    * ``people_engaged``: distinct service users with an episode active at some time
      in the period (started on or before ``end``, not ended before ``start``);
    * ``new_episodes``: episodes starting in the period;
    * ``baseline_completed`` / ``new_episodes`` = ``baseline_completion``: of the
      episodes starting in the period, those with a completed start time point;
    * ``follow_up``: a :class:`~openproms.stats.FollowUpCapture`: of those with a
      baseline, the ones with any later completed time point;
    * ``completed`` / ``missed``: time points due in the period, by status.

    Pilot time points are left out unless ``include_pilot``.
    """
    services = _narrowing(organisation, services)
    episodes = Episode.objects.filter(organisation=organisation)
    if services is not None:
        episodes = episodes.filter(service__in=[s.pk for s in services])
    active = episodes.filter(start_date__lte=end).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=start)
    )
    people = active.values("service_user").distinct().count()
    new = episodes.filter(start_date__gte=start, start_date__lte=end)

    points = TimePoint.objects.filter(organisation=organisation)
    if not include_pilot:
        points = points.filter(is_pilot=False)
    # The organisation's start rules by id (a few dozen): no join to the rules.
    starts = list(
        PlanRule.objects.filter(
            plan__organisation=organisation, kind=PlanRule.Kind.START
        ).values_list("pk", flat=True)
    )
    counts = _baseline_counts(new, starts, include_pilot=include_pilot)
    due = points.filter(due_date__gte=start, due_date__lte=end)
    if services is not None:
        due = due.filter(episode_id__in=episodes.values("pk"))
    # One count per status: each is a range on the (organisation, status, due_date)
    # index, where one pass with filtered counts would read every time point.
    status = {
        name: due.filter(status=value).count()
        for name, value in (
            ("completed", TimePoint.Status.COMPLETED),
            ("missed", TimePoint.Status.MISSED),
        )
    }
    new_count = counts["new"] or 0
    with_baseline = counts["with_baseline"] or 0
    return {
        "people_engaged": people,
        "new_episodes": new_count,
        "baseline_completed": with_baseline,
        "baseline_completion": with_baseline / new_count if new_count else None,
        "follow_up": follow_up_capture(with_baseline, counts["followed"] or 0),
        "completed": status["completed"] or 0,
        "missed": status["missed"] or 0,
    }
