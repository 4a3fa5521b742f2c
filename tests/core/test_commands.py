"""The ``openproms`` command: start with the demo, the demo seeding, deploy checks."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command

from openproms.accounts.models import (
    CommissionerMembership,
    Membership,
    Organisation,
    User,
)
from openproms.core.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPROMS_")}
    env.update({"OPENPROMS_DATA_DIR": str(tmp_path), "OPENPROMS_TESTING": "0", **extra})
    return env


@pytest.mark.django_db
def test_the_demo_has_two_organisations_a_commissioner_and_every_role(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: a second run adds nothing
    assert Organisation.objects.filter(is_demo=True).count() == 2
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == {"org_admin", "manager", "worker", "data_officer", "viewer"}
    # The ICB's commissioner, and the council's (reports demo: two funders
    # whose contracts overlap on one service).
    assert CommissionerMembership.objects.count() == 2
    assert User.objects.count() == 9
    printed = capsys.readouterr().out
    assert "admin@riverside.example" in printed and DEMO_PASSWORD in printed
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_the_demo_shows_poor_follow_up_and_scans_to_check() -> None:
    import datetime as dt

    from django.utils import timezone

    from openproms.accounts.models import Service
    from openproms.reports.selectors import collection_summary
    from openproms.scans.models import ScanItem, ScanPage

    call_command("seed_demo")
    today = timezone.localdate()
    riverside = Organisation.objects.get(slug="riverside")

    def capture(name: str) -> object:
        service = Service.objects.get(organisation=riverside, name=name)
        return collection_summary(
            organisation=riverside,
            services=[service],
            start=today - dt.timedelta(days=365),
            end=today,
        )["follow_up"]

    assert capture("Peer support groups").low
    assert not capture("Wellbeing course").low
    # Contacts record what happened: none is dated after today, whatever the
    # day of the week the demo is built on (a group meets on Wednesdays).
    from openproms.people.models import Contact

    assert not Contact.objects.filter(date__gt=today).exists()
    assert ScanPage.objects.filter(organisation=riverside, status="saved").exists()
    assert ScanItem.objects.filter(page__organisation=riverside, decided=False).exists()
    assert ScanPage.objects.filter(organisation=riverside, status="unmatched").exists()


@pytest.mark.django_db
def test_demo_code_prints_a_code_only_for_demo_accounts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.core.management.base import CommandError
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("seed_demo")
    capsys.readouterr()
    call_command("demo_code", "admin@riverside.example")
    code = capsys.readouterr().out.strip()
    device = TOTPDevice.objects.get(user__email="admin@riverside.example")
    assert len(code) == 6 and device.verify_token(code)
    Organisation.objects.create(name="Real", slug="real")
    with pytest.raises(CommandError):
        call_command("demo_code", "nobody@example.org")


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        OPENPROMS_HTTPS="1",
        OPENPROMS_SECRET_KEY=secrets.token_urlsafe(64),
        OPENPROMS_ALLOWED_HOSTS="proms.example.org",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openproms.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_secret_key_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="openproms.settings")
    first = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    second = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert first.stdout == second.stdout and len(first.stdout.strip()) > 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_openproms_start_demo_serves_the_site_with_static_files(tmp_path: Path) -> None:
    port = _free_port()
    # The server's output goes to a file: a pipe nobody reads while the test waits
    # fills up and stops the server mid-response.
    log_path = tmp_path / "start.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "openproms.cli", "start", "--demo", "--port", str(port)],
        env=_env(tmp_path),
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log_path.read_text()) from None
                time.sleep(0.5)
        with urllib.request.urlopen(base + "/sign-in/", timeout=5) as response:
            page = response.read().decode()
        assert "Sign in to openproms" in page
        css = page.split('href="/static/vendor/nhsuk-frontend/nhsuk-frontend.min')[
            1
        ].split('"')[0]
        with urllib.request.urlopen(
            f"{base}/static/vendor/nhsuk-frontend/nhsuk-frontend.min{css}", timeout=5
        ) as response:
            assert response.status == 200 and b"nhsuk" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    output = log_path.read_text()
    assert "admin@riverside.example" in output
    assert "background task worker started" in output


@pytest.mark.django_db
def test_create_organisation_makes_it_and_invites_its_first_admin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.core import mail
    from django.core.management.base import CommandError
    from django.test import TestCase

    from openproms.accounts.models import Invitation

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command(
            "create_organisation",
            "--name=Hillside Carers",
            "--slug=hillside",
            "--admin-email=lead@hillside.example",
        )
    invitation = Invitation.objects.get(organisation__slug="hillside")
    assert (
        invitation.role == "org_admin" and invitation.email == "lead@hillside.example"
    )
    assert "/invitations/" in capsys.readouterr().out
    assert mail.outbox[-1].to == ["lead@hillside.example"]
    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "create_organisation",
            "--name=Other",
            "--slug=hillside",
            "--admin-email=a@b.example",
        )
    with pytest.raises(CommandError):
        call_command(
            "create_organisation",
            "--name=Bad",
            "--slug=not a slug",
            "--admin-email=a@b.example",
        )
    assert Organisation.objects.filter(slug="hillside").count() == 1


@pytest.mark.django_db
def test_create_commissioner_adds_a_body_and_its_users() -> None:
    from openproms.accounts.models import CommissionerBody

    call_command(
        "create_commissioner",
        "--name=Eastshire Council",
        "--slug=eastshire",
        "--kind=council",
        "--user-email=funder@eastshire.example",
    )
    body = CommissionerBody.objects.get(slug="eastshire")
    assert body.memberships.get().user.email == "funder@eastshire.example"
