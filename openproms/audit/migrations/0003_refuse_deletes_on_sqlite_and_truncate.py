"""Audit events are append-only on SQLite too, and the table cannot be emptied.

0002 made PostgreSQL refuse UPDATE and DELETE of audit rows but SQLite only UPDATE,
so a raw ``DELETE FROM audit_auditevent`` succeeded there. This adds the SQLite
DELETE trigger, and on PostgreSQL a statement trigger that refuses TRUNCATE (which
fires no row trigger). Nothing in openproms deletes audit events (docs/deployment.md).

On SQLite, a later migration that alters this table rebuilds it, and the rebuilt
table has no triggers: such a migration must create them again
(tests/audit/test_audit.py checks they exist after every migration).
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_delete;"
# The function audit_event_append_only() comes from 0002.
POSTGRES_UP = """
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""
POSTGRES_DOWN = "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forwards, backwards)]
