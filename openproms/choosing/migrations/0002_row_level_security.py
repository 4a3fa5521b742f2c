"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "choosing_owndatareliability": {},
    "choosing_measuretrial": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("choosing", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
