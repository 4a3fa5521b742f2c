"""Rotate the key that encrypts provider secrets stored in the database
(core/encryption.py; docs/deployment.md, "Encryption keys").

With the data folder's key file: a new key goes first in the file (the old ones
stay after it), every stored secret is encrypted again under it, then the old keys
are taken out of the file. A crash part way leaves a file that still reads
everything: run the command again. Stop openproms first: a process still holding
the old keys cannot read what is encrypted under the new one.

With ``OPENPROMS_ENCRYPTION_KEYS``: the command cannot change the variable.
``--new-key`` prints a key to put first in it; after restarting with
"NEW,OLD", ``--reencrypt`` encrypts every stored secret under NEW; then set
the variable to NEW alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openproms.core import encryption


class Command(BaseCommand):
    help = "Encrypt stored provider secrets under a new key and retire the old one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="print a new key (for OPENPROMS_ENCRYPTION_KEYS) and change nothing",
        )
        parser.add_argument(
            "--reencrypt",
            action="store_true",
            help="only encrypt every stored secret again under the first key",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(encryption.new_key())
            return
        if options["reencrypt"]:
            keys = encryption.current_keys()
            self._reencrypt(keys)
            return
        if encryption.keys_from_environment():
            raise CommandError(
                "The keys come from OPENPROMS_ENCRYPTION_KEYS, which this command "
                "cannot change. Run it with --new-key, put the key it prints first "
                "in OPENPROMS_ENCRYPTION_KEYS (NEW,OLD), restart openproms, run it "
                "with --reencrypt, then set OPENPROMS_ENCRYPTION_KEYS to NEW alone."
            )
        path = encryption.keys_file()
        old = encryption.current_keys()
        keys = [encryption.new_key(), *old]
        encryption.write_keys_file(path, keys)
        self._reencrypt(keys)
        # What the old keys read is now under the new one; a value none of them
        # read (said above) is no better off with them kept.
        encryption.write_keys_file(path, keys[:1])
        self.stdout.write(
            self.style.SUCCESS(
                f"The new key is in {path}; the {len(old)} old key(s) are removed. "
                "Restart openproms so every process uses it, and make a new backup: "
                "older backups hold the old key file."
            )
        )

    def _reencrypt(self, keys: list[str]) -> None:
        done, unreadable = encryption.reencrypt(keys)
        self.stdout.write(f"{done} stored secret(s) encrypted under the newest key.")
        if unreadable:
            self.stdout.write(
                f"{unreadable} stored secret(s) could not be read with any key and "
                "were left as they are: enter them again on the reminder settings "
                "page."
            )
