"""Helpers for the browser tests: accessibility checks, the 320 px reflow check,
signing in, and working out authenticator codes."""

from __future__ import annotations

import base64
import contextlib
import functools
import re
from typing import TYPE_CHECKING

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Page

    from openproms.accounts.models import User

# axe impacts that fail a test; "minor" and "moderate" findings do not.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
NARROW_WIDTH = 320

# A fixed authenticator key (20 bytes, hex as django-otp stores it).
KNOWN_TOTP_KEY = "3132333435363738393031323334353637383930"


@functools.cache
def _axe() -> Axe:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


# The header's script moves menu links into "More" a moment after the page loads or
# is resized, so the menu is read until it is the same twice in a row.
_MENU_SHAPE_JS = """() => Array.from(
    document.querySelectorAll('.nhsuk-header__navigation a, .nhsuk-header__navigation button')
  ).map(el => {
    const box = el.getBoundingClientRect();
    return [el.textContent.trim(), Math.round(box.x), Math.round(box.y)].join(':');
  }).join('|')"""


def wait_for_header(page: Page, attempts: int = 20) -> None:
    """Wait until the header's menu has stopped moving (at most about 2 seconds)."""
    previous = None
    for _ in range(attempts):
        shape = page.evaluate(_MENU_SHAPE_JS)
        if shape == previous:
            return
        previous = shape
        page.wait_for_timeout(100)


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on serious or critical issues."""
    wait_for_header(page)
    results = _axe().run(page)
    blocking = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]
    if blocking:
        lines = [
            f"axe found {len(blocking)} serious or critical problem(s) on {page.url}:"
        ]
        for violation in blocking:
            targets = ", ".join(
                " ".join(str(part) for part in node["target"])
                for node in violation["nodes"]
            )
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} -> {targets}"
            )
        raise AssertionError("\n".join(lines))


def assert_no_horizontal_scroll(
    page: Page, *, reload: bool = True, axe: bool = False
) -> None:
    """At 320 CSS px wide (WCAG 1.4.10 reflow) the page must not scroll sideways.

    ``reload=False`` measures the page as it is, for pages that cannot be loaded
    twice (such as the one-time list of recovery codes). ``axe=True`` also runs axe
    at that width: some problems (a table that scrolls but cannot take keyboard
    focus) only exist on a narrow screen."""
    original = page.viewport_size
    page.set_viewport_size({"width": NARROW_WIDTH, "height": 800})
    try:
        if reload:
            page.reload()
        # Layout settles a moment after a resize or reload on a busy machine, so
        # wait (briefly) for the page to fit before calling it too wide.
        with contextlib.suppress(PlaywrightTimeoutError):
            page.wait_for_function(
                "(limit) => document.documentElement.scrollWidth <= limit",
                arg=NARROW_WIDTH,
                timeout=8000,
            )
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW_WIDTH:
            wide = page.evaluate(
                """(limit) => Array.from(document.querySelectorAll('body *'))
                    .filter(el => el.getBoundingClientRect().right > limit + 0.5)
                    .slice(0, 8)
                    .map(el => el.tagName.toLowerCase()
                        + (el.id ? '#' + el.id : '')
                        + (typeof el.className === 'string' && el.className.trim()
                            ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))""",
                NARROW_WIDTH,
            )
            raise AssertionError(
                f"{page.url} scrolls sideways at {NARROW_WIDTH}px: scrollWidth is {width}. "
                f"Elements reaching past the edge: {wide}"
            )
        if axe:
            assert_accessible(page)
    finally:
        if original is not None:
            page.set_viewport_size(original)


# What the Content-Security-Policy refused on each page since it opened (the
# browser fixture watches every page's console).
_REFUSED: dict[int, list[str]] = {}


def watch_csp(page: Page) -> None:
    """Record every Content-Security-Policy refusal the page reports."""
    from tests.browser.crawler import is_csp_violation

    refused = _REFUSED.setdefault(id(page), [])
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if is_csp_violation(message.text) else None
        ),
    )


def assert_no_csp_violations(page: Page) -> None:
    refused = _REFUSED.get(id(page), [])
    assert not refused, f"The Content-Security-Policy refused: {refused}"


def check_page(page: Page, *, narrow: bool = False, reload: bool = True) -> None:
    """The standard checks for a page: nothing refused by the Content-Security-
    Policy since the page opened, axe at desktop width and, with ``narrow``, the
    320 px reflow check plus axe again at that width."""
    assert_no_csp_violations(page)
    assert_accessible(page)
    if narrow:
        assert_no_horizontal_scroll(page, reload=reload, axe=True)


def known_totp_device(user: User, key: str = KNOWN_TOTP_KEY) -> TOTPDevice:
    """A confirmed authenticator for ``user`` with a key the test knows."""
    return TOTPDevice.objects.create(
        user=user, name="Test phone", key=key, confirmed=True
    )


def totp_code(device: TOTPDevice) -> str:
    """The device's current 6-digit code (use it once: codes cannot be replayed)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(value).zfill(device.digits)


def totp_code_for_secret(secret: str) -> str:
    """The current code for a base32 key as shown on the set-up page."""
    compact = re.sub(r"\s+", "", secret).upper()
    padded = compact + "=" * (-len(compact) % 8)
    return str(totp(base64.b32decode(padded))).zfill(6)


def fill_password_form(page: Page, email: str, password: str = PASSWORD) -> None:
    """Open the sign-in page and submit an email address and password."""
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def enter_security_code(page: Page, code: str) -> None:
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def sign_in(page: Page, user: User, *, device: TOTPDevice | None = None) -> None:
    """Sign in through the pages; with ``device``, also give its current code."""
    fill_password_form(page, user.email)
    if device is not None:
        page.wait_for_url("**/account/two-factor/verify/**")
        enter_security_code(page, totp_code(device))
    page.wait_for_url(lambda url: "/sign-in/" not in url and "/two-factor/" not in url)


def sign_in_verified(page: Page, user: User, base_url: str) -> None:
    """Start a fully signed-in session (two-factor given) without going through the
    sign-in pages, for tests about other pages: the sign-in journey has its own tests."""
    from django.conf import settings

    from tests.conftest import verified_client

    session_key = verified_client(user).cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base_url}]
    )


def open_from_menu(page: Page, name: str) -> None:
    """Follow a link in the organisation menu, opening "More" first when the header
    has moved the link there for lack of room. (The header's script moves links
    a moment after the page loads, so a link seen in the bar may not stay there:
    when it cannot be clicked there, it is in "More".)"""
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name=name, exact=True)
    try:
        link.click(timeout=2000)
    except PlaywrightTimeoutError:
        toggle = menu.get_by_role("button", name="More")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        link.click()
    page.wait_for_load_state()
