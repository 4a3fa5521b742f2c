"""What a backup holds: ``manifest.json``, written last, and the checks made of it.

The manifest records the openproms version, the database (vendor and its dump file),
the latest applied migration of each app, the number of rows of every table, every
stored file with its size and SHA-256, and the encryption parameters. Its
``seal`` covers everything else in it: the SHA-256 of its canonical JSON (sorted
keys, no spaces), stored as such for a plain backup and as a Fernet token under the
backup's key for an encrypted one, so a changed manifest is found (and, encrypted,
cannot be forged without the passphrase).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from openproms.backup.crypto import Codec, KeyParams, Stored
from openproms.backup.errors import BackupError

FORMAT = "openproms-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILES_FOLDER = "files"


@dataclass(frozen=True)
class StoredFile:
    """One file in the backup, ``path`` relative to the backup folder."""

    path: str
    size: int
    sha256: str
    stored_size: int | None = None
    stored_sha256: str | None = None

    @classmethod
    def of(cls, path: str, stored: Stored, *, encrypted: bool) -> StoredFile:
        if not encrypted:
            return cls(path, stored.size, stored.sha256)
        return cls(
            path, stored.size, stored.sha256, stored.stored_size, stored.stored_sha256
        )

    @property
    def expected_stored(self) -> tuple[int, str]:
        """The size and SHA-256 the file has on disk in the backup."""
        if self.stored_size is None or self.stored_sha256 is None:
            return self.size, self.sha256
        return self.stored_size, self.stored_sha256

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "size": self.size,
            "sha256": self.sha256,
        }
        if self.stored_sha256 is not None:
            data["stored_size"] = self.stored_size
            data["stored_sha256"] = self.stored_sha256
        return data

    @classmethod
    def from_json(cls, data: object, where: str) -> StoredFile:
        if not isinstance(data, dict):
            raise BackupError(f"The manifest's {where} is not a file entry.")
        try:
            entry = cls(
                path=str(data["path"]),
                size=int(data["size"]),
                sha256=str(data["sha256"]),
                stored_size=(
                    int(data["stored_size"]) if "stored_size" in data else None
                ),
                stored_sha256=(
                    str(data["stored_sha256"]) if "stored_sha256" in data else None
                ),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise BackupError(
                f"The manifest's {where} is damaged (missing or bad {error})."
            ) from error
        if not is_safe_path(entry.path):
            raise BackupError(
                f"The manifest names a file outside the backup ({entry.path!r}); "
                "it was changed after the backup was made."
            )
        return entry


@dataclass
class Manifest:
    created_at: str
    openproms_version: str
    database_vendor: str
    database_version: str
    database_file: StoredFile
    migrations: dict[str, str]
    row_counts: dict[str, int]
    files: list[StoredFile] = field(default_factory=list)
    files_vanished: list[str] = field(default_factory=list)
    key_source: str = "none"  # where the site's secret key came from
    encryption: KeyParams | None = None

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "openproms_version": self.openproms_version,
            "database": {
                "vendor": self.database_vendor,
                "version": self.database_version,
                "file": self.database_file.to_json(),
            },
            "migrations": dict(sorted(self.migrations.items())),
            "row_counts": dict(sorted(self.row_counts.items())),
            "files": [entry.to_json() for entry in self.files],
            "files_vanished": list(self.files_vanished),
            "secret_key_from": self.key_source,
            "encryption": self.encryption.to_json() if self.encryption else None,
        }

    @property
    def all_files(self) -> list[StoredFile]:
        return [self.database_file, *self.files]


def _digest(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def manifest_dumps(manifest: Manifest, codec: Codec) -> bytes:
    """The manifest file's bytes: the body, readable, and its seal."""
    body = manifest.body()
    document = {**body, "seal": codec.seal(_digest(body))}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def manifest_read(raw: bytes) -> tuple[Manifest, dict[str, Any], object]:
    """Parse a manifest file; returns the manifest, its body and its seal. Raises
    BackupError naming the first thing wrong. The seal is checked by ``check_seal``
    once the codec (and so the passphrase, if any) is known."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"manifest.json is not readable JSON ({error}).") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("manifest.json is not the manifest of an openproms backup.")
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"This backup's format (version {version}) is newer than this openproms "
            f"({FORMAT_VERSION}) can read: install the openproms version that made "
            f"it ({document.get('openproms_version')}) or later."
        )
    seal = document.pop("seal", None)
    if seal is None:
        raise BackupError("manifest.json has no seal: it is not a complete backup.")
    try:
        database = document["database"]
        manifest = Manifest(
            created_at=str(document["created_at"]),
            openproms_version=str(document["openproms_version"]),
            database_vendor=str(database["vendor"]),
            database_version=str(database.get("version", "")),
            database_file=StoredFile.from_json(database["file"], "database file"),
            migrations={
                str(app): str(name) for app, name in document["migrations"].items()
            },
            row_counts={
                str(table): int(count)
                for table, count in document["row_counts"].items()
            },
            files=[
                StoredFile.from_json(entry, f"file {number}")
                for number, entry in enumerate(document["files"], start=1)
            ],
            files_vanished=[str(path) for path in document.get("files_vanished", [])],
            key_source=str(document.get("secret_key_from", "none")),
            encryption=(
                KeyParams.from_json(document["encryption"])
                if document.get("encryption")
                else None
            ),
        )
    except (KeyError, AttributeError, TypeError, ValueError) as error:
        raise BackupError(
            f"manifest.json is damaged (missing or bad {error})."
        ) from error
    return manifest, document, seal


def check_seal(body: Mapping[str, Any], seal: object, codec: Codec) -> None:
    if not codec.check_seal(seal, _digest(body)):
        raise BackupError(
            "manifest.json was changed after the backup was made (its seal does "
            "not match its content); do not restore from it."
        )


def is_safe_path(path: str) -> bool:
    """A relative path that stays inside the folder it is joined to."""
    pure = PurePosixPath(path)
    return (
        bool(path)
        and "\\" not in path
        and not pure.is_absolute()
        and all(part not in {"", ".", ".."} for part in path.split("/"))
    )


def schema_problems(
    backup_migrations: Mapping[str, str], code_migrations: Mapping[str, set[str]]
) -> list[str]:
    """Why the installed code cannot hold this backup's data, if it cannot.

    A backup is from a newer schema when an app's latest applied migration in it is
    one the code does not have, or an app the code does not have. Older backups are
    fine: ``openproms start`` applies the newer migrations after the restore.
    """
    problems = []
    for app, name in sorted(backup_migrations.items()):
        known = code_migrations.get(app)
        if known is None:
            problems.append(f"app {app!r} (migration {name}) is not installed")
        elif name not in known:
            problems.append(f"{app} migration {name} is not in this openproms")
    return problems


def pending_migrations(
    backup_migrations: Mapping[str, str], code_migrations: Mapping[str, set[str]]
) -> int:
    """How many of the code's migrations are newer than the backup's (by number)."""
    count = 0
    for app, names in code_migrations.items():
        latest = backup_migrations.get(app, "")
        count += sum(1 for name in names if name > latest)
    return count
