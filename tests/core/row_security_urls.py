"""The site's URLs plus one probe page, for tests/core/test_row_security.py: a page
for one organisation that counts, with raw SQL and no organisation filter, the
rows of every walled table its request can see."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from openproms.accounts.policy import Action
from openproms.core.access import org_view
from openproms.urls import urlpatterns as site

PROBE_ROLE: dict[str, str] = {}


def walled_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_policies WHERE policyname = 'organisation_wall'"
            " ORDER BY tablename"
        )
        return [row[0] for row in cursor.fetchall()]


def visible_counts() -> dict[str, int]:
    """Every walled table's rows as this connection sees them; as the probe role
    when the tests connect as a superuser (who passes every policy)."""
    counts = {}
    with connection.cursor() as cursor:
        role = PROBE_ROLE.get("name")
        if role:
            cursor.execute(f"SET ROLE {role}")
        try:
            for table in walled_tables():
                cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
        finally:
            if role:
                cursor.execute("RESET ROLE")
    return counts


@org_view(Action.ORG_VIEW)
def probe(request: HttpRequest) -> JsonResponse:
    return JsonResponse(visible_counts())


urlpatterns = [
    path("o/<slug:org_slug>/row-security-probe/", probe, name="row_security_probe"),
    *site,
]
