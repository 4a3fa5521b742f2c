"""Shared by scripts/demo.py and scripts/test.py: make sure .venv exists and holds
openproms with the requested extras, reinstalling only when pyproject.toml changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def ensure(extras: str = "") -> Path:
    if sys.version_info < (3, 11):
        sys.exit(
            "openproms needs Python 3.11 or newer: run this with python3.11 or later."
        )
    if not python().exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extras}]" if extras else "."
    stamp = VENV / f".openproms-installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        print(
            f"Installing openproms{f' with {extras}' if extras else ''} into .venv ...",
            flush=True,
        )
        subprocess.run(
            [str(python()), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
            check=True,
        )
        subprocess.run(
            [str(python()), "-m", "pip", "install", "--quiet", "-e", spec],
            cwd=ROOT,
            check=True,
        )
        stamp.write_text(digest)
    return python()
