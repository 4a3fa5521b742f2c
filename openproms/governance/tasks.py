"""Background tasks of information governance: the daily retention job."""

from __future__ import annotations

from django_tasks import task

from openproms.governance.retention import retention_apply


@task()
def apply_retention() -> int:
    """The daily job: erase everyone past their organisation's retention period.
    Returns how many people were erased."""
    return retention_apply().total
