"""A training organisation is named "<organisation> (training)", not "(practice)":
at a GP practice, "practice" already names the organisation itself."""

from django.db import migrations

OLD, NEW = " (practice)", " (training)"


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Organisation = apps.get_model("accounts", "Organisation")
    for org in Organisation.objects.filter(is_training=True, name__endswith=OLD):
        org.name = org.name[: -len(OLD)] + NEW
        org.save(update_fields=["name"])


def unrename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Organisation = apps.get_model("accounts", "Organisation")
    for org in Organisation.objects.filter(is_training=True, name__endswith=NEW):
        org.name = org.name[: -len(NEW)] + OLD
        org.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_kind_nhs_local_authority"),
    ]

    operations = [migrations.RunPython(rename, unrename)]
