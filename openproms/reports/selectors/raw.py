"""Raw reads shared by the outcome selectors: values straight off the database
cursor (into numpy where they are numbers), completion times as integer
microseconds since the epoch, and the local (Europe/London) days of those times.

The PostgreSQL forms of these reads are in :mod:`.postgres`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.db import connection, connections
from django.db.models import F, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from openproms.reports.selectors.postgres import EpochMicros, fetch_packed


def day_start(day: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(day, dt.datetime):
        return day if timezone.is_aware(day) else timezone.make_aware(day)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_after(day: dt.date | dt.datetime) -> dt.datetime:
    """Exclusive upper bound: the end of ``day`` (a datetime is taken as it is)."""
    if isinstance(day, dt.datetime):
        return day_start(day) + dt.timedelta(microseconds=1)
    return day_start(day + dt.timedelta(days=1))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def micros(moment: dt.datetime) -> int:
    """Microseconds since the epoch, exactly (no float rounding)."""
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def sort_keys(values: Sequence[Any]) -> np.ndarray:
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
        out[i] = micros(v)
    return out


class LocalDays:
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

    def days(self, keys: np.ndarray) -> np.ndarray:
        """:meth:`many` as a ``datetime64[D]`` array."""
        hours, inverse = np.unique(keys // 3_600_000_000, return_inverse=True)
        days = [self(int(hour) * 3_600_000_000) for hour in hours.tolist()]
        return np.array(days, dtype="datetime64[D]")[inverse]


def as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def completion_time(field: str) -> Any:
    """The completion time as the database gives it fastest: text on SQLite
    (numpy parses it, see :func:`sort_keys`), integer microseconds elsewhere."""
    if connection.vendor == "sqlite":
        return Cast(field, output_field=TextField())
    return EpochMicros(F(field))


def fetch(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Run a ``values_list`` queryset on the cursor: raw values, no converters."""
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_table(qs: QuerySet[Any], dtype: list[tuple[str, str]]) -> np.ndarray:
    """Run a ``values_list`` queryset of non-null fixed-width columns (bigint,
    double, boolean) into a numpy structured array.

    SQLite: rows from the cursor into one structured array built in C (transposing
    half a million tuples in Python costs several times more). PostgreSQL: the rows
    packed by the server (:func:`.postgres.fetch_packed`)."""
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
    return fetch_packed(qs.db, sql, params, dtype)
