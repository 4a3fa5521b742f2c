"""Fixtures of the FHIR tests: LHC-Forms installed from the committed lock file."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

LFORMS_DIR = Path(__file__).resolve().parent / "lforms"
STAMP = LFORMS_DIR / "node_modules" / ".openproms-lock-sha256"
NPM_TIMEOUT_S = 600


def _fail_or_skip(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def lforms_dir() -> Path:
    """tests/fhir/lforms with its node_modules installed by ``npm ci`` (again
    whenever package-lock.json changes). Without npm, or when npm cannot reach the
    registry, the LHC-Forms tests are skipped saying so; in CI they fail. Two test
    runs at once (CI runs SQLite and PostgreSQL side by side) install it one at a
    time: the second waits on a file lock and finds it installed."""
    with (LFORMS_DIR / ".install-lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        return _installed()


def _installed() -> Path:
    lock = (LFORMS_DIR / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()
    main_js = LFORMS_DIR / "node_modules/lforms/dist/lforms/webcomponent/main.js"
    if main_js.is_file() and STAMP.is_file() and STAMP.read_text() == digest:
        return LFORMS_DIR
    npm = shutil.which("npm")
    if npm is None:
        _fail_or_skip(
            "The LHC-Forms tests need npm (Node.js): install it with "
            "`sudo apt-get install nodejs npm`."
        )
    assert npm is not None
    try:
        result = subprocess.run(
            [npm, "ci", "--legacy-peer-deps", "--no-audit", "--no-fund"],
            cwd=LFORMS_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        _fail_or_skip(
            f"`npm ci` in {LFORMS_DIR} did not finish in {NPM_TIMEOUT_S} s: is the npm "
            "registry reachable? The LHC-Forms tests need lforms 40.1.3 from it once."
        )
    if result.returncode != 0 or not main_js.is_file():
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        _fail_or_skip(
            f"`npm ci` in {LFORMS_DIR} failed (exit {result.returncode}); the "
            "LHC-Forms tests need lforms 40.1.3 from the npm registry once, so check "
            "the network. npm said: " + " | ".join(tail)
        )
    STAMP.write_text(digest)
    return LFORMS_DIR
