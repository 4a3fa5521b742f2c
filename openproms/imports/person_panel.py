"""The person page's part for imported scores (people.person_panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openproms.imports.selectors import imported_scores_for
from openproms.people.models import ServiceUser


def imported_scores_panel(
    request: HttpRequest, person: ServiceUser
) -> dict[str, Any] | None:
    rows = imported_scores_for(person)
    if not rows:
        return None
    return {"template": "imports/_person_imported_scores.html", "rows": rows}
