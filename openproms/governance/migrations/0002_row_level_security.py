"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "governance_erasure": {},
    "governance_retentionsetting": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_erasure_and_retention")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
