"""Indexes only, for the REST API's pages (decision 0032): an organisation's time
points and answers in key order; time points recorded as missed or printed,
answers saved, and corrections made, since a time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0010_administration_started_and_api_token"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(fields=["organisation", "id"], name="tp_org_key"),
        ),
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(
                fields=["organisation", "missed_recorded_at"], name="tp_missed_since"
            ),
        ),
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(
                fields=["organisation", "printed_at"], name="tp_printed_since"
            ),
        ),
        migrations.AddIndex(
            model_name="administration",
            index=models.Index(fields=["organisation", "id"], name="adm_org_key"),
        ),
        migrations.AddIndex(
            model_name="administration",
            index=models.Index(
                fields=["organisation", "created_at"], name="adm_org_saved"
            ),
        ),
        migrations.AddIndex(
            model_name="administrationedit",
            index=models.Index(
                fields=["edited_at", "administration"], name="adm_edit_since"
            ),
        ),
    ]
