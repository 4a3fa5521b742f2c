"""Fixtures for the browser tests: headless Chromium driven by Playwright against
pytest-django's live server.

Playwright's sync API marks an asyncio event loop as running in the test thread for
as long as it is started, which trips Django's "async unsafe" guard when a test then
touches the database. So DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser tests
run, and Playwright and the variable are both package-scoped: they end with the last
browser test. (Set for the whole run, the variable would leak into other tests, such
as the ``check --deploy`` test, whose subprocess rightly warns about it.)
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM_DEFAULT = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MISSING_CHROMIUM = (
    "Browser tests need Chromium: install it with `sudo apt-get install chromium` "
    "(Debian/Ubuntu) or set OPENPROMS_CHROMIUM to its path"
)
# Generous: CI runs the browser tests beside two other test runs on two cores.
TIMEOUT_MS = 30_000
OFF_SITE = re.compile(r"^(?!https?://(localhost|127\.0\.0\.1|\[::1\])[:/])")


def _chromium_path() -> str | None:
    given = os.environ.get("OPENPROMS_CHROMIUM") or CHROMIUM_DEFAULT
    if Path(given).is_file() and os.access(given, os.X_OK):
        return given
    return shutil.which(given) if os.sep not in given else None


@pytest.fixture(scope="package")
def _async_unsafe_allowed() -> Iterator[None]:
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    yield
    if previous is None:
        os.environ.pop(ASYNC_UNSAFE, None)
    else:
        os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed: None) -> Iterator[Browser]:
    """One headless Chromium for all the browser tests."""
    executable = _chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        message = "Browser tests need Playwright: pip install -e '.[dev]'"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _live_database(
    browser: Browser, transactional_db: None, live_server: LiveServer
) -> None:
    """Every browser test talks to the live server, so the data must be committed.
    (The browser comes first so that a missing Chromium skips before any set-up.)"""


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], Page]]:
    """A factory for pages in fresh browser contexts (separate cookies), closed at
    the end of the test."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        # Nothing leaves the machine: the NHS.UK frontend's stylesheet asks for web
        # fonts from assets.nhs.uk, which would make every page load wait on the
        # network (or time out offline). The pages must work without them anyway.
        context.route(OFF_SITE, lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        from tests.browser.helpers import watch_csp

        watch_csp(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    """A page in a fresh browser context, pointed at the live server."""
    return new_page()
