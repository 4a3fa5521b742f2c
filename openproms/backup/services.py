"""Making a backup of this installation, and restoring one into an empty one.

``backup_create`` writes the database, the data folder's files and the manifest
into a folder that gets its real name only when everything is on disk.
``backup_restore`` refuses an unfinished, changed or damaged backup, one from a
newer schema, and a target that already holds data; it checks every checksum and,
after restoring, the row count of every table against the manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from openproms import __version__
from openproms.audit.services import log_action
from openproms.backup.crypto import (
    SCRYPT_N,
    Codec,
    Encrypted,
    KeyParams,
    Plain,
    Stored,
    check_passphrase,
)
from openproms.backup.databases import (
    Facts,
    Postgres,
    sqlite_facts,
    sqlite_snapshot,
    sqlite_tables,
)
from openproms.backup.errors import BackupError
from openproms.backup.folders import (
    PARTIAL_MARK,
    files_under,
    fsync_folder,
    is_partial,
    new_file,
    publish,
    staging_folder,
)
from openproms.backup.manifest import (
    FILES_FOLDER,
    MANIFEST_NAME,
    Manifest,
    StoredFile,
    check_seal,
    manifest_dumps,
    manifest_read,
    pending_migrations,
    schema_problems,
)
from openproms.crash_points import crash_point

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
SITE_KEY_FILE = "secret_key"
# The keys that encrypt provider secrets in the database (core/encryption.py): a
# restored database is of no use for them without this file (decision 0035).
ENCRYPTION_KEYS_FILE = "encryption_keys"
KEY_FILES = (SITE_KEY_FILE, ENCRYPTION_KEYS_FILE)
MEDIA = "media"


def _quiet(message: str) -> None:
    """Progress messages go nowhere unless a caller asks for them."""


@dataclass(frozen=True)
class DataFolder:
    """Where an installation keeps its files: the data folder (its generated secret
    key) and the uploaded files (MEDIA_ROOT)."""

    data_dir: Path
    media_root: Path

    @classmethod
    def current(cls) -> DataFolder:
        return cls(Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT))

    def sources(self) -> list[tuple[str, Path]]:
        """Each file to back up: its path in the backup and where it is now."""
        found = [
            (f"{FILES_FOLDER}/{MEDIA}/{rel}", self.media_root / rel)
            for rel in files_under(self.media_root)
        ]
        for name in KEY_FILES:
            key = self.data_dir / name
            if key.is_file():
                found.append((f"{FILES_FOLDER}/{name}", key))
        return found

    def destination(self, path: str) -> Path:
        """Where a file of the backup goes back to (the inverse of ``sources``)."""
        rel = path.removeprefix(f"{FILES_FOLDER}/")
        if rel in KEY_FILES:
            return self.data_dir / rel
        if rel.startswith(f"{MEDIA}/"):
            return self.media_root / rel.removeprefix(f"{MEDIA}/")
        raise BackupError(f"The manifest lists {path}, which is not a data file.")


def code_migrations() -> dict[str, set[str]]:
    """Every migration the installed code has, by app."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    found: dict[str, set[str]] = defaultdict(set)
    for app, name in loader.disk_migrations:
        found[app].add(name)
    return dict(found)


def _vendor(settings_dict: Mapping[str, Any]) -> str:
    engine = str(settings_dict.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


class _Discard:
    def write(self, data: bytes) -> int:
        return len(data)


def _checksum(path: Path) -> Stored:
    with path.open("rb") as source:
        return Plain().write(source, _Discard())  # type: ignore[arg-type]


# ------------------------------------------------------------------------- backup


def backup_create(
    *,
    to: Path,
    passphrase: str | None,
    actor_label: str,
    database: BaseDatabaseWrapper | None = None,
    folder: DataFolder | None = None,
    say: Callable[[str], None] = _quiet,
    kdf_n: int = SCRYPT_N,
) -> Manifest:
    """Back up the database and the data folder's files into the new folder ``to``.

    With a passphrase every stored file is encrypted (crypto.py). The audit event
    ``backup.create`` is written before the database is copied, so the backup
    holds the record of its own making; a failure is audited as ``backup.failed``.
    """
    database = database or connections["default"]
    folder = folder or DataFolder.current()
    vendor = _vendor(database.settings_dict)
    codec: Codec
    if passphrase is None:
        codec = Plain()
    else:
        check_passphrase(passphrase)
        codec = Encrypted(passphrase, KeyParams.new(n=kdf_n))
    to = to.absolute()
    staging = staging_folder(to)
    detail = {"folder": str(to), "encrypted": codec.encrypted, "database": vendor}
    try:
        with transaction.atomic(using=database.alias):
            log_action(action="backup.create", actor_label=actor_label, detail=detail)
        say(f"Copying the {vendor} database ...")
        if vendor == "sqlite":
            database_file, facts = _sqlite_backup(database, staging, codec)
        else:
            database_file, facts = _postgres_backup(database, staging, codec)
        sources = folder.sources()
        say(f"Copying {len(sources)} files from the data folder ...")
        files, vanished = _copy_files(sources, staging, codec)
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            openproms_version=__version__,
            database_vendor=vendor,
            database_version=facts.version,
            database_file=database_file,
            migrations=facts.migrations,
            row_counts=facts.row_counts,
            files=files,
            files_vanished=vanished,
            key_source=_key_source(folder),
            encryption=codec.params if isinstance(codec, Encrypted) else None,
        )
        crash_point("backup.before_manifest")
        # The manifest last: a folder without one was never finished.
        with new_file(staging / MANIFEST_NAME) as handle:
            handle.write(manifest_dumps(manifest, codec))
        publish(staging, to)
    except BaseException as error:
        shutil.rmtree(staging, ignore_errors=True)
        if not isinstance(error, KeyboardInterrupt | SystemExit):
            with (
                contextlib.suppress(Exception),
                transaction.atomic(using=database.alias),
            ):
                log_action(
                    action="backup.failed",
                    actor_label=actor_label,
                    detail={**detail, "reason": str(error)[:500]},
                )
        raise
    return manifest


def _key_source(folder: DataFolder) -> str:
    if os.environ.get("OPENPROMS_SECRET_KEY"):
        return "environment"
    if (folder.data_dir / SITE_KEY_FILE).is_file():
        return "data folder"
    return "none"


def _sqlite_backup(
    database: BaseDatabaseWrapper, staging: Path, codec: Codec
) -> tuple[StoredFile, Facts]:
    if database.in_atomic_block:
        # The backup API would wait for ever for this connection's own write lock.
        raise BackupError("A SQLite backup cannot be made inside a transaction.")
    database.ensure_connection()
    target = staging / SQLITE_FILE
    if not codec.encrypted:
        sqlite_snapshot(database.connection, target)
        target.chmod(0o600)
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())
        facts = sqlite_facts(target)
        return StoredFile.of(SQLITE_FILE, _checksum(target), encrypted=False), facts
    plain = staging / f".{SQLITE_FILE}.plain"
    try:
        sqlite_snapshot(database.connection, plain)
        facts = sqlite_facts(plain)
        with plain.open("rb") as source, new_file(target) as handle:
            stored = codec.write(source, handle)
    finally:
        plain.unlink(missing_ok=True)
    return StoredFile.of(SQLITE_FILE, stored, encrypted=True), facts


def _postgres_backup(
    database: BaseDatabaseWrapper, staging: Path, codec: Codec
) -> tuple[StoredFile, Facts]:
    postgres = Postgres(database.settings_dict, settings.OPENPROMS_PG_BIN)
    with (
        postgres.snapshot() as (db, snapshot, facts),
        new_file(staging / POSTGRES_FILE) as handle,
    ):
        stored = postgres.dump(db, snapshot, lambda out: codec.write(out, handle))
    return StoredFile.of(POSTGRES_FILE, stored, encrypted=codec.encrypted), facts


def _copy_files(
    sources: list[tuple[str, Path]], staging: Path, codec: Codec
) -> tuple[list[StoredFile], list[str]]:
    """Copy each file; one deleted since it was listed (a scan's upload is removed
    once read) is recorded as vanished, not guessed at."""
    files, vanished = [], []
    for path, source in sources:
        try:
            handle = source.open("rb")
        except FileNotFoundError:
            vanished.append(path)
            continue
        with handle, new_file(staging / path) as target:
            stored = codec.write(handle, target)
        files.append(StoredFile.of(path, stored, encrypted=codec.encrypted))
    return files, vanished


# ------------------------------------------------------------------------ restore


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    pending_migrations: int


def backup_is_encrypted(source: Path) -> bool:
    """Whether a backup asks for a passphrase (False when it has no readable
    manifest: restoring it then says what is wrong)."""
    try:
        manifest, _, _ = manifest_read((source / MANIFEST_NAME).read_bytes())
    except (OSError, BackupError):
        return False
    return manifest.encryption is not None


def backup_read(source: Path, passphrase: str | None) -> tuple[Manifest, Codec]:
    """Open a backup folder: refuse an unfinished one, check its manifest's seal
    (and so the passphrase) and that its files are the ones listed."""
    if not source.is_dir():
        raise BackupError(f"{source} is not a folder.")
    if is_partial(source):
        raise BackupError(
            f"{source} is an unfinished backup (the backup stopped before its end); "
            "it cannot be restored. Use a complete backup and delete this folder."
        )
    manifest_path = source / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BackupError(
            f"{source} has no {MANIFEST_NAME}: it is not a complete openproms backup."
        )
    manifest, body, seal = manifest_read(manifest_path.read_bytes())
    codec: Codec
    if manifest.encryption is None:
        codec = Plain()
    elif passphrase is None:
        raise BackupError(
            "This backup is encrypted: give its passphrase (--passphrase-env NAME, "
            "or run restore at a terminal to type it)."
        )
    else:
        codec = Encrypted(passphrase, manifest.encryption)
    check_seal(body, seal, codec)
    listed = {entry.path: entry for entry in manifest.all_files}
    present = set(files_under(source)) - {MANIFEST_NAME}
    missing = sorted(set(listed) - present)
    if missing:
        raise BackupError(
            f"The backup is incomplete: {len(missing)} file(s) listed in its "
            f"manifest are missing (first: {missing[0]})."
        )
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise BackupError(
            f"The backup holds {len(unlisted)} file(s) its manifest does not list "
            f"(first: {unlisted[0]}): it was changed after it was made."
        )
    for path, entry in listed.items():
        size, _ = entry.expected_stored
        if (source / path).stat().st_size != size:
            raise BackupError(
                f"{path} is {(source / path).stat().st_size} bytes; the manifest "
                f"says {size}: the backup is damaged."
            )
    return manifest, codec


def _check_checksum(path: str, entry: StoredFile, stored: Stored) -> None:
    if (stored.size, stored.sha256) != (entry.size, entry.sha256) or (
        stored.stored_size,
        stored.stored_sha256,
    ) != entry.expected_stored:
        raise BackupError(
            f"{path} does not match its checksum in the manifest: the backup is "
            "damaged. Nothing was restored."
        )


def _check_facts(facts: Facts, manifest: Manifest) -> None:
    if facts.migrations != manifest.migrations:
        raise BackupError(
            "The restored database's migrations differ from the manifest's."
        )
    for table in sorted(set(facts.row_counts) | set(manifest.row_counts)):
        found, expected = facts.row_counts.get(table), manifest.row_counts.get(table)
        if found != expected:
            raise BackupError(
                f"The restored table {table} has {found} rows; the manifest says "
                f"{expected}."
            )


def backup_restore(
    *,
    source: Path,
    passphrase: str | None,
    database_settings: Mapping[str, Any] | None = None,
    folder: DataFolder | None = None,
    say: Callable[[str], None] = _quiet,
) -> Restored:
    """Restore the backup in ``source`` into an empty data folder and database.

    Refused, with nothing changed: an unfinished or changed backup, a wrong
    passphrase, a backup from a newer schema or of the other kind of database, a
    target that already holds data, and any file whose checksum does not match.
    """
    settings_dict = database_settings or connections["default"].settings_dict
    folder = folder or DataFolder.current()
    vendor = _vendor(settings_dict)
    manifest, codec = backup_read(source, passphrase)
    problems = schema_problems(manifest.migrations, code_migrations())
    if problems:
        raise BackupError(
            f"This backup is from a newer version of openproms "
            f"({manifest.openproms_version}) than the one installed ({__version__}): "
            + "; ".join(problems)
            + f". Install openproms {manifest.openproms_version} or later, then "
            "restore."
        )
    if manifest.database_vendor != vendor:
        raise BackupError(
            f"This is a backup of a {manifest.database_vendor} database; this "
            f"installation is set up for {vendor} (OPENPROMS_DATABASE_URL). Restore "
            "it into the same kind of database."
        )
    for entry in manifest.files:
        folder.destination(entry.path)  # refuses a file that is not a data file
    postgres = (
        Postgres(settings_dict, settings.OPENPROMS_PG_BIN)
        if vendor == "postgresql"
        else None
    )
    _check_empty(folder, settings_dict, postgres)

    staging = folder.data_dir / f".restore{PARTIAL_MARK}{secrets.token_hex(4)}"
    staging.mkdir(mode=0o700, parents=True)
    sqlite_target = Path(str(settings_dict["NAME"]))
    sqlite_temp = sqlite_target.with_name(sqlite_target.name + ".restoring")
    try:
        say(f"Checking and copying {len(manifest.files)} files ...")
        for entry in manifest.files:
            with (
                (source / entry.path).open("rb") as handle,
                new_file(staging / entry.path) as target,
            ):
                stored = codec.read(handle, target)
            _check_checksum(entry.path, entry, stored)
        say(f"Restoring the {vendor} database ...")
        dump = source / manifest.database_file.path
        if postgres is None:
            sqlite_temp.unlink(missing_ok=True)
            with dump.open("rb") as handle, new_file(sqlite_temp) as target:
                stored = codec.read(handle, target)
            _check_checksum(manifest.database_file.path, manifest.database_file, stored)
            _check_facts(sqlite_facts(sqlite_temp), manifest)
        else:
            # Check the dump before pg_restore commits anything, then restore it.
            with dump.open("rb") as handle:
                stored = codec.read(handle, _Discard())  # type: ignore[arg-type]
            _check_checksum(manifest.database_file.path, manifest.database_file, stored)
            with dump.open("rb") as handle:
                postgres.restore(lambda stdin: codec.read(handle, stdin))
            with postgres.connect() as db:
                try:
                    _check_facts(postgres.facts(db), manifest)
                except BackupError as error:
                    raise BackupError(
                        f"{error} The database {postgres.name} now holds data that "
                        "did not check out: drop and re-create it before trying "
                        "again."
                    ) from error
        _put_files_in_place(staging, folder, manifest)
        if postgres is None:
            os.replace(sqlite_temp, sqlite_target)
            fsync_folder(sqlite_target.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if postgres is None:
            sqlite_temp.unlink(missing_ok=True)
    return Restored(
        manifest, pending_migrations(manifest.migrations, code_migrations())
    )


def _check_empty(
    folder: DataFolder, settings_dict: Mapping[str, Any], postgres: Postgres | None
) -> None:
    if postgres is None:
        path = Path(str(settings_dict["NAME"]))
        tables = sqlite_tables(path)
        if tables:
            raise BackupError(
                f"The database {path} already holds {len(tables)} tables. Restore "
                "only into an empty data folder: set OPENPROMS_DATA_DIR to a new "
                f"folder, or move this one aside (mv {folder.data_dir} "
                f"{folder.data_dir}.old)."
            )
    else:
        objects = postgres.object_count()
        if objects:
            user = postgres.settings.get("USER") or "OWNER"
            raise BackupError(
                f"The PostgreSQL database {postgres.name} is not empty ({objects} "
                "tables, sequences or functions). Restore only into an empty "
                f"database: create one (createdb -O {user} NEWNAME) and point "
                "OPENPROMS_DATABASE_URL at it, or drop and re-create this one "
                f"(dropdb {postgres.name}; createdb -O {user} {postgres.name})."
            )
    uploads = files_under(folder.media_root)
    if uploads:
        raise BackupError(
            f"The data folder already holds {len(uploads)} uploaded files in "
            f"{folder.media_root}. Restore only into an empty data folder: set "
            f"OPENPROMS_DATA_DIR to a new folder, or move this one aside."
        )


def _put_files_in_place(staging: Path, folder: DataFolder, manifest: Manifest) -> None:
    """Move the checked files from the staging folder to where they belong."""
    for entry in manifest.files:
        destination = folder.destination(entry.path)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / entry.path, destination)
    folder.data_dir.mkdir(parents=True, exist_ok=True)
    fsync_folder(folder.data_dir)


def restored_summary(restored: Restored) -> str:
    manifest = restored.manifest
    rows = sum(manifest.row_counts.values())
    lines = [
        f"Restored the backup of {manifest.created_at} (openproms "
        f"{manifest.openproms_version}): {len(manifest.row_counts)} tables, "
        f"{rows:,} rows, {len(manifest.files)} files; every checksum and row count "
        "matches the manifest."
    ]
    if manifest.files_vanished:
        lines.append(
            f"{len(manifest.files_vanished)} file(s) were deleted while the backup "
            "was being made and are not in it (listed in its manifest)."
        )
    if manifest.key_source == "environment":
        lines.append(
            "The backed-up site took its secret key from OPENPROMS_SECRET_KEY: set "
            "the same value here, or self-completion links sent before the backup "
            "will not work."
        )
    elif manifest.key_source == "data folder" and os.environ.get(
        "OPENPROMS_SECRET_KEY"
    ):
        lines.append(
            "The backup's secret key was restored to the data folder, but "
            "OPENPROMS_SECRET_KEY is set and takes precedence: unset it, or "
            "self-completion links sent before the backup will not work."
        )
    carried = {entry.path for entry in manifest.files}
    if f"{FILES_FOLDER}/{ENCRYPTION_KEYS_FILE}" not in carried:
        lines.append(
            "The backup holds no encryption_keys file. If the backed-up site "
            "stored a GOV.UK Notify API key and took its encryption keys from "
            "OPENPROMS_ENCRYPTION_KEYS, set the same value here; otherwise enter "
            "the key again on the reminder settings page."
        )
    if restored.pending_migrations:
        lines.append(
            f"This openproms has {restored.pending_migrations} newer migration(s): "
            "`openproms start` applies them."
        )
    return "\n".join(lines)
