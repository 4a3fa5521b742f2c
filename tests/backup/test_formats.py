"""The pure parts of a backup: encryption of streams, the manifest and its seal, the
schema check and the unfinished folder (no database)."""

from __future__ import annotations

import io
import json
import os
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openproms.backup.crypto import (
    CHUNK_SIZE,
    Encrypted,
    KeyParams,
    Plain,
    check_passphrase,
)
from openproms.backup.errors import BackupError
from openproms.backup.folders import files_under, is_partial, publish, staging_folder
from openproms.backup.manifest import (
    Manifest,
    StoredFile,
    check_seal,
    is_safe_path,
    manifest_dumps,
    manifest_read,
    pending_migrations,
    schema_problems,
)

PASSPHRASE = "correct horse battery staple"
# A small scrypt cost keeps the tests quick; backups use 2**17 (crypto.SCRYPT_N).
FAST = 2**10


def _encrypted(
    passphrase: str = PASSPHRASE, params: KeyParams | None = None
) -> Encrypted:
    return Encrypted(passphrase, params or KeyParams.new(n=FAST))


ENCRYPTED = _encrypted()


def _frames(stored: bytes) -> list[bytes]:
    frames, offset = [], 0
    while offset < len(stored):
        (length,) = struct.unpack(">I", stored[offset : offset + 4])
        frames.append(stored[offset : offset + 4 + length])
        offset += 4 + length
    return frames


def test_an_encrypted_file_reads_back_the_same_across_chunk_boundaries() -> None:
    codec = _encrypted()
    content = os.urandom(2 * CHUNK_SIZE + 12345)
    stored = io.BytesIO()
    written = codec.write(io.BytesIO(content), stored)
    assert content[:1000] not in stored.getvalue()
    assert written.stored_size == len(stored.getvalue()) > written.size == len(content)
    back = io.BytesIO()
    read = codec.read(io.BytesIO(stored.getvalue()), back)
    assert back.getvalue() == content
    assert read == written


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=3000))
def test_any_content_round_trips_plain_and_encrypted(content: bytes) -> None:
    for codec in (Plain(), ENCRYPTED):
        stored = io.BytesIO()
        written = codec.write(io.BytesIO(content), stored)
        back = io.BytesIO()
        assert codec.read(io.BytesIO(stored.getvalue()), back) == written
        assert back.getvalue() == content


def test_reordered_or_missing_frames_change_the_content_checksum() -> None:
    codec = _encrypted()
    content = os.urandom(3 * CHUNK_SIZE)
    stored = io.BytesIO()
    written = codec.write(io.BytesIO(content), stored)
    first, second, third = _frames(stored.getvalue())
    for changed in (first + third + second, first + second):
        read = codec.read(io.BytesIO(changed), io.BytesIO())
        assert read.sha256 != written.sha256


def test_a_changed_byte_or_a_cut_frame_in_an_encrypted_file_is_refused() -> None:
    codec = _encrypted()
    stored = io.BytesIO()
    codec.write(io.BytesIO(b"special category data" * 100), stored)
    data = bytearray(stored.getvalue())
    data[40] ^= 1
    with pytest.raises(BackupError, match="changed after the backup"):
        codec.read(io.BytesIO(bytes(data)), io.BytesIO())
    with pytest.raises(BackupError, match="part-way"):
        codec.read(io.BytesIO(stored.getvalue()[:-5]), io.BytesIO())


def test_a_wrong_passphrase_is_named_as_such() -> None:
    params = KeyParams.new(n=FAST)
    seal = _encrypted(params=params).seal("abc")
    assert _encrypted(params=params).check_seal(seal, "abc")
    assert not _encrypted(params=params).check_seal(seal, "abd")
    with pytest.raises(BackupError, match="passphrase is not the one"):
        _encrypted("another passphrase", params).check_seal(seal, "abc")


def test_a_short_passphrase_is_refused_with_its_length() -> None:
    with pytest.raises(BackupError, match="5 characters long; use at least 12"):
        check_passphrase("short")
    check_passphrase(PASSPHRASE)


def test_key_parameters_that_would_exhaust_memory_are_refused() -> None:
    data = KeyParams.new(n=FAST).to_json()
    assert KeyParams.from_json(data).n == FAST
    with pytest.raises(BackupError, match="out of range"):
        KeyParams.from_json({**data, "n": 2**30})
    with pytest.raises(BackupError, match="not one this version"):
        KeyParams.from_json({**data, "scheme": "something-else"})


def _manifest(**changes: object) -> Manifest:
    fields: dict[str, object] = {
        "created_at": "2026-12-06T10:00:00+00:00",
        "openproms_version": "0.1.0",
        "database_vendor": "sqlite",
        "database_version": "3.40.1",
        "database_file": StoredFile("database.sqlite3", 10, "a" * 64),
        "migrations": {"audit": "0003_x", "people": "0001_initial"},
        "row_counts": {"audit_auditevent": 4, "people_serviceuser": 2},
        "files": [StoredFile("files/media/scans/1/page.png", 3, "b" * 64)],
    }
    fields.update(changes)
    return Manifest(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_manifest_reads_back_and_a_changed_one_is_refused(encrypted: bool) -> None:
    params = KeyParams.new(n=FAST)
    codec = _encrypted(params=params) if encrypted else Plain()
    manifest = _manifest(encryption=params if encrypted else None)
    raw = manifest_dumps(manifest, codec)
    back, body, seal = manifest_read(raw)
    assert back == manifest
    check_seal(body, seal, codec)
    document = json.loads(raw)
    document["row_counts"]["people_serviceuser"] = 3
    _, body, seal = manifest_read(json.dumps(document).encode())
    with pytest.raises(BackupError, match="changed after the backup was made"):
        check_seal(body, seal, codec)


def test_a_manifest_without_a_seal_or_from_a_newer_format_is_refused() -> None:
    document = json.loads(manifest_dumps(_manifest(), Plain()))
    del document["seal"]
    with pytest.raises(BackupError, match="no seal"):
        manifest_read(json.dumps(document).encode())
    document["format_version"] = 99
    with pytest.raises(BackupError, match="newer than this openproms"):
        manifest_read(json.dumps(document).encode())
    with pytest.raises(BackupError, match="not readable JSON"):
        manifest_read(b"{not json")


@pytest.mark.parametrize(
    "path", ["../secret_key", "/etc/passwd", "files/../../x", "files//x", "a\\b", ""]
)
def test_a_manifest_naming_a_file_outside_the_backup_is_refused(path: str) -> None:
    assert not is_safe_path(path)
    document = json.loads(manifest_dumps(_manifest(), Plain()))
    document["files"][0]["path"] = path
    with pytest.raises(BackupError, match="outside the backup"):
        manifest_read(json.dumps(document).encode())


def test_a_backup_from_a_newer_schema_names_what_the_code_lacks() -> None:
    code = {"audit": {"0001_initial", "0002_y", "0003_x"}, "people": {"0001_initial"}}
    assert schema_problems({"audit": "0003_x", "people": "0001_initial"}, code) == []
    assert schema_problems({"audit": "0002_y"}, code) == []  # older: migrated later
    assert pending_migrations({"audit": "0002_y", "people": "0001_initial"}, code) == 1
    assert schema_problems({"audit": "0004_z", "ledger": "0001_initial"}, code) == [
        "audit migration 0004_z is not in this openproms",
        "app 'ledger' (migration 0001_initial) is not installed",
    ]


def test_a_backup_folder_is_named_only_when_published(tmp_path: Path) -> None:
    target = tmp_path / "nightly"
    staging = staging_folder(target)
    assert is_partial(staging) and not target.exists()
    assert staging.stat().st_mode & 0o777 == 0o700
    (staging / "manifest.json").write_text("{}")
    publish(staging, target)
    assert (target / "manifest.json").exists() and not staging.exists()
    with pytest.raises(BackupError, match="already exists"):
        staging_folder(target)
    with pytest.raises(BackupError, match="does not exist; create it first"):
        staging_folder(tmp_path / "missing" / "nightly")


def test_files_under_lists_real_files_and_refuses_links(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "one.png").write_bytes(b"1")
    (tmp_path / "two.pdf").write_bytes(b"2")
    assert files_under(tmp_path) == ["a/b/one.png", "two.pdf"]
    assert files_under(tmp_path / "absent") == []
    (tmp_path / "link").symlink_to(tmp_path / "two.pdf")
    with pytest.raises(BackupError, match="symbolic link"):
        files_under(tmp_path)


def test_a_folder_that_appears_under_the_backups_name_is_left_alone(
    tmp_path: Path,
) -> None:
    target = tmp_path / "nightly"
    staging = staging_folder(target)
    target.mkdir()
    (target / "theirs.txt").write_text("another backup's")
    with pytest.raises(BackupError, match="appeared while the backup was being"):
        publish(staging, target)
    assert (target / "theirs.txt").read_text() == "another backup's"
