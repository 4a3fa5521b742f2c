"""Images go with their records: deleting a page (directly, or because its
administration, person or organisation was deleted) deletes its files, and deleting
a file record deletes an upload not yet read."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver

from openproms.scans.models import ScanFile, ScanPage


@receiver(post_delete, sender=ScanPage)
def _page_files_delete(sender: type[ScanPage], instance: ScanPage, **_: Any) -> None:
    from openproms.scans.services import page_images_remove

    page_images_remove(instance)


@receiver(post_delete, sender=ScanFile)
def _upload_delete(sender: type[ScanFile], instance: ScanFile, **_: Any) -> None:
    if instance.upload:
        instance.upload.delete(save=False)
