"""The journey fixtures work: the demo is seeded in the live database and a demo
login reaches its organisation's home page; what one journey changes in the demo
is gone when the next one starts (the demo is restored from its snapshot for each
journey: tests/demo_snapshot.py; tests/core/test_demo_snapshot.py compares every
row and file with the fresh seed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openproms.accounts.models import Organisation

pytestmark = pytest.mark.browser


def test_a_journey_changes_the_demo(page, demo, sign_in_as, shot):
    # Runs before the next test, which finds the demo as seeded.
    riverside = demo.objects["organisations"]["riverside"]
    Organisation.objects.filter(pk=riverside.pk).update(name="Renamed by a journey")
    sign_in_as(page, "worker@riverside.example")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Renamed by a journey")
    assert shot(page, "home renamed").exists()


def test_a_demo_worker_reaches_their_home_page(page, demo, sign_in_as, shot):
    sign_in_as(page, "worker@riverside.example")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Riverside Wellbeing Trust"
    )
    assert shot(page, "home").exists()
    riverside = demo.objects["organisations"]["riverside"]
    assert Organisation.objects.get(pk=riverside.pk).name == "Riverside Wellbeing Trust"
