"""The package metadata: the licence pyproject names, in the form setuptools reads
without a deprecation warning, and its full text shipped beside it."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# SHA-256 of the GNU AGPL v3 text as the FSF publishes it today
# (https://www.gnu.org/licenses/agpl-3.0.txt, the edition with https links).
AGPL_3_SHA256 = "8486a10c4393cee1c25392769ddd3b2d6c242d6ec7928e1414efff7dfb2f07ef"


def _project() -> dict:  # type: ignore[type-arg]
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


def test_the_licence_is_an_spdx_string_with_its_file() -> None:
    project = _project()["project"]
    # A TOML table ({ text = ... }) makes setuptools >= 77 print a deprecation
    # banner on every install; an SPDX expression does not.
    assert project["license"] == "AGPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    requires = _project()["build-system"]["requires"]
    assert "setuptools>=77" in requires  # the first to read both fields


def test_the_license_file_is_the_full_agpl_3_text() -> None:
    text = (ROOT / "LICENSE").read_bytes()
    assert text.splitlines()[0].strip() == b"GNU AFFERO GENERAL PUBLIC LICENSE"
    assert b"Version 3, 19 November 2007" in text
    assert hashlib.sha256(text).hexdigest() == AGPL_3_SHA256
