"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "api_apitoken": {},
    "api_apitoken_services": {"parent": ("apitoken_id", "api_apitoken")},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
