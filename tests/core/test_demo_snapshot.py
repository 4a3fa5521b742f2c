"""The demo snapshot the browser journeys start from (tests/demo_snapshot.py) is the
freshly seeded demo: every table's rows, every sequence, the schema's triggers and
policies, and every media file, compared after a journey's worth of changes and
Django's flush (decision 0037). Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from openproms.accounts.models import Organisation, User
from openproms.audit.models import AuditEvent
from openproms.audit.services import log_action
from openproms.core.demo import run_seeders
from openproms.scans.models import ScanPage
from tests.conftest import audit_triggers_lifted
from tests.demo_snapshot import SCHEMA_TABLE, DemoOnce, DemoSnapshot

pytestmark = pytest.mark.django_db(transaction=True)

Contents = dict[str, Any]


def _value(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor, include_views=False)
    if connection.vendor == "sqlite":
        tables.append("sqlite_sequence")
    return sorted(t for t in tables if t != SCHEMA_TABLE)


def _schema() -> list[tuple[Any, ...]]:
    """The triggers, row-level security and its policies (PostgreSQL), or the whole
    schema (SQLite): what a restore must leave as the migrations made it."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            )
            return list(cursor.fetchall())
        cursor.execute(
            "SELECT 'trigger', c.relname, t.tgname, t.tgenabled::text"
            " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND pg_table_is_visible(c.oid)"
            " UNION ALL SELECT 'policy', c.relname, p.polname,"
            " pg_get_expr(p.polqual, p.polrelid)"
            " FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid"
            " UNION ALL SELECT 'security', c.relname,"
            " c.relrowsecurity::text, c.relforcerowsecurity::text FROM pg_class c"
            " WHERE c.relkind = 'r' AND pg_table_is_visible(c.oid)"
            " ORDER BY 1, 2, 3"
        )
        return list(cursor.fetchall())


def _sequences() -> list[tuple[Any, ...]]:
    if connection.vendor == "sqlite":
        return []  # sqlite_sequence is one of the tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences"
            " WHERE schemaname = current_schema() ORDER BY 1"
        )
        return list(cursor.fetchall())


def _media() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def contents() -> Contents:
    """Everything the demo is: every table's rows (in a fixed order), the
    sequences, the schema's guards, and every media file's hash."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            rows = [tuple(_value(v) for v in row) for row in cursor.fetchall()]
            tables[table] = sorted(rows, key=repr)
    return {
        "tables": tables,
        "sequences": _sequences(),
        "schema": _schema(),
        "media": _media(),
    }


def _assert_same(restored: Contents, seeded: Contents) -> None:
    """Table by table, so that a failure names the table that differs."""
    assert restored["tables"].keys() == seeded["tables"].keys()
    for table, rows in seeded["tables"].items():
        assert restored["tables"][table] == rows, table
    for part in ("sequences", "schema", "media"):
        assert restored[part] == seeded[part], part


def _flush() -> None:
    """What ends every transactional test (tests/conftest.py lifts the guards)."""
    with audit_triggers_lifted():
        call_command("flush", verbosity=0, interactive=False, reset_sequences=False)


def _a_journey(riverside: Organisation) -> None:
    """A journey's kind of changes: rows written and changed (the audit table too),
    a scanned page's image deleted, an upload added."""
    Organisation.objects.filter(pk=riverside.pk).update(name="Renamed in a journey")
    user = User.objects.create(username="new@example.org", email="new@example.org")
    log_action(action="auth.login", actor=user, organisation=riverside)
    page = ScanPage.objects.exclude(image="").first()
    assert page is not None
    Path(page.image.path).unlink()
    stray = Path(settings.MEDIA_ROOT) / "uploads" / "from-a-journey.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 not the demo's")


def test_a_restored_demo_is_the_freshly_seeded_demo(tmp_path: Path) -> None:
    context = run_seeders()
    seeded = contents()
    # Not an empty comparison: the demo has rows in the audit table, scanned
    # pages with their images, and the sequences have moved.
    assert seeded["tables"][AuditEvent._meta.db_table]
    assert seeded["tables"][ScanPage._meta.db_table]
    assert any(name.startswith("scans/") for name in seeded["media"]), seeded["media"]
    snapshot = DemoSnapshot.take(
        context, day=dt.date(2026, 12, 7), folder=tmp_path / "snapshot"
    )
    riverside = context.objects["organisations"]["riverside"]
    try:
        for _ in range(2):  # and again: the snapshot is not used up
            _a_journey(riverside)
            assert contents() != seeded
            _flush()
            restored = snapshot.restore()
            _assert_same(contents(), seeded)
            assert restored.logins == context.logins
            again = restored.objects["organisations"]["riverside"]
            assert again.pk == riverside.pk and again is not riverside
            assert Organisation.objects.get(pk=again.pk).name == riverside.name
        # The audit guards are back in force after a restore.
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
    finally:
        snapshot.close()
    assert not (tmp_path / "snapshot").exists()


def _small_seed() -> Any:
    return run_seeders(["openproms.accounts.demo.seed"])


def test_the_demo_is_seeded_once_a_day_and_restored_otherwise() -> None:
    once = DemoOnce(_small_seed)
    today = dt.date(2026, 12, 7)
    try:
        first = once.demo(today)
        Organisation.objects.filter(slug="riverside").update(
            name="Changed by a journey"
        )
        _flush()
        second = once.demo(today)
        assert once.seeded == 1
        assert second.objects["organisations"]["riverside"].pk == (
            first.objects["organisations"]["riverside"].pk
        )
        assert not Organisation.objects.filter(name="Changed by a journey").exists()
        # A run that goes past midnight seeds again: the demo is relative to today.
        _flush()
        once.demo(today + dt.timedelta(days=1))
        assert once.seeded == 2
    finally:
        once.close()
