"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import NAMED_USER, walled_operations

TABLES = {
    "accounts_service": {},
    # A person sees their own memberships of other organisations (the switcher).
    "accounts_membership": {"also_visible": f"user_id = {NAMED_USER}"},
    "accounts_invitation": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_add_organisation_support_text")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
