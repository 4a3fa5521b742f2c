"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "reminders_contactagreement": {},
    "reminders_remindersettings": {},
    "reminders_messagetemplate": {},
    "reminders_reminder": {},
    "reminders_implementationlead": {},
    "reminders_capturealert": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
