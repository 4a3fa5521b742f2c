"""The manager chooses a measure for well-being in carers, compares the suitable
measures side by side, tries one in a service, reviews the trial once people have
answered, and keeps it: in a real browser, on the demo. Each step asserts what the
manager sees and what is stored."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from openproms.accounts.models import Service
from openproms.catalogue.selectors import measure_definition
from openproms.choosing.models import MeasureTrial
from openproms.collection.models import Administration, TimePoint
from openproms.collection.scheduling import episode_schedule_refresh
from openproms.collection.services import administration_submit
from openproms.people.models import Episode, ServiceUser
from openproms.scoring import default_library
from tests.browser.helpers import check_page
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

MANAGER = "manager@riverside.example"


def _seed_trial_answers(trial: MeasureTrial, people: int = 6) -> None:
    """People in the service answer the trial's occasions (through the one path
    every answer takes)."""
    definition = measure_definition(
        organisation=trial.organisation, measure_id=trial.measure_id
    )
    today = timezone.localdate()
    for i in range(people):
        person = ServiceUser.objects.create(
            organisation=trial.organisation, reference=f"TRIAL-{i}"
        )
        episode = Episode.objects.create(
            organisation=trial.organisation,
            service_user=person,
            service=trial.service,
            start_date=today - dt.timedelta(days=1),
        )
        episode_schedule_refresh(episode=episode)
        point = TimePoint.objects.get(episode=episode, rule__plan=trial.plan)
        answers = {item.id: (i + n) % 11 for n, item in enumerate(definition.items)}
        administration_submit(
            organisation=trial.organisation,
            service_user=person,
            measure=definition,
            answers=answers,
            mode=Administration.Mode.ASSISTED,
            submission_id=str(uuid.uuid4()),
            episode=episode,
            time_point=point,
        )


def test_the_manager_compares_tries_reviews_and_keeps_a_measure(
    page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    riverside = demo.objects["organisations"]["riverside"]
    service = Service.objects.filter(organisation=riverside).order_by("name").first()
    assert service is not None
    sign_in_as(page, MANAGER)

    page.goto(f"/o/{riverside.slug}/choosing/")
    page.get_by_role("heading", level=1, name="Choosing and trying measures").wait_for()
    page.get_by_label("Well-being").check()
    page.get_by_label("Carers").check()
    page.get_by_label("Service whose plan sets how often people answer").select_option(
        label=service.name
    )
    page.get_by_role("button", name="Compare measures").click()
    page.get_by_role(
        "heading", level=1, name="Measures for well-being, carers"
    ).wait_for()
    shot(page, "compare")
    body = page.inner_text("body")
    for name in ("WEMWBS", "SWEMWBS", "ONS4", "WHO-5"):
        assert page.get_by_role("heading", level=2, name=name, exact=True).count() == 1
    assert "Wording not shipped, reading level not computed" in body
    assert "Not verified" in body
    assert "Each person, each year" in body
    assert internal_ids_in(body, default_library()) == []
    check_page(page)

    page.get_by_role("link", name="Try ONS4 in a service").click()
    page.get_by_role("heading", level=1, name="Try a measure in a service").wait_for()
    page.get_by_label("Service to try it in").select_option(label=service.name)
    page.get_by_label("Once, at the start of support").check()
    ends = timezone.localdate() + dt.timedelta(days=90)
    page.get_by_label("End of the trial").fill(ends.strftime("%d/%m/%Y"))
    shot(page, "start a trial")
    page.get_by_role("button", name="Start the trial").click()
    page.get_by_role("heading", level=1, name="Trial of ONS4").wait_for()
    trial = MeasureTrial.objects.get(organisation=riverside, measure_id="ons4")
    assert trial.ends_on == ends
    assert trial.plan.is_pilot and trial.plan.service == service

    _seed_trial_answers(trial)
    assert set(
        Administration.objects.filter(time_point__rule__plan=trial.plan).values_list(
            "is_pilot", flat=True
        )
    ) == {True}
    page.reload()
    body = page.inner_text("body")
    assert "6 of 6 occasions answered so far" in body
    assert "comes from a single question" in body  # ONS4: four one-question scores
    shot(page, "review")
    check_page(page)

    page.get_by_label("Keep it: its answers count from now on").check()
    page.get_by_label("Why (optional)").fill("People found it quick")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("Decision recorded: Keep.").wait_for()
    shot(page, "kept")
    trial.refresh_from_db()
    trial.plan.refresh_from_db()
    assert trial.decision == MeasureTrial.Decision.KEEP
    assert not trial.plan.is_pilot and trial.plan.is_active

    # How a measure the organisation uses works on its own answers.
    page.get_by_role("link", name="Choosing and trying measures").click()
    page.get_by_role("link", name="How CORE-10 works on your answers").click()
    page.get_by_role(
        "heading", level=1, name="How CORE-10 works on your own answers"
    ).wait_for()
    stored = Administration.objects.filter(organisation=riverside, measure_id="core10")
    body = page.inner_text("body")
    assert "Cronbach's alpha" in body and "Question by question" in body
    complete = sum(1 for a in stored if None not in a.answers.values())
    assert f"{complete} answered every question" in body
    assert internal_ids_in(body, default_library()) == []
    shot(page, "psychometrics")
    check_page(page)
