"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "people_serviceuser": {},
    "people_consent": {"parent": ("service_user_id", "people_serviceuser")},
    "people_episode": {},
    "people_episodepause": {"parent": ("episode_id", "people_episode")},
    "people_groupsession": {},
    "people_contact": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("people", "0002_service_user_restriction")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
