from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_organisation_is_training"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("charity", "Charity or community organisation"),
                    ("gp_practice", "GP practice"),
                    ("nhs", "NHS trust or other NHS body"),
                    ("local_authority", "Local authority (council)"),
                    ("other", "Other"),
                ],
                default="charity",
                max_length=20,
            ),
        ),
    ]
