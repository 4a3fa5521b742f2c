#!/usr/bin/env python3
"""Run the whole openproms test suite, with the checks CI runs.

Creates .venv and installs openproms with its development tools on first run, then:
ruff (lint and format), mypy --strict on the pure packages, import-linter contracts,
the migrations check, and pytest (unit, database and browser tests) with coverage.
Set OPENPROMS_DATABASE_URL to run against PostgreSQL instead of SQLite. Extra
arguments go to pytest (for example ``-k scoring`` or ``-x``).

Browser tests need Chromium (``sudo apt-get install chromium`` on Debian/Ubuntu, or
set OPENPROMS_CHROMIUM to its path). Outside CI they are skipped, with that message,
when it is missing; in CI (CI=true) a missing Chromium fails the run. The LHC-Forms
checks of the FHIR export (tests/fhir/test_lforms.py) also need npm, which installs
lforms from tests/fhir/lforms/package-lock.json on their first run; the same rule
holds for a missing npm or an unreachable npm registry.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _venv


def step(title: str, command: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n== {title}", flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=_venv.ROOT, env=env)
    if result.returncode != 0:
        print(f"== {title}: FAILED (exit {result.returncode})", flush=True)
        sys.exit(result.returncode)
    print(f"== {title}: ok in {time.monotonic() - started:.0f} s", flush=True)


def chromium() -> str | None:
    for candidate in (
        os.environ.get("OPENPROMS_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def main() -> int:
    python = str(_venv.ensure("dev"))
    bin_dir = _venv.BIN
    env = dict(os.environ)
    found = chromium()
    if found:
        env["OPENPROMS_CHROMIUM"] = found
    else:
        print(
            "Chromium was not found: browser tests will "
            + ("FAIL (CI)." if os.environ.get("CI") else "be skipped.")
            + " Install it with `sudo apt-get install chromium` or set OPENPROMS_CHROMIUM.",
            flush=True,
        )
    if not shutil.which("npm"):
        print(
            "npm was not found: the LHC-Forms tests will "
            + ("FAIL (CI)." if os.environ.get("CI") else "be skipped.")
            + " Install it with `sudo apt-get install nodejs npm`.",
            flush=True,
        )
    database = "PostgreSQL" if os.environ.get("OPENPROMS_DATABASE_URL") else "SQLite"
    step("ruff check", [python, "-m", "ruff", "check", "."])
    step("ruff format --check", [python, "-m", "ruff", "format", "--check", "."])
    step("mypy --strict (pure packages)", [python, "-m", "mypy"])
    step("import-linter contracts", [str(bin_dir / "lint-imports")])
    with tempfile.TemporaryDirectory() as data_dir:
        step(
            "migrations match the models",
            [
                python,
                "-m",
                "openproms.cli",
                "manage",
                "makemigrations",
                "--check",
                "--dry-run",
            ],
            env={**env, "OPENPROMS_DATA_DIR": data_dir},
        )
    step(
        f"pytest on {database}",
        [
            python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "--cov=openproms",
            "--cov-report=term:skip-covered",
            *sys.argv[1:],
        ],
        env=env,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
