"""Secrets kept in the database (a messaging provider's API key) encrypted at rest
(decision 0035).

Fernet (``cryptography``: AES-128-CBC with an HMAC-SHA256 tag) under a MultiFernet:
the first key encrypts, every key decrypts, so keys can be rotated
(:func:`reencrypt`; ``openproms manage rotate_encryption_key``). The keys come from
``OPENPROMS_ENCRYPTION_KEYS`` (comma separated, newest first) when it is set, else
from the file ``encryption_keys`` in the data folder (one key a line, newest
first), made on first use with owner-only permissions. ``openproms backup`` carries
that file (encrypted under the backup's passphrase when it has one).

A value is stored as its Fernet token and never decrypted except to use it or to
show its last four characters. A token no key here can read is a
:class:`SecretUnreadable` (the key file was lost or replaced): the person is asked
to enter the secret again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import transaction

KEYS_FILE_NAME = "encryption_keys"

# (app label.Model, field name) of every column holding a token, filled by the apps
# that store secrets (their AppConfig.ready), so rotation finds them all.
ENCRYPTED_FIELDS: list[tuple[str, str]] = []


class SecretUnreadable(Exception):
    """A stored token that none of this installation's keys decrypts."""


def register(model_label: str, field: str) -> None:
    if (model_label, field) not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append((model_label, field))


def keys_file() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE_NAME


def keys_from_environment() -> bool:
    return bool(settings.ENCRYPTION_KEYS)


def read_keys_file(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def write_keys_file(path: Path, keys: list[str]) -> None:
    """Replace the key file in one step (a crash leaves the old file or the new
    one), readable only by its owner."""
    partial = path.with_name(f".{path.name}.new")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(f"{key}\n" for key in keys))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def new_key() -> str:
    return Fernet.generate_key().decode()


def current_keys() -> list[str]:
    """This installation's keys, newest first (the file is made when missing)."""
    if keys_from_environment():
        return list(settings.ENCRYPTION_KEYS)
    path = keys_file()
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(new_key() + "\n")
    return read_keys_file(path)


def _fernet(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys or current_keys()])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A stored secret cannot be read with this installation's encryption keys."
        ) from error


def last_four(token: str) -> str | None:
    """The secret's last four characters, for "set, ends ...abcd"; None when it
    cannot be read."""
    try:
        return decrypt(token)[-4:]
    except SecretUnreadable:
        return None


def _stored_tokens(*, lock: bool = False) -> Iterator[tuple[object, str, str]]:
    """(row, field, token) of every non-empty encrypted value, all organisations."""
    for label, field in ENCRYPTED_FIELDS:
        rows = apps.get_model(label).objects.exclude(**{field: ""})
        for row in rows.select_for_update() if lock else rows:
            yield row, field, getattr(row, field)


def reencrypt(keys: list[str]) -> tuple[int, int]:
    """Encrypt every stored secret again under the first of ``keys`` (any of them
    may decrypt it); returns (re-encrypted, unreadable). Unreadable values are
    left as they are. One transaction."""
    fernet = _fernet(keys)
    done = unreadable = 0
    with transaction.atomic():
        for row, field, token in _stored_tokens(lock=True):
            try:
                fresh = fernet.rotate(token.encode()).decode()
            except InvalidToken:
                unreadable += 1
                continue
            setattr(row, field, fresh)
            row.save(update_fields=[field])  # type: ignore[attr-defined]
            done += 1
    return done, unreadable
