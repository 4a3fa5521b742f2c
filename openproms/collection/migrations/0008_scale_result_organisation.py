"""Scale results carry their administration's organisation (decision 0016), filled
here for the results already stored."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    schema_editor.execute(
        "UPDATE collection_scaleresult SET organisation_id = ("
        "SELECT organisation_id FROM collection_administration"
        " WHERE collection_administration.id"
        " = collection_scaleresult.administration_id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL will not alter a table (the
        # NOT NULL below) with deferred checks still pending on it.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_add_organisation_support_text"),
        ("collection", "0007_add_withdrew_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="scaleresult",
            name="organisation",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="scaleresult",
            name="organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organisation",
            ),
        ),
    ]
