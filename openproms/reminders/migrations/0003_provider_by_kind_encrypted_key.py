"""Reminders on or off apart from the provider, whose usual value follows the
organisation's kind (another needs a reason), and the GOV.UK Notify API key
encrypted at rest (decision 0035).

Existing settings: "off" becomes not enabled with the usual provider; a provider
that is not the usual one for the kind is kept, with the reason saying it was
chosen before. Each stored Notify key is encrypted (core/encryption.py) into the
new column and the plain column is dropped; backwards decrypts it again.
"""

from django.db import migrations, models

from openproms.core import encryption

# The kinds whose usual provider is GOV.UK Notify when this migration was written.
NOTIFY_KINDS = {"nhs", "gp_practice", "local_authority"}
EARLIER = "Chosen before the usual way of sending followed the kind of organisation."


def forward(apps, schema_editor):
    settings_model = apps.get_model("reminders", "ReminderSettings")
    for config in settings_model.objects.select_related("organisation"):
        usual = "notify" if config.organisation.kind in NOTIFY_KINDS else "smtp"
        config.enabled = config.provider != "off"
        if config.provider == "off":
            config.provider = usual
        elif config.provider != usual:
            config.provider_reason = EARLIER
        if config.notify_api_key:
            config.notify_api_key_encrypted = encryption.encrypt(config.notify_api_key)
        config.save()


def backward(apps, schema_editor):
    settings_model = apps.get_model("reminders", "ReminderSettings")
    for config in settings_model.objects.all():
        if not config.enabled:
            config.provider = "off"
        if config.notify_api_key_encrypted:
            try:
                config.notify_api_key = encryption.decrypt(
                    config.notify_api_key_encrypted
                )
            except encryption.SecretUnreadable:
                config.notify_api_key = ""
        config.save()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_organisation_kind_nhs_local_authority"),
        ("reminders", "0002_row_level_security"),
    ]

    operations = [
        migrations.AddField(
            model_name="remindersettings",
            name="enabled",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="remindersettings",
            name="provider_reason",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="remindersettings",
            name="notify_api_key_encrypted",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="remindersettings",
            name="provider",
            field=models.CharField(
                choices=[
                    ("off", "Reminders off"),
                    ("smtp", "Email through this system's mail server"),
                    ("notify", "GOV.UK Notify (email and text messages)"),
                ],
                default="smtp",
                max_length=10,
            ),
        ),
        migrations.RunPython(forward, backward, elidable=False),
        migrations.RemoveField(model_name="remindersettings", name="notify_api_key"),
        migrations.AlterField(
            model_name="remindersettings",
            name="provider",
            field=models.CharField(
                choices=[
                    ("smtp", "Email through this system's mail server"),
                    ("notify", "GOV.UK Notify (email and text messages)"),
                ],
                default="smtp",
                max_length=10,
            ),
        ),
    ]
