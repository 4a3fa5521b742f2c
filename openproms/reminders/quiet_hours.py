"""Quiet hours: the part of each day an organisation sends no messages.

``quiet_from`` 20:00 and ``quiet_until`` 09:00 means nothing from 8 pm until
9 am the next morning; a span inside one day (13:00 to 14:00) works too. Equal
times mean no quiet hours. Times are the organisation's local time.
"""

from __future__ import annotations

import datetime as dt


def is_quiet(moment: dt.time, *, quiet_from: dt.time, quiet_until: dt.time) -> bool:
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= moment < quiet_until
    return moment >= quiet_from or moment < quiet_until


def next_allowed(
    moment: dt.datetime, *, quiet_from: dt.time, quiet_until: dt.time
) -> dt.datetime:
    """``moment`` itself outside quiet hours, else the end of these quiet hours."""
    if not is_quiet(moment.time(), quiet_from=quiet_from, quiet_until=quiet_until):
        return moment
    end = moment.replace(
        hour=quiet_until.hour, minute=quiet_until.minute, second=0, microsecond=0
    )
    if end <= moment:
        end += dt.timedelta(days=1)
    return end
