"""Backup and restore on whichever database the suite runs on (SQLite, or PostgreSQL
when OPENPROMS_DATABASE_URL is set): back up, wipe, restore, and the database's dump
and every file are the same; every refusal leaves the target untouched.

The round trip commits its data (``transaction=True``) because pg_dump reads it
from another connection. The refusals need only the schema, so on PostgreSQL they
run in the suite's usual transaction (emptying the database after a transactional
test takes seconds there); SQLite's backup API cannot copy a database whose
connection holds a write transaction open, so there they commit too. On PostgreSQL each restore goes into a database of its own,
``test_restore_<random>``, dropped at the end: never the suite's test database.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection

from openproms.audit.models import AuditEvent
from openproms.audit.services import log_action
from openproms.backup.crypto import CHUNK_SIZE, Plain
from openproms.backup.databases import Postgres, find_pg_tool
from openproms.backup.errors import BackupError
from openproms.backup.folders import files_under
from openproms.backup.manifest import manifest_dumps, manifest_read
from openproms.backup.services import (
    DataFolder,
    backup_create,
    backup_read,
    backup_restore,
    restored_summary,
)
from tests.conftest import Tenant

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
refusal = pytest.mark.django_db(transaction=not ON_POSTGRESQL)
PASSPHRASE = "correct horse battery staple"
FAST = 2**10  # scrypt cost for tests; backups use 2**17
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Target:
    """An empty installation to restore into."""

    folder: DataFolder
    database: dict[str, Any]


def _fill_data_folder(root: Path) -> DataFolder:
    folder = DataFolder(root, root / "media")
    scans = folder.media_root / "scans" / "1" / "2"
    scans.mkdir(parents=True)
    (scans / "page-1.png").write_bytes(os.urandom(2 * CHUNK_SIZE + 99))
    (scans / "page-2.png").write_bytes(b"")
    (folder.media_root / "printed" / "form.pdf").parent.mkdir(parents=True)
    (folder.media_root / "printed" / "form.pdf").write_bytes(b"%PDF-1.7 small")
    (root / "secret_key").write_text("a-generated-secret-key")
    (root / "encryption_keys").write_text(Fernet.generate_key().decode() + "\n")
    return folder


def _tree_checksums(folder: DataFolder) -> dict[str, str]:
    sums = {
        f"media/{rel}": hashlib.sha256(
            (folder.media_root / rel).read_bytes()
        ).hexdigest()
        for rel in files_under(folder.media_root)
    }
    for name in ("secret_key", "encryption_keys"):
        sums[name] = hashlib.sha256((folder.data_dir / name).read_bytes()).hexdigest()
    return sums


def _pg_plain_dump(database: dict[str, Any]) -> list[str]:
    """pg_dump --format=plain with stable options, less its per-run random
    \\restrict key lines."""
    postgres = Postgres(database)
    with postgres.connect() as db:
        tool = find_pg_tool("pg_dump", postgres.server_major(db))
    text = subprocess.run(
        [
            tool,
            "--format=plain",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            "--enable-row-security",
        ],
        env=postgres.environment(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [
        line
        for line in text.splitlines()
        if not line.startswith(("\\restrict", "\\unrestrict"))
    ]


def _dump_of_suite_database() -> list[str]:
    if connection.vendor == "postgresql":
        return _pg_plain_dump(dict(connection.settings_dict))
    connection.ensure_connection()
    return list(connection.connection.iterdump())


def _dump_of(target: Target) -> list[str]:
    if connection.vendor == "postgresql":
        return _pg_plain_dump(target.database)
    with closing(sqlite3.connect(target.database["NAME"])) as db:
        return list(db.iterdump())


def _target_is_empty(target: Target) -> bool:
    if files_under(target.folder.media_root):
        return False
    if connection.vendor == "postgresql":
        return Postgres(target.database).object_count() == 0
    return not Path(target.database["NAME"]).exists()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    folder = DataFolder(tmp_path / "restored", tmp_path / "restored" / "media")
    folder.data_dir.mkdir()
    if connection.vendor != "postgresql":
        yield Target(
            folder,
            {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(folder.data_dir / "openproms.sqlite3"),
            },
        )
        return
    name = f"test_restore_{secrets.token_hex(4)}"
    server = Postgres({**connection.settings_dict, "NAME": "postgres"})
    with server.connect() as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(folder, {**connection.settings_dict, "NAME": name})
    finally:
        with server.connect() as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def source(tmp_path: Path, tenant_a: Tenant) -> DataFolder:
    """A data folder with uploads and a database with an organisation, its people
    and audit events, all committed."""
    log_action(
        action="service.create",
        actor=tenant_a.members["manager"].user,
        organisation=tenant_a.organisation,
        obj=tenant_a.service,
        detail={"name": "Talking therapies", "note": "quotes ' and \" and ünïcode"},
    )
    return _fill_data_folder(tmp_path / "source")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_backup_wipe_restore_gives_the_same_database_and_files(
    tmp_path: Path, source: DataFolder, target: Target, encrypted: bool
) -> None:
    manifest = backup_create(
        to=tmp_path / "backup",
        passphrase=PASSPHRASE if encrypted else None,
        actor_label="test",
        folder=source,
        kdf_n=FAST,
    )
    dump_before = _dump_of_suite_database()
    files_before = _tree_checksums(source)
    assert sorted(os.listdir(tmp_path)) == ["backup", "restored", "source"]
    assert manifest.row_counts["audit_auditevent"] == AuditEvent.objects.count()
    assert manifest.row_counts["accounts_membership"] == 5
    stored = (tmp_path / "backup" / "files/media/scans/1/2/page-1.png").read_bytes()
    original = (source.media_root / "scans/1/2/page-1.png").read_bytes()
    assert (stored == original) is not encrypted
    # The key file that encrypts provider secrets goes with the database, under
    # the passphrase when there is one (decision 0035).
    keys = (source.data_dir / "encryption_keys").read_text().split()
    token = Fernet(keys[0].encode()).encrypt(b"a Notify API key")
    stored_keys = (tmp_path / "backup" / "files/encryption_keys").read_bytes()
    assert (keys[0].encode() in stored_keys) is not encrypted

    # Wipe: the uploads go; the restore goes into an empty folder and database.
    for rel in files_under(source.media_root):
        (source.media_root / rel).unlink()
    restored = backup_restore(
        source=tmp_path / "backup",
        passphrase=PASSPHRASE if encrypted else None,
        database_settings=target.database,
        folder=target.folder,
    )

    assert restored.pending_migrations == 0
    assert _dump_of(target) == dump_before
    # The backup holds the audit event of its own making.
    event = AuditEvent.objects.get(action="backup.create")
    assert event.actor_label == "test"
    assert event.detail == {
        "folder": str(tmp_path / "backup"),
        "encrypted": encrypted,
        "database": connection.vendor,
    }
    assert any("backup.create" in line for line in dump_before)
    assert _tree_checksums(target.folder) == files_before
    assert len(files_before) == 5
    restored_keys = (target.folder.data_dir / "encryption_keys").read_text().split()
    assert Fernet(restored_keys[0].encode()).decrypt(token) == b"a Notify API key"
    assert "no encryption_keys file" not in restored_summary(restored)


@pytest.mark.django_db(transaction=True)
def test_a_restore_without_the_key_file_says_what_to_do_about_stored_keys(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    (source.data_dir / "encryption_keys").unlink()
    backup = _backup(tmp_path, source, passphrase=None)
    restored = backup_restore(
        source=backup,
        passphrase=None,
        database_settings=target.database,
        folder=target.folder,
    )
    summary = restored_summary(restored)
    assert "The backup holds no encryption_keys file." in summary
    assert "OPENPROMS_ENCRYPTION_KEYS" in summary


@refusal
def test_a_failed_backup_leaves_no_folder_and_is_audited(
    tmp_path: Path, source: DataFolder
) -> None:
    (source.media_root / "link").symlink_to(source.data_dir / "secret_key")
    with pytest.raises(BackupError, match="symbolic link"):
        backup_create(
            to=tmp_path / "b", passphrase=None, actor_label="ops", folder=source
        )
    assert os.listdir(tmp_path) == ["source"]  # no backup, no partial folder
    failed = AuditEvent.objects.get(action="backup.failed")
    assert "symbolic link" in failed.detail["reason"]


def _backup(tmp_path: Path, source: DataFolder, **options: Any) -> Path:
    backup_create(to=tmp_path / "backup", actor_label="test", folder=source, **options)
    return tmp_path / "backup"


def _restore(backup: Path, target: Target, passphrase: str | None = None) -> None:
    backup_restore(
        source=backup,
        passphrase=passphrase,
        database_settings=target.database,
        folder=target.folder,
    )


def _reseal(backup: Path, change: Any) -> None:
    """Change a plain backup's manifest and seal it again (as a newer openproms
    would have written it)."""
    manifest, _, _ = manifest_read((backup / "manifest.json").read_bytes())
    change(manifest)
    (backup / "manifest.json").write_bytes(manifest_dumps(manifest, Plain()))


@refusal
def test_a_backup_from_a_newer_schema_is_refused(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    _reseal(backup, lambda m: m.migrations.update(audit="0099_future_change"))
    with pytest.raises(BackupError) as refused:
        _restore(backup, target)
    assert "newer version of openproms" in str(refused.value)
    assert "audit migration 0099_future_change is not in this openproms" in str(
        refused.value
    )
    assert _target_is_empty(target)


@refusal
def test_a_damaged_file_is_refused_and_nothing_is_restored(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    damaged = backup / "files/media/scans/1/2/page-1.png"
    data = bytearray(damaged.read_bytes())
    data[CHUNK_SIZE + 7] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its checksum"):
        _restore(backup, target)
    assert _target_is_empty(target)
    assert os.listdir(target.folder.data_dir) == []


@refusal
def test_a_damaged_database_file_is_refused(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    dump = next(p for p in backup.iterdir() if p.name.startswith("database."))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its checksum"):
        _restore(backup, target)
    assert _target_is_empty(target)


@refusal
def test_a_changed_manifest_missing_or_extra_files_are_refused(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    manifest_path = backup / "manifest.json"
    original = manifest_path.read_bytes()
    document = json.loads(original)
    document["row_counts"]["audit_auditevent"] += 1
    manifest_path.write_text(json.dumps(document))
    with pytest.raises(BackupError, match="was changed after the backup was made"):
        _restore(backup, target)
    manifest_path.write_bytes(original)
    (backup / "files/media/printed/form.pdf").rename(tmp_path / "aside.pdf")
    with pytest.raises(BackupError, match="incomplete: 1 file"):
        _restore(backup, target)
    (tmp_path / "aside.pdf").rename(backup / "files/media/printed/form.pdf")
    (backup / "files/media/extra.pdf").write_bytes(b"slipped in later")
    with pytest.raises(BackupError, match="does not list"):
        _restore(backup, target)
    assert _target_is_empty(target)


@refusal
def test_a_manifest_listing_a_file_that_is_not_a_data_file_is_refused(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    (backup / "files/bin").mkdir()
    (backup / "files/media/printed/form.pdf").rename(backup / "files/bin/form.pdf")

    def move(manifest: Any) -> None:
        entry = next(f for f in manifest.files if f.path.endswith("form.pdf"))
        manifest.files[manifest.files.index(entry)] = replace(
            entry, path="files/bin/form.pdf"
        )

    _reseal(backup, move)
    with pytest.raises(BackupError, match="which is not a data file"):
        _restore(backup, target)
    assert _target_is_empty(target)


@refusal
def test_an_encrypted_backup_needs_its_passphrase(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=PASSPHRASE, kdf_n=FAST)
    with pytest.raises(BackupError, match="This backup is encrypted"):
        _restore(backup, target)
    with pytest.raises(BackupError, match="passphrase is not the one"):
        _restore(backup, target, "not the passphrase at all")
    assert _target_is_empty(target)
    with pytest.raises(BackupError, match="use at least 12"):
        backup_create(
            to=tmp_path / "weak", passphrase="short", actor_label="t", folder=source
        )
    assert not (tmp_path / "weak").exists()


@refusal
def test_restore_refuses_a_target_that_holds_data_and_says_how_to_empty_it(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    _restore(backup, target)
    with pytest.raises(BackupError) as refused:
        _restore(backup, target)
    message = str(refused.value)
    if connection.vendor == "postgresql":
        assert f"database {target.database['NAME']} is not empty" in message
        assert "dropdb" in message and "createdb" in message
    else:
        assert "already holds" in message and "OPENPROMS_DATA_DIR" in message
        assert "mv " in message

    # Uploaded files alone make a data folder non-empty too.
    other = DataFolder(tmp_path / "other", tmp_path / "other" / "media")
    (other.media_root / "scans").mkdir(parents=True)
    (other.media_root / "scans" / "left-over.png").write_bytes(b"x")
    database = target.database
    if connection.vendor != "postgresql":
        database = {**database, "NAME": str(other.data_dir / "openproms.sqlite3")}
        with pytest.raises(BackupError, match="1 uploaded files"):
            _restore(backup, Target(other, database))


@refusal
def test_an_unfinished_backup_is_refused(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    (backup / "manifest.json").unlink()
    with pytest.raises(BackupError, match=r"no manifest\.json"):
        _restore(backup, target)
    partial = tmp_path / ".nightly.partial-1a2b3c4d"
    backup.rename(partial)
    with pytest.raises(BackupError, match="unfinished backup"):
        _restore(partial, target)


@refusal
def test_a_backup_of_one_kind_of_database_is_not_restored_into_the_other(
    tmp_path: Path, source: DataFolder, target: Target
) -> None:
    backup = _backup(tmp_path, source, passphrase=None)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    _reseal(backup, lambda m: setattr(m, "database_vendor", other))
    with pytest.raises(BackupError, match=f"backup of a {other} database"):
        _restore(backup, target)


# --------------------------------------------------------------- killed mid-way


def _subprocess_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENPROMS_")}
    env.update({"OPENPROMS_DATA_DIR": str(data_dir), "OPENPROMS_TESTING": "0"})
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        credentials = quote(s["USER"] or "") + (
            ":" + quote(s["PASSWORD"]) if s.get("PASSWORD") else ""
        )
        env["OPENPROMS_DATABASE_URL"] = (
            f"postgres://{credentials}@{s['HOST'] or 'localhost'}:"
            f"{s['PORT'] or 5432}/{s['NAME']}"
        )
    else:
        connection.ensure_connection()
        with closing(sqlite3.connect(data_dir / "openproms.sqlite3")) as copy:
            connection.connection.backup(copy)
    return env


@pytest.mark.django_db(transaction=True)
def test_a_backup_killed_part_way_never_looks_complete(
    tmp_path: Path, tenant_a: Tenant
) -> None:
    """SIGKILL the backup command at several moments: each time there is either a
    complete backup that checks out, or no backup folder at all and only an
    unfinished one, which restore refuses."""
    data_dir = tmp_path / "data"
    folder = DataFolder(data_dir, data_dir / "media")
    for number in range(300):  # enough files that copying them takes a while
        path = folder.media_root / "scans" / str(number % 7) / f"page-{number}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(64 * 1024))
    env = _subprocess_env(data_dir)
    killed_part_way = 0
    for trial, delay in enumerate([0.0, 0.1, 0.5, 30.0]):
        to = tmp_path / f"backup-{trial}"
        process = subprocess.Popen(
            [sys.executable, "-m", "openproms.cli", "backup", "--to", str(to)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if any(f".backup-{trial}.partial-" in p.name for p in tmp_path.iterdir()):
                break
            time.sleep(0.005)
        time.sleep(delay if delay < 30 else 0)
        if delay < 30:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)
        partial = [
            p for p in tmp_path.iterdir() if f".backup-{trial}.partial-" in p.name
        ]
        if to.exists():
            assert not partial
            manifest, _ = backup_read(to, None)  # complete: every file as listed
            assert len(manifest.files) == 301  # 300 uploads and the secret key
        else:
            assert len(partial) == 1
            killed_part_way += 1
            with pytest.raises(BackupError, match="unfinished backup"):
                backup_read(partial[0], None)
    assert killed_part_way >= 1
    assert (tmp_path / "backup-3" / "manifest.json").exists()  # the one not killed
