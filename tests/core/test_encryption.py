"""Provider secrets encrypted at rest (core/encryption.py, decision 0035): the raw
column holds no key, rotation keeps every secret readable under the new key only,
a lost key file is said plainly, and the data migration encrypts existing keys."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from openproms.accounts.models import Organisation
from openproms.core import encryption
from openproms.reminders import services
from openproms.reminders.models import Reminder, ReminderSettings
from openproms.reminders.providers import ProviderError
from tests.conftest import Tenant, verified_client
from tests.reminders.helpers import agreeing_person, noon, turn_on
from tests.reminders.stubs import API_KEY
from tests.text_checks import visible_text

SECRET_PART = API_KEY[-36:]


@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Path:
    """A data folder of the test's own, so its key file starts empty."""
    settings.DATA_DIR = tmp_path
    settings.ENCRYPTION_KEYS = []
    return tmp_path / encryption.KEYS_FILE_NAME


def _raw_rows() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reminders_remindersettings")
        return list(cursor.fetchall())


def test_a_token_reads_back_and_does_not_hold_the_secret(own_keys: Path) -> None:
    token = encryption.encrypt(API_KEY)
    assert own_keys.read_text().count("\n") == 1
    assert own_keys.stat().st_mode & 0o777 == 0o600
    assert SECRET_PART not in token and encryption.decrypt(token) == API_KEY
    assert encryption.last_four(token) == API_KEY[-4:]


@pytest.mark.django_db
def test_the_raw_database_column_holds_no_key(tenant_a: Tenant) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    answer = client.post(
        reverse("reminders:settings_edit", kwargs={"org_slug": "alpha"}),
        {
            "enabled": "yes",
            "provider": "notify",
            "provider_reason": "Notify gave us an account.",
            "quiet_from": "20:00",
            "quiet_until": "09:00",
            "max_per_time_point": "2",
            "days_between": "3",
            "days_before_due": "2",
            "max_attempts": "4",
            "notify_api_key": API_KEY,
            "notify_email_template_id": "abc",
        },
    )
    assert answer.status_code == 302
    [row] = _raw_rows()
    assert not any(SECRET_PART in str(value) for value in row)
    assert not any(API_KEY[:40] in str(value) for value in row)


@pytest.mark.django_db
def test_rotation_reencrypts_every_secret_and_retires_the_old_key(
    tenant_a: Tenant, tenant_b: Tenant, own_keys: Path
) -> None:
    turn_on(tenant_a, provider="notify", notify_api_key=API_KEY)
    other = API_KEY.replace("openproms_test", "another_key___")
    turn_on(tenant_b, provider="notify", notify_api_key=other)
    [old] = encryption.read_keys_file(own_keys)
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "2 stored secret(s) encrypted under the newest key" in out.getvalue()
    [new] = encryption.read_keys_file(own_keys)
    assert new != old
    for tenant, secret in ((tenant_a, API_KEY), (tenant_b, other)):
        token = ReminderSettings.objects.get(
            organisation=tenant.organisation
        ).notify_api_key_encrypted
        assert encryption.decrypt(token) == secret
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())


def test_rotation_with_keys_from_the_environment_explains_the_steps(
    settings: Any,
) -> None:
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="cannot change"):
        call_command("rotate_encryption_key")
    out = io.StringIO()
    call_command("rotate_encryption_key", "--new-key", stdout=out)
    Fernet(out.getvalue().strip().encode())  # a usable key


@pytest.mark.django_db
def test_a_key_encrypted_under_a_lost_key_file_is_said_plainly(
    tenant_a: Tenant, own_keys: Path
) -> None:
    turn_on(tenant_a, provider="notify", notify_api_key=API_KEY)
    agreeing_person(tenant_a)
    encryption.write_keys_file(own_keys, [encryption.new_key()])  # file replaced
    config = services.settings_for(tenant_a.organisation)
    with pytest.raises(ProviderError, match="enter it again") as refused:
        services.provider_for(config)
    assert refused.value.permanent
    services.reminders_plan(organisation=tenant_a.organisation, now=noon())
    reminder = services.reminder_send(reminder=Reminder.objects.get(), now=noon())
    assert reminder.status == Reminder.Status.FAILED
    assert "cannot be read" in reminder.last_error
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(reverse("reminders:reminder_list", kwargs={"org_slug": "alpha"}))
    assert "Set, but it cannot be read with this installation" in visible_text(
        page.content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_a_stored_key_and_keeps_what_was_chosen() -> None:
    executor = MigrationExecutor(connection)
    before = [("reminders", "0002_row_level_security")]
    after = [("reminders", "0003_provider_by_kind_encrypted_key")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    organisations = old_apps.get_model("accounts", "Organisation")
    old_settings = old_apps.get_model("reminders", "ReminderSettings")
    charity = organisations.objects.create(
        name="Old charity", slug="old", kind="charity"
    )
    nhs = organisations.objects.create(
        name="Old trust", slug="trust", kind="gp_practice"
    )
    old_settings.objects.create(
        organisation=charity, provider="notify", notify_api_key=API_KEY
    )
    old_settings.objects.create(organisation=nhs, provider="off")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    assert not any(SECRET_PART in str(value) for row in _raw_rows() for value in row)
    moved = ReminderSettings.objects.get(organisation__slug="old")
    assert moved.enabled and moved.provider == "notify"
    assert moved.provider_reason.startswith("Chosen before")
    assert encryption.decrypt(moved.notify_api_key_encrypted) == API_KEY
    off = ReminderSettings.objects.get(organisation=Organisation.objects.get(pk=nhs.pk))
    assert not off.enabled and off.provider == "notify" and off.provider_reason == ""
