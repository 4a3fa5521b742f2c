"""Indexes only, for the dashboards and reports: which versions of a measure
the answers were given on, read version by version (reports.selectors.versions),
and time points counted by state with their episode from the index alone
(tp_rates with the episode added).

Then the planner's statistics for the tables whose indexes changed here and in
0012: without them SQLite guesses that an organisation's rows are few and reads
a person's time points through an organisation-wide index (the person page and
the due list went from about 0.1 s to 0.25 s at 1,000,000 answers until ANALYZE;
benchmarks/README.md, Collection pages under load). A few seconds at that size;
nothing to undo."""

from typing import Any

from django.conf import settings
from django.db import migrations, models

TABLES = ("collection_timepoint", "collection_administration", "collection_scaleresult")


def analyse(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_kind_nhs_local_authority"),
        ("api", "0002_row_level_security"),
        ("collection", "0012_weekly_collection_indexes"),
        ("people", "0005_api_updated_since_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="timepoint",
            name="tp_rates",
        ),
        migrations.AddIndex(
            model_name="administration",
            index=models.Index(
                fields=[
                    "organisation",
                    "measure_id",
                    "measure_version",
                    "completed_at",
                ],
                name="adm_versions",
            ),
        ),
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(
                fields=["organisation", "status", "due_date", "is_pilot", "episode"],
                name="tp_rates_episode",
            ),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
