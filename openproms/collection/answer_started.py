"""When answering started: the signed moment an answering screen was first shown.

Every answering screen (with a worker, handed over on a worker's device, or
through a self-completion link) carries, beside its submission id, a value
signed with the site's secret key saying when the screen was first shown, for
which submission, measure and time point. It comes back with the answers and,
when its signature holds and it names the same submission, measure and time
point, becomes the administration's ``started_at``: minutes to complete are
then the answers' saving time less it. A form shown again after a mistake
carries its first start on (the value travels in the form). A value that was
changed, is missing, belongs to another form or lies in the future stores no
start time: never a wrong one. Paper, imports and the API have no screen, so
they have no start time (decision 0033).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.utils import timezone

SALT = "openproms.collection.answer_started"


def answer_start_sign(
    *,
    submission_id: str,
    measure_id: str,
    time_point_id: int | None,
    at: dt.datetime | None = None,
) -> str:
    """The signed start of an answering screen shown now (or ``at``)."""
    moment = at if at is not None else timezone.now()
    body = {
        "s": submission_id,
        "m": measure_id,
        "t": time_point_id,
        "at": moment.timestamp(),
    }
    return signing.dumps(body, salt=SALT)


def answer_start_read(
    value: Any,
    *,
    submission_id: str,
    measure_id: str,
    time_point_id: int | None,
    now: dt.datetime | None = None,
) -> dt.datetime | None:
    """When the screen these answers came from was first shown, or None when the
    value is missing, altered, for another submission, measure or time point, or
    later than ``now``."""
    if not isinstance(value, str) or not value:
        return None
    try:
        body = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(body, dict):
        return None
    if (
        body.get("s") != submission_id
        or body.get("m") != measure_id
        or body.get("t") != time_point_id
    ):
        return None
    at = body.get("at")
    if isinstance(at, bool) or not isinstance(at, int | float):
        return None
    try:
        started = dt.datetime.fromtimestamp(at, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    if started > (now if now is not None else timezone.now()):
        return None
    return started
