"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    # Events of no organisation (sign-in, installation-wide pages) may be written
    # during a request for one, and are not shown to it.
    "audit_auditevent": {"also_accepted": "organisation_id IS NULL"},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_add_event_people")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
