"""Every image the vendored NHS.UK stylesheet asks for is served: its url()s are
relative to the stylesheet and name files that are vendored beside it (the
frontend's own build points at /assets/images/..., which is not where the site
serves them)."""

from __future__ import annotations

import posixpath
import re

from django.contrib.staticfiles import finders

CSS = "vendor/nhsuk-frontend/nhsuk-frontend.min.css"
URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def test_every_image_the_nhs_stylesheet_asks_for_is_a_vendored_file():
    path = finders.find(CSS)
    assert path, CSS
    with open(path, encoding="utf-8") as handle:
        css = handle.read()
    wanted = {u for u in URL.findall(css) if not u.startswith("data:")}
    assert "assets/images/nhsuk-icon-cross.svg" in wanted
    for url in sorted(wanted):
        assert not url.startswith("/"), f"{url} is not relative to the stylesheet"
        target = posixpath.normpath(posixpath.join(posixpath.dirname(CSS), url))
        assert finders.find(target), f"{url} (static {target}) is not vendored"
