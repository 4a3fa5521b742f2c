"""Sharing with the GP, on the demo: Wes, a Riverside worker, sends the summary
of a person who agreed to share their results with their GP to Brook Lane
Surgery; Dr Reid at Brook Lane finds it in the practice's GP inbox, matched by
NHS number to the practice's own record of the patient, and accepts it.

What is seen: the person page says what was shared, with whom and when; the
inbox shows the patient and the sending organisation, and the match by name and
reference. What is stored: one share addressed to Brook Lane, accepted and
linked to the practice's record; the sending and the receiving each in their
own organisation's audit log.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from openproms.audit.models import AuditEvent
from openproms.people.models import ServiceUser
from openproms.scoring import default_library
from openproms.sharing.demo import DEMO_NHS_NUMBER
from openproms.sharing.models import GpShare
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

WORKER = "worker@riverside.example"
GP = "gp@brook-lane.example"


def test_a_worker_shares_a_summary_and_the_gp_accepts_it(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    organisations = demo.objects["organisations"]
    riverside, brook_lane = organisations["riverside"], organisations["brook-lane"]
    person = ServiceUser.objects.get(organisation=riverside, nhs_number=DEMO_NHS_NUMBER)
    own = ServiceUser.objects.get(organisation=brook_lane, nhs_number=DEMO_NHS_NUMBER)

    sign_in_as(page, WORKER)
    page.goto(f"/o/{riverside.slug}/people/{person.pk}/")
    page.get_by_role("link", name="Share a summary with their GP").click()
    page.get_by_role(
        "heading", level=1, name="Share a summary with their GP"
    ).wait_for()
    page.get_by_label("Brook Lane Surgery").check()
    shot(page, "choose the practice")
    page.get_by_role("button", name="Send the summary").click()
    expect(page.get_by_text("Summary sent to Brook Lane Surgery.")).to_be_visible()
    shared = page.locator("#gp-shares")
    expect(shared).to_contain_text("summary sent to Brook Lane Surgery by Wes Okafor")
    expect(shared).to_contain_text("waiting for the practice")
    shot(page, "the person page says what was shared")
    share = GpShare.objects.get(organisation=riverside, service_user=person)
    assert share.recipient == brook_lane and share.status == GpShare.Status.SENT

    page.context.clear_cookies()
    sign_in_as(page, GP)
    page.goto(f"/o/{brook_lane.slug}/")
    assert page.locator(f"a[href='/o/{brook_lane.slug}/gp-inbox/']").count() > 0
    page.goto(f"/o/{brook_lane.slug}/gp-inbox/")
    waiting = page.locator("#inbox-waiting")
    expect(waiting).to_contain_text("Riverside Wellbeing Trust")
    shot(page, "the practice's inbox")
    assert internal_ids_in(page.inner_text("body"), default_library()) == []
    waiting.get_by_role("link", name=share.display_name).click()
    expect(page.locator("#record-text")).to_contain_text(
        "Patient-reported outcome measures summary"
    )
    page.get_by_label(f"Accept and add it to the record of {own.display_name}").check()
    shot(page, "the match by NHS number")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Summary accepted")).to_be_visible()
    expect(page.locator("#share-status")).to_contain_text("Accepted by the practice")
    shot(page, "accepted")

    share.refresh_from_db()
    assert share.status == GpShare.Status.ACCEPTED and share.matched_person == own
    assert AuditEvent.objects.filter(
        organisation=riverside, action="gp_share.send"
    ).exists()
    assert set(
        AuditEvent.objects.filter(
            organisation=brook_lane, action__startswith="gp_share."
        ).values_list("action", flat=True)
    ) == {"gp_share.receive", "gp_share.accept"}
