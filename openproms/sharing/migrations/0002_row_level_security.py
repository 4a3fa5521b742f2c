"""PostgreSQL row-level security on this app's tables (decisions 0016, 0025).

A summary shared with a GP practice is a row of the sending organisation that
the receiving practice may also read (``also_visible``). The practice may
settle it (accept or decline: an UPDATE) through a second policy for UPDATE
only, whose check keeps the row addressed to it; it may not insert a row in
another organisation's name, nor see any share not addressed to it. Nothing
happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import ORGANISATION_SETTING, walled_operations

NAMED = f"(SELECT NULLIF(current_setting('{ORGANISATION_SETTING}', true), '')::bigint)"
RECIPIENT = f"recipient_id = {NAMED}"

TABLES = {
    "sharing_gpshare": {"also_visible": RECIPIENT},
    "sharing_researchproject": {},
    "sharing_researchconsent": {"parent": ("service_user_id", "people_serviceuser")},
}

forward, backward = walled_operations(TABLES)


def settle_forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE POLICY recipient_settles ON sharing_gpshare FOR UPDATE"
        f" USING ({RECIPIENT}) WITH CHECK ({RECIPIENT})"
    )


def settle_backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP POLICY IF EXISTS recipient_settles ON sharing_gpshare")


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_gp_shares_and_research")]

    operations = [
        migrations.RunPython(forward, backward, elidable=False),
        migrations.RunPython(settle_forward, settle_backward, elidable=False),
    ]
