"""Factories for the import URLs."""

from __future__ import annotations

from typing import Any

from openproms.imports.models import ImportJob


def _import(tenant: Any, made: dict[str, Any]) -> ImportJob:
    content = b"Reference,Measure,Date answered,Q1\nR1,GAD-7,04/01/2021,1\n"
    return ImportJob.objects.create(
        organisation=tenant.organisation,
        file_name="old.csv",
        file_hash="0" * 64,
        content=content,
        headers=["Reference", "Measure", "Date answered", "Q1"],
        row_count=1,
    )


FACTORIES = {"import_pk": _import}
