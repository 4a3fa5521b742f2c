"""Indexes only, for the REST API's `updated_since` (decision 0032): people whose
details changed, and episodes opened or ended, since a time."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_kind_nhs_local_authority"),
        ("people", "0004_service_user_preferred_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(
                fields=["organisation", "created_at"], name="episode_opened_since"
            ),
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(
                fields=["organisation", "end_date"], name="episode_ended_since"
            ),
        ),
        migrations.AddIndex(
            model_name="serviceuser",
            index=models.Index(
                fields=["organisation", "updated_at"], name="su_updated_since"
            ),
        ),
    ]
