"""Shared test fixtures: two organisations, a member of each role in each, a
commissioner, and clients signed in as each of them (two-factor already given)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, TransactionTestCase
from django_otp.plugins.otp_static.models import StaticDevice

from openproms.accounts.models import (
    CommissionerBody,
    CommissionerMembership,
    Membership,
    Organisation,
    Service,
    User,
)
from openproms.accounts.policy import Role

PASSWORD = "correct-horse-battery-staple"
_HASH: dict[str, str] = {}


def password_hash() -> str:
    """Argon2 is slow by design: hash the shared test password once per run."""
    if "h" not in _HASH:
        _HASH["h"] = make_password(PASSWORD)
    return _HASH["h"]


def make_user(email: str, full_name: str = "") -> User:
    return User.objects.create(
        username=email,
        email=email,
        full_name=full_name or email,
        password=password_hash(),
    )


@dataclass
class Tenant:
    organisation: Organisation
    service: Service
    members: dict[str, Membership]


def _tenant(slug: str, name: str) -> Tenant:
    organisation = Organisation.objects.create(name=name, slug=slug)
    service = Service.objects.create(organisation=organisation, name=f"{name} service")
    members = {}
    for role in Role:
        user = make_user(f"{role.value}@{slug}.test", f"{role.label} of {name}")
        members[role.value] = Membership.objects.create(
            user=user, organisation=organisation, role=role
        )
    return Tenant(organisation, service, members)


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return _tenant("alpha", "Alpha Charity")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return _tenant("beta", "Beta Practice")


@pytest.fixture
def commissioner(db: None) -> CommissionerMembership:
    body = CommissionerBody.objects.create(name="North ICB", slug="north-icb")
    user = make_user("funder@north-icb.test", "Funder")
    return CommissionerMembership.objects.create(user=user, body=body)


def verified_client(user: User) -> Client:
    """A client signed in as ``user`` with the second factor already given."""
    client = Client()
    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test device")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session["openproms_login_at"] = time.time()
    session.save()
    return client


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    return verified_client


@contextmanager
def audit_triggers_lifted() -> Iterator[None]:
    """Let a test database be emptied, audit table included, then put the guards back.

    Audit events are append-only in the database itself: SQLite refuses DELETE and
    PostgreSQL TRUNCATE (audit migration 0003), which is how Django's ``flush``
    empties a database after each transactional test (browser tests, backups).
    """
    lifted: list[tuple[BaseDatabaseWrapper, str]] = []
    for connection in connections.all():
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                    " AND name = 'audit_event_no_delete'"
                )
                row = cursor.fetchone()
                if row:
                    cursor.execute("DROP TRIGGER audit_event_no_delete")
                    lifted.append((connection, row[0]))
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_event_no_truncate'"
                )
                if cursor.fetchone():
                    cursor.execute(
                        "ALTER TABLE audit_auditevent"
                        " DISABLE TRIGGER audit_event_no_truncate"
                    )
                    lifted.append(
                        (
                            connection,
                            "ALTER TABLE audit_auditevent"
                            " ENABLE TRIGGER audit_event_no_truncate",
                        )
                    )
    try:
        yield
    finally:
        for connection, sql in lifted:
            with connection.cursor() as cursor:
                cursor.execute(sql)


@pytest.fixture(autouse=True, scope="session")
def _flush_lifts_the_audit_guards() -> Iterator[None]:
    """Transactional tests end with a flush of the whole database (see above)."""
    original = TransactionTestCase._fixture_teardown

    def fixture_teardown(self: TransactionTestCase) -> None:
        with audit_triggers_lifted():
            original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove the temporary data folder the settings made for this test run."""
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    if data_dir.name.startswith("openproms-test-") and data_dir.parent == Path(
        tempfile.gettempdir()
    ):
        shutil.rmtree(data_dir, ignore_errors=True)
