"""Named points where the crash-safety tests stop the server process.

With ``OPENPROMS_CRASH_AT=NAME`` (or ``NAME@N``: the N-th time the point is reached)
in the environment, reaching ``crash_point("NAME")`` writes the file named by
``OPENPROMS_CRASH_MARKER`` and then waits for ever, so a test can kill the process
(SIGKILL) at exactly that point instead of guessing with sleeps. Without the
variable, which is never set outside tests, it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Wait here to be killed when the environment names this point."""
    wanted = os.environ.get("OPENPROMS_CRASH_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] != int(nth or "1"):
        return
    marker = Path(os.environ["OPENPROMS_CRASH_MARKER"])
    marker.write_text(name, encoding="utf-8")
    while True:  # the test kills the process here
        time.sleep(3600)
