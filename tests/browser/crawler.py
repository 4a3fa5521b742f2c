"""A crawler for the crawl test: from a signed-in page, follow every same-site link
(GET only) and check each page reached.

For each page it records a :class:`Finding` when:

- the page, or a download it links to, answers with an error status;
- a static file or other same-site request the page makes does not load;
- the visible text holds an internal identifier (see ``tests.text_checks``);
- axe-core finds a violation of a WCAG 2.2 A or AA rule (any impact);
- the page scrolls sideways at 320 CSS px;
- the browser refused something under the Content-Security-Policy (an inline
  script, style or handler, eval, a resource from elsewhere): Chromium reports it
  in the console, and a page broken by the policy must fail the crawl.

Pages are grouped by URL pattern (the resolved URL name and the names of the query
parameters): the first ``per_pattern`` URLs of a pattern are checked in full, later
ones are not visited. That keeps the crawl to the distinct pages of the site, not
every person in the demo.
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit, urlunsplit

from django.urls import Resolver404, resolve

if TYPE_CHECKING:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import ConsoleMessage, Page, Response

# The axe rule tags for WCAG 2.2 level A and AA (axe tags each rule with the
# version and level that introduced it).
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
NARROW_WIDTH = 320
HTML = "text/html"


@dataclass(frozen=True)
class Finding:
    role: str
    url: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.kind} on {self.url}: {self.detail}"


@dataclass
class CrawlResult:
    role: str
    findings: list[Finding] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    downloads: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = (
                self.seconds.get(step, 0.0) + time.perf_counter() - started
            )

    def add(self, url: str, kind: str, detail: str) -> None:
        self.findings.append(Finding(self.role, url, kind, detail))


@functools.cache
def _axe() -> Axe:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def pattern_of(url: str) -> str:
    """The URL's pattern: its resolved name (with the organisation it is in) and its
    query parameters' names."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
        name = match.view_name
        if "org_slug" in match.kwargs:
            name += "@" + match.kwargs["org_slug"]
    except Resolver404:
        name = parts.path
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return name + ("?" + "&".join(keys) if keys else "")


def view_of(url: str) -> str:
    """The view a URL resolves to, whatever the organisation or query."""
    path = urlsplit(url).path
    try:
        return resolve(path).view_name
    except Resolver404:
        return path


def without_empty_parameters(url: str) -> str:
    """A GET form submitted with empty boxes is the page without them."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if v]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def axe_violations(page: Page) -> list[str]:
    from tests.browser.helpers import wait_for_header

    wait_for_header(page)
    results = _axe().run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}}
    )
    lines = []
    for violation in results.response["violations"]:
        targets = "; ".join(
            " ".join(str(part) for part in node["target"])
            for node in violation["nodes"][:4]
        )
        lines.append(
            f"{violation['id']} ({violation.get('impact')}): {violation['help']} -> {targets}"
        )
    return lines


def scroll_width_at(page: Page, width: int) -> int:
    original = page.viewport_size
    page.set_viewport_size({"width": width, "height": 800})
    try:
        with contextlib.suppress(Exception):
            page.wait_for_function(
                "(limit) => document.documentElement.scrollWidth <= limit",
                arg=width,
                timeout=1500,
            )
        return int(page.evaluate("document.documentElement.scrollWidth"))
    finally:
        if original is not None:
            page.set_viewport_size(original)


# Links, and GET forms submitted as they stand (filters, searches): a GET form is a
# way on from a page just as a link is.
LINKS_JS = """() => {
  const found = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const action = new URL(form.getAttribute('action') || location.href, location.href);
    const query = new URLSearchParams(new FormData(form));
    action.search = query.toString();
    found.push(action.href);
  }
  return found;
}"""


def crawl(
    page: Page,
    *,
    role: str,
    base_url: str,
    starts: tuple[str, ...] = ("/",),
    per_pattern: int = 1,
    max_pages: int = 300,
    text_check: Callable[[str], list[str]] | None = None,
    skip: Callable[[str], bool] | None = None,
    axe_done: set[str] | None = None,
) -> CrawlResult:
    """Crawl from ``starts`` as the session in ``page`` and return what was found.

    axe-core is slow (most of a crawl's time), so it runs once per view: pass the
    same ``axe_done`` set to the crawls of several roles and a view axe has checked
    for one role is not checked again for the next. Every other check runs on every
    page of every role."""
    if axe_done is None:
        axe_done = set()
    result = CrawlResult(role)
    origin = urlsplit(base_url)
    seen_urls: set[str] = set()
    per_key: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque(
        (base_url.rstrip("/") + start, "start") for start in starts
    )
    failed: list[str] = []
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if is_csp_violation(message.text):
            refused.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400 and _same_site(response.url, origin):
            failed.append(f"{response.status} {response.url}")

    def on_failed(request: object) -> None:
        url = getattr(request, "url", "")
        failure = str(getattr(request, "failure", "") or "")
        # ERR_ABORTED is the browser cancelling a load because the crawl moved
        # on (a favicon still loading when the next page opens); a missing
        # resource shows as an error status in on_response instead.
        if "ERR_ABORTED" in failure:
            return
        if _same_site(url, origin):
            failed.append(f"failed {url} ({getattr(request, 'failure', '')})")

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("console", on_console)
    try:
        while queue and len(result.visited) < max_pages:
            url, came_from = queue.popleft()
            url = without_empty_parameters(urldefrag(url).url)
            if url in seen_urls or not _same_site(url, origin):
                continue
            seen_urls.add(url)
            if skip is not None and skip(url):
                continue
            key = pattern_of(url)
            if per_key.get(key, 0) >= per_pattern:
                continue
            per_key[key] = per_key.get(key, 0) + 1
            with result.timed("fetch"):
                answer = page.request.get(url)
            if answer.status >= 400:
                result.add(
                    url, "error status", f"{answer.status} (linked from {came_from})"
                )
                continue
            content_type = answer.headers.get("content-type", "")
            if HTML not in content_type:
                result.downloads.append(url)
                continue
            failed.clear()
            refused.clear()
            with result.timed("load"):
                response = page.goto(url)
                page.wait_for_load_state("load")
            result.visited.append(url)
            if response is not None and response.status >= 400:
                result.add(url, "error status", f"{response.status} in the browser")
                continue
            if urlsplit(page.url).path != urlsplit(url).path:
                # Redirected (e.g. to a page already crawled): check where it landed.
                landed = urldefrag(page.url).url
                if landed in seen_urls:
                    continue
                seen_urls.add(landed)
                url = landed
            for line in failed:
                result.add(url, "resource did not load", line)
            if text_check is not None:
                with result.timed("text"):
                    problems = text_check(page.inner_text("body"))
                for problem in problems:
                    result.add(url, "internal identifier", problem)
            view = view_of(url)
            violations = []
            if view not in axe_done:
                axe_done.add(view)
                with result.timed("axe"):
                    violations = axe_violations(page)
            for line in violations:
                result.add(url, "axe (WCAG 2.2 AA)", line)
            with result.timed("narrow"):
                width = scroll_width_at(page, NARROW_WIDTH)
            if width > NARROW_WIDTH:
                result.add(url, "scrolls sideways at 320 px", f"scrollWidth {width}")
            # After the checks, so what scripts do once the page has loaded (charts
            # drawn, htmx swaps) is caught too.
            for line in refused:
                result.add(url, "Content-Security-Policy violation", line)
            for link in page.evaluate(LINKS_JS):
                link = urldefrag(link).url
                if link not in seen_urls and _same_site(link, origin):
                    queue.append((link, url))
    finally:
        page.remove_listener("response", on_response)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("console", on_console)
    return result


def is_csp_violation(console_text: str) -> bool:
    """Chromium's console line for anything the Content-Security-Policy refused
    ("Refused to apply inline style because it violates the following Content
    Security Policy directive: ...", "Refused to evaluate a string as JavaScript
    ...")."""
    return "Content Security Policy" in console_text


def _same_site(url: str, origin: object) -> bool:
    parts = urlsplit(url)
    return (parts.scheme, parts.netloc) == (
        getattr(origin, "scheme", None),
        getattr(origin, "netloc", None),
    )
