"""A manager designs the organisation's own 5-question measure (four questions on
one answer set, a fifth on a second set of its own, two questions reverse-scored,
two bands), previews it on screen and on paper, publishes it,
uses it in a service's plan; a worker then answers it once with a person, and the
stored score is the one the design says."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from openproms.accounts.models import Membership
from openproms.catalogue.models import BespokeMeasure, OrganisationMeasure
from openproms.collection.models import Administration, MeasurementPlan, PlanRule
from openproms.people.selectors import caseload_for
from openproms.scoring import default_library
from tests.browser.helpers import check_page
from tests.text_checks import internal_ids_in

pytestmark = pytest.mark.browser

ORG = "riverside"
MANAGER = "manager@riverside.example"
WORKER = "worker@riverside.example"
QUESTIONS = [
    "How often have you felt alone?",
    "How often have you felt left out?",
    "How often have you felt part of a group?",
    "How often have you felt cut off from others?",
]
WELCOME = "How much has the club helped you feel welcome?"
HOW_MUCH = ["Not at all", "A little", "Somewhat", "Quite a lot", "Very much"]


def test_a_manager_designs_publishes_and_uses_a_measure_a_worker_answers(
    page, new_page, demo, sign_in_as, shot
) -> None:  # type: ignore[no-untyped-def]
    sign_in_as(page, MANAGER)
    page.goto(f"/o/{ORG}/measures/")
    page.get_by_role("link", name=re.compile("^Your own measures")).click()
    page.get_by_role("link", name="Design a measure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Design a measure")

    page.get_by_label("Name", exact=True).fill("Connected at the club")
    page.get_by_label("Short name").fill("Connected")
    page.get_by_label("What it is for").fill("How connected people feel to others.")
    page.get_by_label("Time period (optional)").fill("the last 2 weeks")
    for n, text in enumerate(QUESTIONS, start=1):
        page.get_by_label(f"Wording of question {n}").fill(text)
    page.get_by_label(re.compile("^Reverse-scored")).nth(2).check()
    page.get_by_role("radio", name="A higher score is worse").check()
    # A second set of answers, for a fifth question of a different kind.
    page.get_by_role("button", name="Add another answer set").click()
    expect(page.get_by_label("Name of answer set 2")).to_be_visible()
    page.get_by_label("Name of answer set 2").fill("How much")
    for n in (3, 4, 5):  # each row is added on the server before the next
        page.get_by_role("button", name="Add an answer to set 2").click()
        expect(page.locator(f"#set-2-option-{n}-code")).to_be_visible()
    for n, label in enumerate(HOW_MUCH, start=1):
        page.locator(f"#set-2-option-{n}-code").fill(str(n - 1))
        page.locator(f"#set-2-option-{n}-label").fill(label)
    page.get_by_role("button", name="Add a question").click()
    page.get_by_label("Wording of question 5").fill(WELCOME)
    page.get_by_label("Answers to question 5").select_option(label="How much")
    page.get_by_label(re.compile("^Reverse-scored")).nth(4).check()
    expect(page.get_by_label("Wording of question 1")).to_have_value(QUESTIONS[0])
    shot(page, "a second answer set")
    # Rows are added on the server (htmx swaps the form); what was typed stays.
    page.get_by_role("button", name="Add a band").click()
    expect(page.locator("#band-1-label")).to_be_visible()
    page.get_by_role("button", name="Add a band").click()
    expect(page.locator("#band-2-label")).to_be_visible()
    expect(page.get_by_label("Wording of question 1")).to_have_value(QUESTIONS[0])
    # An overlapping band is refused, named, and nothing is saved.
    for n, (low, high, label) in enumerate(
        [("0", "6", "Connected"), ("6", "12", "Lonely")], start=1
    ):
        page.locator(f"#band-{n}-low").fill(low)
        page.locator(f"#band-{n}-high").fill(high)
        page.locator(f"#band-{n}-label").fill(label)
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Band 2 overlaps band 1: a score of 6")
    shot(page, "designer refuses overlapping bands")
    assert not BespokeMeasure.objects.filter(
        organisation__slug=ORG, definition__title="Connected at the club"
    ).exists()
    page.locator("#band-1-high").fill("5")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected at the club")
    shot(page, "draft saved")
    check_page(page)
    own = BespokeMeasure.objects.get(
        organisation__slug=ORG, definition__title="Connected at the club"
    )
    assert own.is_draft

    # Previews: the answering screen and the printed page.
    page.get_by_role("link", name="See it as the answering screen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected at the club")
    expect(page.get_by_text(QUESTIONS[2])).to_be_visible()
    expect(page.get_by_text(WELCOME)).to_be_visible()
    expect(page.get_by_text("Quite a lot")).to_be_visible()
    assert internal_ids_in(page.inner_text("body"), list(default_library())) == []
    shot(page, "screen preview")
    check_page(page, narrow=True)
    page.go_back()
    page.get_by_text("The printed form, first page").click()
    paper = page.locator("img.app-design-paper")
    expect(paper).to_be_visible()
    assert paper.evaluate("img => img.naturalWidth") > 500
    shot(page, "printed preview")

    # Publish, then use it and put it in a service's plan.
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("A published version never changes")).to_be_visible()
    expect(page.get_by_text("(answers: How much; reverse-scored)")).to_be_visible()
    shot(page, "published")
    own.refresh_from_db()
    assert not own.is_draft
    page.get_by_role("link", name=re.compile("^The measure's page")).click()
    expect(page.get_by_text("Not tested for reliability").first).to_be_visible()
    page.get_by_role("button", name="Use Connected").click()
    expect(page.get_by_text("Your organisation now uses Connected")).to_be_visible()
    assert OrganisationMeasure.objects.filter(
        organisation__slug=ORG, measure_id=own.measure_id, is_active=True
    ).exists()
    plan = MeasurementPlan.objects.filter(service__organisation__slug=ORG).first()
    assert plan is not None
    page.goto(f"/o/{ORG}/plans/{plan.pk}/")
    page.get_by_role("link", name="Add a measure").click()
    page.get_by_label("Measure").select_option(
        label="Connected at the club (version 1)"
    )
    page.get_by_label("At the start").check()
    page.get_by_role("button", name="Add to the plan").click()
    expect(page.get_by_role("cell", name=re.compile("^Connected"))).to_be_visible()
    shot(page, "in a service's plan")
    assert PlanRule.objects.filter(
        plan=plan, measure_id=own.measure_id, measure_version="1"
    ).exists()

    # A worker answers it once with a person on their caseload.
    worker_page = new_page()
    worker = sign_in_as(worker_page, WORKER)
    person = caseload_for(membership=Membership.objects.get(user=worker))[0]["person"]
    worker_page.goto(f"/o/{ORG}/answer/people/{person.pk}/")
    worker_page.get_by_role("link", name="Connected", exact=True).click()
    expect(worker_page.get_by_role("heading", level=1)).to_have_text(
        "Connected at the club"
    )
    for n, code in enumerate([3, 2, 0, 1, 3], start=1):
        worker_page.locator(f'[name="i_{own.measure_id}_{n}"][value="{code}"]').check()
    shot(worker_page, "worker answers the designed measure")
    worker_page.get_by_role("button", name="Save answers").click()
    expect(worker_page.get_by_text("Your score is 10")).to_be_visible()
    shot(worker_page, "result")
    stored = Administration.objects.filter(
        service_user=person, measure_id=own.measure_id
    ).get()
    assert stored.measure_version == "1"
    total = stored.results.get(scale_id="total")
    # 3 + 2 + (3 - 0: question 3 reversed) + 1 + (4 - 3: question 5 reversed on
    # its own 0-4 answers) = 10, in "Lonely" (6-12).
    assert total.value == 10 and total.band == "Lonely"
    assert stored.answers[f"{own.measure_id}_5"] == 3
