"""Which measure the dashboard opens on when none is chosen: the first in its list
that has answers enough to show in the period (as before), not a measure adopted
last week with nothing to show yet that comes first by its name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from openproms.accounts.models import Organisation, Service
from openproms.collection.models import Administration
from openproms.reports.selectors.raw import day_after, day_start

#: Answers a measure needs in the period to open the dashboard (the number of
#: people under which the dashboard's figures carry a caution). Each count stops
#: here, so it is a short index range however many answers there are.
ENOUGH_ANSWERS = 10


def default_measure(
    *,
    organisation: Organisation,
    measure_ids: Sequence[str],
    start: dt.date,
    end: dt.date,
    services: Sequence[Service] | None = None,
    include_pilot: bool = False,
) -> str | None:
    """The first of ``measure_ids`` with at least :data:`ENOUGH_ANSWERS` answers
    completed in the period (both ends included) in the services; failing that,
    the one with the most (ties to the earlier; with no answers at all, the
    first). Answers in pilot plans count only with ``include_pilot``. None when
    there is no measure."""
    answers = Administration.objects.filter(
        organisation=organisation,
        episode__isnull=False,
        completed_at__gte=day_start(start),
        completed_at__lt=day_after(end),
    ).order_by()
    if services:
        answers = answers.filter(episode__service__in=services)
    if not include_pilot:
        answers = answers.filter(is_pilot=False)
    best, most = None, -1
    for measure_id in measure_ids:
        count = answers.filter(measure_id=measure_id)[:ENOUGH_ANSWERS].count()
        if count >= ENOUGH_ANSWERS:
            return measure_id
        if count > most:
            best, most = measure_id, count
    return best
