"""A time point's own "its answers made no score" (decision 0040).

Counting time points by state asked, for every completed one, whether its
answers have any score: two index searches each, the largest part of the weekly
collection page at 1,000,000 answers. The time point now holds it, set here from
the scores already stored and kept by every path that writes scores; the two
indexes that count states hold it too, and the scale results' index made for the
old search goes. Then the planner's statistics, as in 0013."""

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import Exists, OuterRef

TABLES = ("collection_timepoint", "collection_scaleresult")


def set_no_score(apps: Any, schema_editor: Any) -> None:
    TimePoint = apps.get_model("collection", "TimePoint")
    Administration = apps.get_model("collection", "Administration")
    ScaleResult = apps.get_model("collection", "ScaleResult")
    scored = ScaleResult.objects.filter(
        administration=OuterRef("pk"), value__isnull=False
    )
    unscored = Administration.objects.filter(time_point=OuterRef("pk")).filter(
        ~Exists(scored)
    )
    TimePoint.objects.filter(status="completed").filter(Exists(unscored)).update(
        no_score=True
    )


def analyse(apps: Any, schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_kind_nhs_local_authority"),
        ("collection", "0013_report_indexes"),
        ("people", "0005_api_updated_since_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="scaleresult",
            name="result_scored",
        ),
        migrations.RemoveIndex(
            model_name="timepoint",
            name="tp_weeks",
        ),
        migrations.RemoveIndex(
            model_name="timepoint",
            name="tp_rates_episode",
        ),
        migrations.AddField(
            model_name="timepoint",
            name="no_score",
            field=models.BooleanField(
                default=False,
                help_text="Its answers are stored but made no score at all (every scale had too few items answered). Kept by every path that writes scale results (decision 0040).",
            ),
        ),
        migrations.RunPython(set_no_score, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(
                fields=[
                    "organisation",
                    "status",
                    "due_date",
                    "is_pilot",
                    "episode",
                    "no_score",
                ],
                name="tp_rates_scored",
            ),
        ),
        migrations.AddIndex(
            model_name="timepoint",
            index=models.Index(
                fields=[
                    "organisation",
                    "due_date",
                    "status",
                    "no_score",
                    "missed_reason",
                    "window_start",
                    "window_end",
                    "episode",
                    "rule",
                ],
                name="tp_weeks_scored",
            ),
        ),
        migrations.RunPython(analyse, migrations.RunPython.noop, elidable=True),
    ]
