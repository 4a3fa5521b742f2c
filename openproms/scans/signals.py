"""Images go with their records: deleting a page (directly, or because its
administration, person or organisation was deleted) deletes its files, and deleting
a file record deletes an upload not yet read.

The files go once the deletion has committed: a deletion rolled back (or killed
part-way) keeps its rows and so must keep their files. Killed between the commit and
the files' removal, they are left with no record naming them, and
``openproms manage recover`` deletes them (decision 0022)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from openproms.scans.models import ScanFile, ScanPage


def _remove_on_commit(files: list[tuple[Storage, str]]) -> None:
    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    if files:
        transaction.on_commit(remove)


@receiver(post_delete, sender=ScanPage)
def _page_files_delete(sender: type[ScanPage], instance: ScanPage, **_: Any) -> None:
    _remove_on_commit(
        [(f.storage, f.name) for f in (instance.image, instance.aligned) if f.name]
    )


@receiver(post_delete, sender=ScanFile)
def _upload_delete(sender: type[ScanFile], instance: ScanFile, **_: Any) -> None:
    if instance.upload.name:
        _remove_on_commit([(instance.upload.storage, instance.upload.name)])
