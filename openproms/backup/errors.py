"""The one error a backup or restore raises for anything a person can put right."""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what is wrong and what
    to do. Nothing has been changed when it is raised (or the message says what was)."""
