"""Fixtures for the journey tests: the whole demo, signing in as a demo login, and
screenshots of every step.

A journey test follows one role's everyday job from signing in to the end of the
job on the demo data, asserting both what the person sees and what is stored.
Screenshots go to a folder outside the repository (``OPENPROMS_SHOTS_DIR``, by
default ``<temp>/openproms-shots``), one sub-folder per test, so that a person can
look at each step as its user would.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

from openproms.core.demo import DemoContext, run_seeders
from tests.browser.helpers import sign_in_verified
from tests.demo_snapshot import DemoOnce

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

    from openproms.accounts.models import User


def shots_root() -> Path:
    given = os.environ.get("OPENPROMS_SHOTS_DIR")
    return Path(given) if given else Path(tempfile.gettempdir()) / "openproms-shots"


@pytest.fixture(scope="session")
def _demo_once() -> Iterator[DemoOnce]:
    once = DemoOnce(run_seeders)
    yield once
    once.close()


@pytest.fixture
def demo(db: None, _demo_once: DemoOnce) -> DemoContext:
    """The whole demo, as ``openproms start --demo`` makes it: seeded by the first
    journey of the run, then restored from its snapshot for each journey (the same
    rows, ids and files; tests/demo_snapshot.py, decision 0037)."""
    return _demo_once.demo(timezone.localdate())


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``shot(page, "step name")`` saves a full-page screenshot as
    ``<shots>/<test name>/NN-step-name.png`` and returns its path."""
    folder = shots_root() / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 1000))

    def take(page: Page, name: str) -> Path:
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        path = folder / f"{next(counter):02d}-{slug}.png"
        page.wait_for_load_state()
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in_as(
    live_server: LiveServer,
) -> Callable[[Page, str], User]:
    """``sign_in_as(page, "worker@riverside.example")`` starts a fully signed-in
    session for a demo login (the sign-in pages have their own tests)."""
    from openproms.accounts.models import User

    def sign_in(page: Page, email: str) -> User:
        user = User.objects.get(email=email)
        sign_in_verified(page, user, live_server.url)
        return user

    return sign_in
