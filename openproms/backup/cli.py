"""``openproms backup --to DIR`` and ``openproms restore DIR``.

A passphrase is never taken on the command line (it would show in the process list
and the shell's history): it comes from an environment variable named with
``--passphrase-env``, or is typed at a terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path
from typing import Any

from openproms.backup.errors import BackupError
from openproms.backup.folders import unfinished_beside


def add_commands(commands: Any) -> None:
    """Add ``backup`` and ``restore`` to the ``openproms`` command's subparsers."""
    backup = commands.add_parser(
        "backup",
        allow_abbrev=False,  # "--passphrase" must not pass for "--passphrase-env"
        help="back up the database and uploaded files into a new folder",
        description=(
            "Write the database, every uploaded file and manifest.json (row counts, "
            "migrations, checksums) into a new folder DIR. The folder gets its name "
            "only when the backup is complete."
        ),
    )
    backup.add_argument("--to", required=True, type=Path, metavar="DIR")
    secret = backup.add_mutually_exclusive_group()
    secret.add_argument(
        "--passphrase-env",
        metavar="NAME",
        help="encrypt with the passphrase held in the environment variable NAME",
    )
    secret.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt with a passphrase typed at the terminal (asked twice)",
    )
    restore = commands.add_parser(
        "restore",
        allow_abbrev=False,
        help="restore a backup into an empty data folder and database",
        description=(
            "Check a backup made by `openproms backup` (manifest, checksums, schema "
            "version) and restore it into an empty data folder and database."
        ),
    )
    restore.add_argument("source", type=Path, metavar="DIR")
    restore.add_argument(
        "--passphrase-env",
        metavar="NAME",
        help="the passphrase of an encrypted backup is in the environment variable "
        "NAME (otherwise it is asked for at the terminal)",
    )


def _from_environment(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        # Perhaps the passphrase itself: never echo it.
        raise BackupError(
            "--passphrase-env takes the name of an environment variable that holds "
            "the passphrase (letters, digits and _), not the passphrase itself."
        )
    value = os.environ.get(name, "")
    if not value:
        raise BackupError(
            f"The environment variable {name} is not set; it should hold the "
            "passphrase."
        )
    return value


def _typed(*, twice: bool) -> str:
    if not sys.stdin.isatty():
        raise BackupError(
            "A passphrase is needed and there is no terminal to type it at: use "
            "--passphrase-env NAME."
        )
    first = getpass.getpass("Passphrase: ")
    if twice and getpass.getpass("The same passphrase again: ") != first:
        raise BackupError("The two passphrases differ; nothing was written.")
    return first


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _say(message: str) -> None:
    print(message, flush=True)


def backup(args: argparse.Namespace) -> int:
    from openproms.backup.services import backup_create

    try:
        passphrase = None
        if args.passphrase_env:
            passphrase = _from_environment(args.passphrase_env)
        elif args.encrypt:
            passphrase = _typed(twice=True)
        manifest = backup_create(
            to=args.to,
            passphrase=passphrase,
            actor_label=f"openproms backup (command line, {_operator()})",
            say=_say,
        )
    except BackupError as error:
        print(f"openproms backup: {error}", file=sys.stderr)
        return 1
    rows = sum(manifest.row_counts.values())
    print(
        f"Backed up {len(manifest.row_counts)} tables ({rows:,} rows) and "
        f"{len(manifest.files)} files into {args.to.absolute()}"
        + (" (encrypted)." if manifest.encryption else ".")
    )
    if manifest.files_vanished:
        print(
            f"{len(manifest.files_vanished)} file(s) were deleted while the backup "
            "ran and are not in it (listed in its manifest)."
        )
    unfinished = unfinished_beside(args.to)
    if unfinished:
        print(
            f"Unfinished backups from earlier runs that were stopped part-way are in "
            f"{args.to.absolute().parent}: {', '.join(p.name for p in unfinished)}. "
            "They cannot be restored; delete them to free the space."
        )
    return 0


def restore(args: argparse.Namespace) -> int:
    from openproms.backup.services import (
        backup_is_encrypted,
        backup_restore,
        restored_summary,
    )

    try:
        passphrase = None
        if args.passphrase_env:
            passphrase = _from_environment(args.passphrase_env)
        elif backup_is_encrypted(args.source):
            passphrase = _typed(twice=False)
        restored = backup_restore(source=args.source, passphrase=passphrase, say=_say)
    except BackupError as error:
        print(f"openproms restore: {error}", file=sys.stderr)
        return 1
    print(restored_summary(restored))
    return 0
