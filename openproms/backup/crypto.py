"""Copying a backup's files, encrypted with a passphrase or not, and checksumming them.

Encryption uses ``cryptography``'s Fernet (AES-128-CBC with an HMAC-SHA256 tag; the
package is maintained by the Python Cryptographic Authority) with a key derived from
the passphrase by scrypt (n = 2**17, r = 8, p = 1: about 128 MiB and a second of
work per guess; RFC 7914). Decision 0020 says why.

Fernet encrypts a message held in memory, so a file is encrypted in chunks: the
stored file is a sequence of frames, each a 4-byte big-endian length and one Fernet
token of at most ``CHUNK_SIZE`` bytes of the file. Every token is authenticated on
its own; that the frames are all there and in order is checked by the SHA-256 of
the whole plaintext, which the manifest records and which is sealed with the same
key (manifest.py).
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from openproms.backup.errors import BackupError

SCHEME = "fernet-chunks-scrypt-v1"
SCRYPT_N = 2**17
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
CHUNK_SIZE = 1 << 20
# A Fernet token of CHUNK_SIZE bytes is about 1.4 MB; a longer frame is damage.
MAX_FRAME = 2 * CHUNK_SIZE
MIN_PASSPHRASE_LENGTH = 12
_FRAME_HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class Stored:
    """What one copy saw: the content's size and SHA-256 and, when the stored bytes
    differ from the content (encrypted), the stored file's own."""

    size: int
    sha256: str
    stored_size: int
    stored_sha256: str


class Codec(Protocol):
    """Writes a file's content into a backup and reads it back out."""

    encrypted: bool

    def write(self, source: BinaryIO, target: BinaryIO) -> Stored: ...

    def read(self, source: BinaryIO, target: BinaryIO) -> Stored: ...

    def seal(self, digest: str) -> dict[str, str]: ...

    def check_seal(self, seal: object, digest: str) -> bool: ...


class _Hashing:
    """Counts and hashes what passes through, on both sides of a copy."""

    def __init__(self) -> None:
        self.content = hashlib.sha256()
        self.stored = hashlib.sha256()
        self.size = 0
        self.stored_size = 0

    def saw_content(self, data: bytes) -> None:
        self.content.update(data)
        self.size += len(data)

    def saw_stored(self, data: bytes) -> None:
        self.stored.update(data)
        self.stored_size += len(data)

    def result(self) -> Stored:
        return Stored(
            self.size,
            self.content.hexdigest(),
            self.stored_size,
            self.stored.hexdigest(),
        )


class Plain:
    """Files stored as they are; the manifest's seal is its own SHA-256, which finds
    damage but, having no key, not a deliberate change."""

    encrypted = False

    def write(self, source: BinaryIO, target: BinaryIO) -> Stored:
        hashing = _Hashing()
        while chunk := source.read(CHUNK_SIZE):
            hashing.saw_content(chunk)
            hashing.saw_stored(chunk)
            target.write(chunk)
        return hashing.result()

    read = write

    def seal(self, digest: str) -> dict[str, str]:
        return {"sha256": digest}

    def check_seal(self, seal: object, digest: str) -> bool:
        return isinstance(seal, dict) and seal.get("sha256") == digest


@dataclass(frozen=True)
class KeyParams:
    """The scrypt parameters and salt a backup's key was derived with."""

    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    @classmethod
    def new(cls, n: int = SCRYPT_N) -> KeyParams:
        return cls(salt=os.urandom(SALT_BYTES), n=n)

    def to_json(self) -> dict[str, object]:
        return {
            "scheme": SCHEME,
            "kdf": "scrypt",
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "chunk_size": CHUNK_SIZE,
        }

    @classmethod
    def from_json(cls, data: object) -> KeyParams:
        if not isinstance(data, dict) or data.get("scheme") != SCHEME:
            raise BackupError(
                "The manifest's encryption section is not one this version of "
                f"openproms knows (expected scheme {SCHEME})."
            )
        try:
            salt = base64.b64decode(str(data["salt"]), validate=True)
            n, r, p = (int(data[name]) for name in ("n", "r", "p"))
        except (KeyError, ValueError, TypeError) as error:
            raise BackupError(
                f"The manifest's encryption section is damaged ({error})."
            ) from error
        # Refuse parameters that would make deriving the key take all the memory.
        if not (2**10 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and p == 1):
            raise BackupError(
                "The manifest's encryption parameters are out of range "
                f"(scrypt n={n}, r={r}, p={p})."
            )
        return cls(salt=salt, n=n, r=r, p=p)


def check_passphrase(passphrase: str) -> None:
    """A new backup's passphrase must be long enough to resist guessing."""
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"The passphrase is {len(passphrase)} characters long; use at least "
            f"{MIN_PASSPHRASE_LENGTH} (several unrelated words are easiest to keep)."
        )


class Encrypted:
    """Files stored as Fernet frames under a key derived from a passphrase."""

    encrypted = True

    def __init__(self, passphrase: str, params: KeyParams) -> None:
        self.params = params
        key = Scrypt(
            salt=params.salt, length=32, n=params.n, r=params.r, p=params.p
        ).derive(passphrase.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def write(self, source: BinaryIO, target: BinaryIO) -> Stored:
        hashing = _Hashing()
        while chunk := source.read(CHUNK_SIZE):
            hashing.saw_content(chunk)
            token = self._fernet.encrypt(chunk)
            frame = _FRAME_HEADER.pack(len(token)) + token
            hashing.saw_stored(frame)
            target.write(frame)
        return hashing.result()

    def read(self, source: BinaryIO, target: BinaryIO) -> Stored:
        hashing = _Hashing()
        while header := source.read(_FRAME_HEADER.size):
            if len(header) < _FRAME_HEADER.size:
                raise BackupError("An encrypted file ends part-way through a frame.")
            (length,) = _FRAME_HEADER.unpack(header)
            if length > MAX_FRAME:
                raise BackupError("An encrypted file has a damaged frame length.")
            token = source.read(length)
            if len(token) < length:
                raise BackupError("An encrypted file ends part-way through a frame.")
            hashing.saw_stored(header + token)
            try:
                chunk = self._fernet.decrypt(token)
            except InvalidToken as error:
                raise BackupError(
                    "A file could not be decrypted: it was changed after the backup "
                    "was made."
                ) from error
            hashing.saw_content(chunk)
            target.write(chunk)
        return hashing.result()

    def seal(self, digest: str) -> dict[str, str]:
        return {"fernet": self._fernet.encrypt(digest.encode("ascii")).decode("ascii")}

    def check_seal(self, seal: object, digest: str) -> bool:
        """False for a changed manifest; raises for a wrong passphrase."""
        if not isinstance(seal, dict) or not isinstance(seal.get("fernet"), str):
            return False
        try:
            sealed = self._fernet.decrypt(seal["fernet"].encode("ascii"))
        except InvalidToken as error:
            raise BackupError(
                "The passphrase is not the one this backup was made with (or its "
                "manifest.json was changed)."
            ) from error
        return sealed == digest.encode("ascii")
