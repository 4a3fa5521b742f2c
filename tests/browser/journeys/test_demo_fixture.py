"""The journey fixtures work: the demo is seeded in the live database and a demo
login reaches its organisation's home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_demo_worker_reaches_their_home_page(page, demo, sign_in_as, shot):
    sign_in_as(page, "worker@riverside.example")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Riverside Wellbeing Trust"
    )
    assert shot(page, "home").exists()
