"""Minutes to complete in a trial (decision 0033), in a real browser, on the demo.

Riverside is trying the UCLA-3 loneliness questions in a service (the demo's
trial). A person new to the service answers them at home through a
self-completion link: the answering screen records when it was first shown and
the save keeps it. Another person's answers come in on paper, typed in, with no
start time. The manager then opens the trial's review and reads how long the one
timed answer took (too few for a median and middle half) and that one of the
two answers was timed. Each step asserts what the person sees
and what is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openproms.accounts.models import User
from openproms.catalogue.selectors import measure_definition
from openproms.choosing.models import MeasureTrial
from openproms.choosing.selectors import trial_progress
from openproms.choosing.trial_views import duration_words
from openproms.collection import links
from openproms.collection.models import Administration, TimePoint
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from tests.browser.helpers import check_page

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"
WORKER = "worker@riverside.example"


def _newcomer(trial: MeasureTrial, reference: str) -> TimePoint:
    """A person starting support today in the trial's service, and the trial's
    occasion that makes due."""
    person = ServiceUser.objects.create(
        organisation=trial.organisation,
        reference=reference,
        given_name="Robin",
        family_name="Newcomer",
    )
    episode = Episode.objects.create(
        organisation=trial.organisation,
        service_user=person,
        service=trial.service,
        start_date=timezone.localdate(),
    )
    episode_schedule_refresh(episode=episode)
    return TimePoint.objects.get(episode=episode, rule__plan=trial.plan)


def test_the_manager_reads_minutes_to_complete_after_a_person_answers_at_home(
    page: Page,
    new_page: Callable[[], Page],
    demo: object,
    sign_in_as: Callable[[Page, str], object],
    shot: Callable[[Page, str], Path],
) -> None:
    trial = MeasureTrial.objects.get(organisation__slug="riverside", measure_id="ucla3")
    definition = measure_definition(
        organisation=trial.organisation, measure_id=trial.measure_id
    )
    worker = User.objects.get(email=WORKER)

    # -- A paper form typed in for one person: answers with no start time.
    on_paper = _newcomer(trial, "TRIAL-PAPER")
    administration_submit(
        organisation=trial.organisation,
        service_user=on_paper.episode.service_user,
        measure=definition,
        answers=dict.fromkeys(definition.item_ids, 2),
        mode=Administration.Mode.PAPER_ENTRY,
        submission_id=str(uuid.uuid4()),
        collected_by=worker,
        time_point=on_paper,
    )

    # -- Another answers at home, on their phone, through a self-completion link.
    at_home = _newcomer(trial, "TRIAL-HOME")
    made = links.link_create(
        organisation=trial.organisation,
        service_user=at_home.episode.service_user,
        time_points=[at_home],
        actor=worker,
    )
    phone = new_page()
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.goto(f"/s/{made.token}/")
    phone.wait_for_url("**/s/answer/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(definition.title)
    shot(phone, "person: the questions")
    # Reading and thinking take a little while.
    phone.wait_for_timeout(3000)
    groups = phone.locator("form[data-answer-form] fieldset")
    assert groups.count() == len(definition.items)
    for g in range(groups.count()):
        groups.nth(g).locator("input[type=radio][value='2']").check()
    shot(phone, "person: answered")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_url("**/s/done/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your results")
    shot(phone, "person: their results")

    stored = Administration.objects.get(time_point=at_home)
    assert stored.mode == Administration.Mode.SELF
    assert stored.started_at is not None
    minutes = stored.minutes_to_complete
    assert minutes is not None and 3 / 60 <= minutes < 5
    paper = Administration.objects.get(time_point=on_paper)
    assert paper.started_at is None

    # -- The manager reviews the trial.
    progress = trial_progress(trial, timezone.localdate())
    assert progress.timed == 1 and progress.answered >= 2
    sign_in_as(page, MANAGER)
    page.goto(f"/o/riverside/choosing/trials/{trial.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Trial of {definition.short_name}"
    )
    times = page.locator("#time-to-complete")
    took = duration_words(minutes)
    # One timed answer: no median or middle half to speak of.
    expect(times).to_contain_text(f"The one timed answer took {took}")
    expect(times).not_to_contain_text("middle half")
    expect(times).to_contain_text(f"1 of {progress.answered} answers")
    expect(times).to_contain_text("Days to answer")
    expect(page.locator("main")).to_contain_text(
        "Paper forms typed in or scanned, imported answers and answers sent "
        "through the API have no start time"
    )
    assert dt.timedelta(minutes=minutes) < dt.timedelta(minutes=5)
    times.scroll_into_view_if_needed()
    shot(page, "manager: the trial review")
    check_page(page)
