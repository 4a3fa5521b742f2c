#!/usr/bin/env python3
"""Start openproms with the demo data at http://127.0.0.1:8000 (Ctrl+C to stop).

Creates .venv and installs openproms on first run. Extra arguments go to
``openproms start`` (for example ``--port 8080``).
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _venv


def main() -> int:
    python = _venv.ensure()
    command = [str(python), "-m", "openproms.cli", "start", "--demo", *sys.argv[1:]]
    try:
        return subprocess.call(command, cwd=_venv.ROOT)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
