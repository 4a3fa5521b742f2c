"""Folders of a backup: written unfinished under a hidden name and renamed at the end.

A backup is written into ``.NAME.partial-XXXX`` beside the folder asked for, with
``manifest.json`` written last; only then is the folder renamed to ``NAME`` (one
``rename``, atomic on one file system). A backup killed part-way therefore leaves
only a ``.partial-`` folder, never one that looks complete, and restore refuses both
a partial folder and a folder without a manifest.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from openproms.backup.errors import BackupError

PARTIAL_MARK = ".partial-"


def is_partial(folder: Path) -> bool:
    return folder.name.startswith(".") and PARTIAL_MARK in folder.name


def unfinished_beside(target: Path) -> list[Path]:
    """Unfinished backups (of any name) in the folder that holds ``target``: left
    by runs that were stopped part-way."""
    parent = target.absolute().parent
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and is_partial(p))


def staging_folder(target: Path) -> Path:
    """Create the unfinished folder for a backup that will become ``target``."""
    if target.exists():
        raise BackupError(
            f"{target} already exists: give a new folder for each backup (for "
            "example one named after the date and time)."
        )
    parent = target.parent
    if not parent.is_dir():
        raise BackupError(f"The folder {parent} does not exist; create it first.")
    staging = parent / f".{target.name}{PARTIAL_MARK}{secrets.token_hex(4)}"
    try:
        staging.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(f"Cannot write in {parent}: {error.strerror}.") from error
    return staging


def fsync_folder(folder: Path) -> None:
    """Make a folder's entries (new names, renames) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(staging: Path, target: Path) -> None:
    """Rename the finished folder to its real name, durably."""
    fsync_folder(staging)
    if target.exists():
        raise BackupError(
            f"{target} appeared while the backup was being written (another backup "
            "to the same folder?); it was left as it is and this backup discarded."
        )
    staging.rename(target)
    fsync_folder(target.parent)


@contextmanager
def new_file(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A new file (never an existing one), flushed to disk when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def files_under(root: Path) -> list[str]:
    """Every regular file under ``root``, as sorted relative POSIX paths. Symbolic
    links are refused: uploads are never links, and following one could copy (or,
    on restore, write) outside the data folder."""
    if not root.exists():
        return []
    found = []
    for folder, subfolders, names in os.walk(root):
        for name in [*names, *subfolders]:
            path = Path(folder) / name
            if path.is_symlink():
                raise BackupError(
                    f"{path} is a symbolic link; the data folder should hold only "
                    "real files. Replace it with the file it points to."
                )
        for name in names:
            found.append((Path(folder) / name).relative_to(root).as_posix())
    return sorted(found)
