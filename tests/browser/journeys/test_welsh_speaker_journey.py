"""A person whose preferred language is Welsh answers on their self-completion link
(on a phone) and reads everything in Welsh: the page, the life ladder's questions
and answers, their result and their progress; the answers are stored as anyone's.

The person is the demo's Welsh speaker (people/demo_language.py): on the worker's
caseload, with life ladder questions to come and earlier ladder scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import User
from openproms.collection import links
from openproms.collection.models import Administration, TimePoint
from openproms.people.models import ServiceUser
from tests.translations.person_pages import english_left

pytestmark = pytest.mark.browser

LADDER = "openproms_life_ladder"


def _due_ladder(person: ServiceUser) -> TimePoint:
    """Their next life ladder, made due today (windows come and go with the day
    the demo is seeded)."""
    time_point = (
        TimePoint.objects.filter(
            episode__service_user=person,
            measure_id=LADDER,
            status=TimePoint.Status.PENDING,
        )
        .order_by("due_date")
        .first()
    )
    assert time_point is not None
    today = timezone.localdate()
    time_point.due_date = today
    time_point.window_start = today - dt.timedelta(days=3)
    time_point.window_end = today + dt.timedelta(days=7)
    time_point.save()
    return time_point


def test_a_welsh_speaker_answers_and_sees_their_progress_in_welsh(
    page: Page,
    new_page: Callable[[], Page],
    demo: object,
    shot: Callable[[Page, str], Path],
) -> None:
    person = ServiceUser.objects.get(
        organisation__slug="riverside", preferred_language="cy"
    )
    time_point = _due_ladder(person)
    made = links.link_create(
        organisation=person.organisation,
        service_user=person,
        time_points=[time_point],
        actor=User.objects.get(email="worker@riverside.example"),
    )
    before = Administration.objects.filter(service_user=person).count()
    names = (person.organisation.name, person.given_name, person.family_name)

    phone = new_page()
    phone.set_viewport_size({"width": 320, "height": 640})
    phone.goto(f"/s/{made.token}/")
    phone.wait_for_url("**/s/answer/")
    expect(phone.locator("html")).to_have_attribute("lang", "cy")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ysgol bywyd")
    main = phone.locator("main")
    expect(main).to_contain_text("dewiswch ris ar yr ysgol")
    expect(main).to_contain_text("Cartref a thai")
    expect(main).to_contain_text("Mae pethau'n mynd yn dda iawn")
    assert english_left(phone.content(), data=names) == []
    groups = phone.locator("form[data-answer-form] fieldset")
    assert groups.count() == 7
    chosen = {}
    for g in range(groups.count()):
        code = 4 + g % 5
        radio = groups.nth(g).locator(f"input[type=radio][value='{code}']")
        radio.check()
        chosen[(radio.get_attribute("name") or "")[2:]] = code
    shot(phone, "the questions in Welsh")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Anfon fy atebion").click()

    phone.wait_for_url("**/s/done/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Eich canlyniadau")
    expect(main).to_contain_text("Ers i chi ddechrau")
    assert english_left(phone.content(), data=names) == []
    shot(phone, "their result in Welsh")
    phone.get_by_role("button", name="Neidio heibio'r cwestiwn hwn").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Diolch")

    phone.get_by_role("link", name="Gweld fy nghynnydd").click()
    phone.wait_for_url("**/s/done/progress/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Eich cynnydd")
    summary = phone.locator(".app-progress-summary")
    expect(summary).to_contain_text("Beth sydd wedi newid")
    expect(summary).to_contain_text("Efallai nad yw newid bach yn golygu llawer.")
    expect(main).to_contain_text("Eich sgoriau dros amser")
    expect(main).to_contain_text("Hyder a gobaith")
    phone.wait_for_selector(".app-chart__canvas svg")
    assert english_left(phone.content(), data=names) == []
    shot(phone, "their progress in Welsh")

    # -- What is stored: the answers as given, on the time point, by the person.
    made_now = Administration.objects.filter(service_user=person).order_by("id")
    assert made_now.count() == before + 1
    administration = made_now.last()
    assert administration is not None
    assert administration.mode == Administration.Mode.SELF
    assert administration.measure_id == LADDER
    assert administration.answers == chosen
    assert administration.time_point_id == time_point.pk
    time_point.refresh_from_db()
    assert time_point.status == TimePoint.Status.COMPLETED
