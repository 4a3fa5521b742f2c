"""A full disk while scans are uploaded: a plain message for the data officer, and
no batch, no file record and no file (not even the one cut short) left behind."""

from __future__ import annotations

import errno
import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.scans import services
from openproms.scans.check_services import ScanError
from openproms.scans.models import ScanBatch, ScanFile
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

FULL = "The server's disk is full: nothing was saved; tell your administrator."


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _disk_fills_on_second_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first file is stored; half of the second reaches the disk, then ENOSPC."""
    original = FileSystemStorage._save
    saved: list[str] = []

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        saved.append(name)
        if len(saved) < 2:
            return str(original(self, name, content))
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(FileSystemStorage, "_save", save)


def test_a_full_disk_during_an_upload_says_so_and_keeps_nothing(
    tenant_a: Tenant,
    client_for: Callable[..., Any],
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _disk_fills_on_second_file(monkeypatch)
    client = client_for(tenant_a.members["data_officer"].user)
    response = client.post(
        reverse("scans:batch_list", args=[tenant_a.organisation.slug]),
        {
            "files": [
                SimpleUploadedFile("monday.pdf", b"%PDF-1.4 first pile " * 500),
                SimpleUploadedFile("tuesday.pdf", b"%PDF-1.4 second pile " * 500),
            ]
        },
    )
    assert response.status_code == 400
    assert FULL in html.unescape(response.content.decode())
    assert not ScanBatch.objects.exists() and not ScanFile.objects.exists()
    assert _files_under(media) == []  # the stored file and the half-written one
    assert not AuditEvent.objects.filter(action="scan.upload").exists()


def test_a_full_database_disk_gets_the_same_message(
    tenant_a: Tenant, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(services, "log_action", full)  # the last write of an upload
    with pytest.raises(ScanError, match="disk is full: nothing was saved"):
        services.batch_create(
            membership=tenant_a.members["data_officer"],
            files=[SimpleUploadedFile("monday.pdf", b"%PDF-1.4 pile")],
        )
    assert not ScanBatch.objects.exists() and not ScanFile.objects.exists()
    assert _files_under(media) == []


def test_another_storage_failure_is_named_and_keeps_nothing(
    tenant_a: Tenant, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: FileSystemStorage, name: str, content: Any) -> str:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)

    monkeypatch.setattr(FileSystemStorage, "_save", refused)
    with pytest.raises(ScanError) as refusal:
        services.batch_create(
            membership=tenant_a.members["data_officer"],
            files=[SimpleUploadedFile("monday.pdf", b"%PDF-1.4 pile")],
        )
    assert str(refusal.value) == (
        "The server could not store the files (Permission denied): nothing was "
        "saved; tell your administrator."
    )
    assert not ScanBatch.objects.exists() and _files_under(media) == []
