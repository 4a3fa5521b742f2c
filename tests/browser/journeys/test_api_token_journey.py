"""The organisation admin makes an API token (shown once), another system uses it
with a real HTTP request against the running server, the admin finds the use in
the audit log, and revokes the token, which stops working."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

import pytest

from openproms.api.models import ApiToken
from openproms.audit.models import AuditEvent
from openproms.scoring import default_library
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

ADMIN = "admin@riverside.example"


def _get(url: str, secret: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_the_admin_makes_a_token_sees_its_use_and_revokes_it(
    page, demo, sign_in_as, shot, live_server
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    sign_in_as(page, ADMIN)
    page.goto(f"/o/{riverside.slug}/")
    page.get_by_role("link", name="API tokens for other systems").click()
    page.get_by_role("heading", level=1, name="API tokens").wait_for()

    page.get_by_label("Name").fill("Nightly copy to the data warehouse")
    page.get_by_label("Read only").check()
    expires = dt.date.today() + dt.timedelta(days=90)
    page.get_by_label("Expires on").fill(expires.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Make the token").click()
    page.get_by_role("heading", name="Copy the token").wait_for()
    shot(page, "token made, shown once")
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    token = ApiToken.objects.get(organisation=riverside)
    assert secret.startswith(f"opk-{token.prefix}-")
    assert secret not in token.secret_hash
    assert internal_ids_in(page.inner_text("body"), default_library()) == []

    # Shown once: the page again has only its start.
    page.goto(f"/o/{riverside.slug}/api-tokens/")
    assert secret not in page.content()
    assert f"opk-{token.prefix}" in page.inner_text("body")

    # Another system uses it: a real HTTP request to the running server.
    status, body = _get(f"{live_server.url}/o/{riverside.slug}/api/v1/people", secret)
    assert status == 200
    assert body["items"]
    used = AuditEvent.objects.get(organisation=riverside, action="api.use")
    assert used.detail["status"] == 200

    # The admin sees the use in the audit log, in words.
    page.goto(f"/o/{riverside.slug}/audit/")
    page.get_by_label("What was done").select_option(label="API token used")
    page.get_by_role("button", name="Filter").click()
    table = page.get_by_role("region", name="Audit entries")
    text = table.inner_text()
    assert "API token used" in text
    assert f"API token Nightly copy to the data warehouse ({token.prefix})" in text
    shot(page, "the use in the audit log")

    # And revokes it: it stops working at once.
    page.goto(f"/o/{riverside.slug}/api-tokens/")
    page.get_by_role("button", name="Revoke Nightly copy to the data warehouse").click()
    page.get_by_text("revoked: it no longer works").wait_for()
    shot(page, "token revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None
    status, body = _get(f"{live_server.url}/o/{riverside.slug}/api/v1/people", secret)
    assert status == 401
    assert "revoked" in body["detail"]
