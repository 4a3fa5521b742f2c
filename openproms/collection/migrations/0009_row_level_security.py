"""PostgreSQL row-level security on this app's tenant tables (decision 0016).

Nothing happens on SQLite. Reversible: backwards drops the policies.
"""

from django.db import migrations

from openproms.core.row_security import walled_operations

TABLES = {
    "collection_collectionsettings": {"parent": ("service_id", "accounts_service")},
    "collection_measurementplan": {},
    "collection_planrule": {"parent": ("plan_id", "collection_measurementplan")},
    "collection_timepoint": {},
    "collection_administration": {},
    # Its own organisation column (0008): the largest child table, read whole for
    # an organisation (counts of unscored answers, the FHIR export).
    "collection_scaleresult": {},
    "collection_outcomescore": {},
    "collection_administrationedit": {
        "parent": ("administration_id", "collection_administration")
    },
    "collection_riskalert": {},
    "collection_selfcompletionlink": {},
    "collection_selfcompletionlink_time_points": {
        "parent": ("selfcompletionlink_id", "collection_selfcompletionlink")
    },
    "collection_acceptabilityresponse": {},
    "collection_paperentry": {},
}

forward, backward = walled_operations(TABLES)


class Migration(migrations.Migration):
    dependencies = [("collection", "0008_scale_result_organisation")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
