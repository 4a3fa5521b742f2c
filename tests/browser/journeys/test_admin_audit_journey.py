"""The organisation admin's look at the audit log: what was done, by whom, to what,
in words, filtered by what was done."""

from __future__ import annotations

import re

import pytest

from openproms.audit.labels import ACTION_LABELS
from openproms.audit.models import AuditEvent
from openproms.scoring import default_library
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

ADMIN = "admin@riverside.example"


def test_the_admin_reads_the_audit_log_in_words_and_filters_it(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    sign_in_as(page, ADMIN)
    page.goto(f"/o/{riverside.slug}/audit/")
    page.get_by_role("heading", level=1, name="Audit log").wait_for()
    shot(page, "audit log")
    table = page.get_by_role("region", name="Audit entries")
    text = table.inner_text()
    assert "Time points worked out again" in text
    assert internal_ids_in(page.inner_text("body"), default_library()) == []
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), text

    # Filter by what was done: the choices are words, the rows only that action.
    page.get_by_label("What was done").select_option(
        label=ACTION_LABELS["schedule.refresh"]
    )
    page.get_by_role("button", name="Filter").click()
    shot(page, "one action only")
    rows = table.locator("tbody tr")
    assert rows.count() > 0
    for index in range(rows.count()):
        action = rows.nth(index).locator("td").nth(2).inner_text()
        assert action == "Time points worked out again"
    stored = AuditEvent.objects.filter(
        organisation=riverside, action="schedule.refresh"
    ).count()
    shown = page.get_by_text(re.compile(r"^\d+ entr(y|ies)\.$")).inner_text()
    assert shown.startswith(f"{stored} ")
