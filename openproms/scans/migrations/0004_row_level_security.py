"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "scans_printedform": {},
    "scans_scanbatch": {},
    "scans_scanfile": {"parent": ("batch_id", "scans_scanbatch")},
    "scans_scanpage": {},
    "scans_scanitem": {"parent": ("page_id", "scans_scanpage")},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("scans", "0003_batch_progress_and_resumes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
