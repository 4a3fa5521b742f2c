"""PostgreSQL row-level security: the database's own wall between organisations.

Every selector already filters by organisation; this is the second wall behind
it (decision 0016). Every tenant table has a policy (migrations named
``*_row_level_security``, SQL from :func:`policy_create_sql`) that shows and
accepts only the rows of the organisation named in the session setting
``openproms.organisation_id``. When the setting is empty (sign-in, a
commissioner's report across organisations, background jobs over the whole
installation, management commands, demo seeding, backup) every row is visible:
the wall holds for work done for one organisation.

A request for an organisation names it as soon as :func:`openproms.core.access.org_view`
has resolved the membership; a background task for one organisation names it with
:func:`organisation_scope`. The setting is per connection (``set_config(...,
false)``): connections outlive requests (``CONN_MAX_AGE``), so it is emptied when
every request starts and finishes (the signals below) and when a scope ends.

SQLite has no row-level security: there, and when ``OPENPROMS_ROW_LEVEL_SECURITY``
is off, nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

ORGANISATION_SETTING = "openproms.organisation_id"
USER_SETTING = "openproms.user_id"

# What a connection's session has been told: (organisation pk, user pk), None for
# nothing named, _UNKNOWN when a statement failed and the next call must set it.
_STATE = "openproms_row_security"
_UNKNOWN = ("?", "?")
Named = tuple[int | None, int | None]


def active(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql" and bool(
        getattr(settings, "ROW_LEVEL_SECURITY", False)
    )


def _told(connection: BaseDatabaseWrapper) -> Any:
    return getattr(connection, _STATE, (None, None))


def organisation_set(
    organisation_id: int | None,
    *,
    user_id: int | None = None,
    using: str = "default",
) -> None:
    """Name the organisation (and the asking user, whose own memberships of other
    organisations stay visible for the switcher) for the rest of this connection's
    session, or empty both with ``None``. Costs a query only when it changes."""
    connection = connections[using]
    if not active(connection):
        return
    wanted: Named = (organisation_id, user_id if organisation_id else None)
    if _told(connection) == wanted:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                [
                    ORGANISATION_SETTING,
                    "" if wanted[0] is None else str(wanted[0]),
                    USER_SETTING,
                    "" if wanted[1] is None else str(wanted[1]),
                ],
            )
    except DatabaseError:
        setattr(connection, _STATE, _UNKNOWN)
        raise
    setattr(connection, _STATE, wanted)


def organisation_named(using: str = "default") -> int | None:
    """The organisation this connection's session names (as far as we told it)."""
    named = _told(connections[using])
    return None if named == _UNKNOWN else named[0]


@contextmanager
def organisation_scope(
    organisation_id: int | None, *, using: str = "default"
) -> Iterator[None]:
    """Work for one organisation (a background task, one of a report's reads on its
    own connection): name it, then put back what was named before."""
    connection = connections[using]
    before = _told(connection)
    organisation_set(organisation_id, using=using)
    try:
        yield
    finally:
        if before != _UNKNOWN:
            _quietly_set(before[0], before[1], using)


def _quietly_set(organisation_id: int | None, user_id: int | None, using: str) -> None:
    """Set without raising: after an error the transaction may refuse statements
    until rolled back, and a rollback undoes the setting made inside it anyway."""
    with suppress(DatabaseError):
        organisation_set(organisation_id, user_id=user_id, using=using)


def _forget(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """A new connection is a new session: nothing is named on it yet."""
    setattr(connection, _STATE, (None, None))


def _empty(**kwargs: Any) -> None:
    """Requests begin and end with no organisation named on any open connection."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and _told(connection) != (None, None):
            _quietly_set(None, None, connection.alias)


connection_created.connect(_forget, dispatch_uid="openproms_row_security_forget")
request_started.connect(_empty, dispatch_uid="openproms_row_security_start")
request_finished.connect(_empty, dispatch_uid="openproms_row_security_finish")


# ------------------------------------------------------------------ policies (SQL)

# Each read of the setting is a scalar subquery: PostgreSQL evaluates it once per
# statement (an InitPlan) instead of once per row and table, which cost a report
# page half its time again (benchmarks/README.md, Row-level security).
_NAMED = f"(SELECT NULLIF(current_setting('{ORGANISATION_SETTING}', true), '')::bigint)"
_NOTHING_NAMED = (
    f"(SELECT COALESCE(current_setting('{ORGANISATION_SETTING}', true), '') = '')"
)
NAMED_USER = f"(SELECT NULLIF(current_setting('{USER_SETTING}', true), '')::bigint)"


def policy_create_sql(
    table: str,
    *,
    parent: tuple[str, str] | None = None,
    also_visible: str = "",
    also_accepted: str = "",
) -> list[str]:
    """The statements that put ``table`` behind the wall.

    A table with its own ``organisation_id`` is compared with the named
    organisation; a child table reaching it through a foreign key, ``parent=(fk
    column, parent table)``, shows a row when its parent row belongs to the
    named organisation (an EXISTS on the parent's primary key). ``also_visible``
    and ``also_accepted`` widen what is read and what may be written. FORCE makes
    the policy bind the tables' owner too, which is the application's own role.
    """
    if parent is None:
        own = f"organisation_id = {_NAMED}"
    else:
        column, parent_table = parent
        own = (
            f"EXISTS (SELECT 1 FROM {parent_table} AS parent"  # noqa: S608 (fixed names)
            f" WHERE parent.id = {table}.{column}"
            f" AND parent.organisation_id = {_NAMED})"
        )
    using = f"{_NOTHING_NAMED} OR {own}"
    check = using
    if also_visible:
        using += f" OR {also_visible}"
    if also_accepted:
        check += f" OR {also_accepted}"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY organisation_wall ON {table} USING ({using})"
        f" WITH CHECK ({check})",
    ]


def policy_drop_sql(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS organisation_wall ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def walled_operations(tables: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
    """The forward and backward functions of a migration's RunPython: on PostgreSQL
    each table in ``tables`` (name: keyword arguments of policy_create_sql) gets
    its policy; elsewhere nothing happens."""

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, options in tables.items():
            for sql in policy_create_sql(table, **options):
                schema_editor.execute(sql)

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            for sql in policy_drop_sql(table):
                schema_editor.execute(sql)

    return forward, backward
