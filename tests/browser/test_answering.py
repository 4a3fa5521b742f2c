"""The four ways of answering, end to end by keyboard alone, each page checked with
axe: with a worker on screen, hand-over (kiosk) one question per screen and unlock
by password, a self-completion link on a 320 px phone, and fast entry of paper
forms with double entry and its differences resolved."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from openproms.collection import links
from openproms.collection.models import (
    AcceptabilityResponse,
    Administration,
    CollectionSettings,
    PaperEntry,
)
from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    check_page,
    sign_in_verified,
)
from tests.conftest import PASSWORD
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.browser

PHQ9_KEYS = "1111111101"  # nine items and the difficulty question


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_answering_with_a_worker_by_keyboard(page, tenant_a, live_server):
    _, _, [point] = due_person(tenant_a)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/time-points/{point.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("PHQ-9")
    check_page(page, narrow=True)
    tab_to(page, "input[type=radio]")
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/results/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    expect(page.get_by_text("Your score is 8")).to_be_visible()
    check_page(page, narrow=True)
    tab_to(page, "input[name=rating]")
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # to "Easy" (4)
    tab_to(page, "button[name=send]")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/results/" not in url)
    expect(page.get_by_role("status")).to_contain_text("The answers are saved")
    administration = Administration.objects.get()
    assert administration.mode == "assisted"
    assert administration.answers["phq9_9"] == 0
    assert AcceptabilityResponse.objects.get().rating == 4


def test_blank_questions_are_warned_about_on_the_worker_form(
    page, tenant_a, live_server
):
    _, _, [point] = due_person(tenant_a)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/time-points/{point.pk}/")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    # Nothing answered: nothing to save, and no tick box offers to.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "None of the questions is answered, so there is nothing to save."
    )
    expect(
        page.get_by_label("Save with the blank questions left unanswered")
    ).to_have_count(0)
    # One answered: the rest are named, and the tick box is offered.
    page.locator("input[name=i_phq9_1][value='1']").check()
    page.get_by_role("button", name="Save answers").click()
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("are not answered")
    expect(
        page.get_by_label("Save with the blank questions left unanswered")
    ).to_be_visible()
    check_page(page)
    assert not Administration.objects.exists()


def test_hand_over_one_question_per_screen_and_unlock(page, tenant_a, live_server):
    person, _, _ = due_person(tenant_a)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/hand-over/people/{person.pk}/")
    check_page(page, narrow=True)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/answer/hand-over/")
    expect(page.locator(".nhsuk-header__navigation")).to_have_count(0)
    progress = page.locator(".app-progress")
    expect(progress).to_have_text("Question 1 of 10")
    check_page(page)
    for key in PHQ9_KEYS[:3]:
        page.keyboard.press(key)
        page.keyboard.press("Enter")
    expect(progress).to_have_text("Question 4 of 10")
    page.keyboard.press("Backspace")
    expect(progress).to_have_text("Question 3 of 10")
    expect(page.locator("input[name=i_phq9_3][value='1']")).to_be_checked()
    page.keyboard.press("Enter")
    for key in PHQ9_KEYS[3:]:
        page.keyboard.press(key)
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your results")
    check_page(page, narrow=True)
    # Any other page leads back to the kiosk.
    page.goto("/o/alpha/members/")
    expect(page).to_have_url(f"{live_server.url}/o/alpha/answer/hand-over/")
    tab_to(page, "button[name=skip]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check_page(page)
    tab_to(page, "a.nhsuk-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hand-over/unlock/")
    check_page(page, narrow=True)
    tab_to(page, "input[type=password]")
    page.keyboard.type("not my password")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("not right")
    check_page(page)
    tab_to(page, "input[type=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "hand-over" not in url)
    assert Administration.objects.get().mode == "kiosk"
    page.goto("/o/alpha/")
    expect(page).to_have_url(f"{live_server.url}/o/alpha/")


def test_a_self_completion_link_on_a_narrow_phone(page, tenant_a, live_server):
    person, _, points = due_person(tenant_a)
    made = links.link_create(
        organisation=tenant_a.organisation,
        service_user=person,
        time_points=points,
        actor=tenant_a.members["worker"].user,
    )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/s/")
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False)
    tab_to(page, "input[name=code]")
    page.keyboard.type(made.grouped_code.lower())
    page.keyboard.press("Enter")
    page.wait_for_url("**/s/answer/")
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False)
    tab_to(page, "input[type=radio]")
    for key in PHQ9_KEYS:
        page.keyboard.press(key)
        page.keyboard.press("Tab")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/s/done/")
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False)
    tab_to(page, "button[name=skip]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    administration = Administration.objects.get()
    assert administration.mode == "self" and administration.collected_by is None
    page.goto(f"/s/{made.token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False)


def test_a_worker_makes_a_link_to_print(page, tenant_a, live_server):
    person, _, _ = due_person(tenant_a)
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/people/{person.pk}/")
    check_page(page, narrow=True)
    page.goto(f"/o/alpha/answer/links/people/{person.pk}/")
    check_page(page, narrow=True)
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link made")
    expect(page.get_by_role("img", name="QR code that opens the link")).to_be_visible()
    check_page(page)
    assert_no_horizontal_scroll(page, reload=False, axe=True)


def _type_form(
    page: Page, query: str, keys: str, then: str = "**/answer/paper/"
) -> None:
    page.goto("/o/alpha/answer/paper/")
    expect(page.locator("#id_q")).to_be_focused()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/answer/paper/?q={query}")
    expect(page.get_by_role("heading", level=2).first).to_contain_text(query)
    check_page(page)
    tab_to(page, "a[href*='/paper/time-points/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/paper/time-points/**")
    first = page.locator("[data-paper-item]").first
    expect(first).to_be_focused()
    check_page(page, narrow=True)
    page.keyboard.type(keys)  # the last key saves
    page.wait_for_url(then)


def test_fast_paper_entry_with_double_entry_resolved(new_page, tenant_a, live_server):
    CollectionSettings.objects.create(service=tenant_a.service, double_entry=True)
    due_person(tenant_a, reference="PAPER-1")
    first = new_page()
    sign_in_verified(first, tenant_a.members["data_officer"].user, live_server.url)
    _type_form(first, "PAPER-1", "12-1111101")
    expect(first.locator("#id_q")).to_be_focused()
    expect(first.get_by_role("status")).to_contain_text("First entry")
    assert PaperEntry.objects.get().status == "awaiting_second"

    second = new_page()
    sign_in_verified(second, tenant_a.members["manager"].user, live_server.url)
    _type_form(second, "PAPER-1", "1201111101", then="**/resolve/")
    expect(second.get_by_role("heading", level=1)).to_have_text(
        "The two entries differ"
    )
    expect(second.get_by_role("group")).to_have_count(1)
    check_page(second, narrow=True)
    tab_to(second, "input[name=pick_phq9_3]")
    second.keyboard.press("ArrowDown")  # the second entry's value: 0
    expect(second.get_by_label("Second entry: 0 (Not at all)")).to_be_checked()
    tab_to(second, "button[type=submit]")
    second.keyboard.press("Enter")
    second.wait_for_url("**/answer/paper/?saved=*")
    administration = Administration.objects.get()
    expect(second.get_by_role("alert")).to_contain_text(
        "Saved PHQ-9 for Sam Person (PAPER-1)"
    )
    expect(second.locator("#id_q")).to_be_focused()  # on to the next form
    assert administration.answers["phq9_3"] == 0
    assert administration.mode == "paper_entry"
    assert PaperEntry.objects.get().status == "saved"


def test_fast_paper_entry_backspace_and_multi_digit(page, tenant_a, live_server):
    due_person(tenant_a, reference="PAPER-2")
    sign_in_verified(page, tenant_a.members["data_officer"].user, live_server.url)
    page.goto("/o/alpha/answer/paper/?q=PAPER-2")
    check_page(page, narrow=True)
    tab_to(page, "a[href*='/paper/time-points/']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/paper/time-points/**")
    expect(page.locator("[data-paper-item]").first).to_be_focused()
    page.keyboard.type("9")  # not an answer: said beside the box, nothing typed
    expect(page.get_by_role("status")).to_have_text(
        "9 is not an answer to question 1: press 0, 1, 2, 3, or - if it was left blank."
    )
    expect(page.locator("[data-paper-item]").first).to_have_value("")
    expect(page.locator("[data-paper-item]").first).to_be_focused()
    page.keyboard.type("33")
    page.keyboard.press("Backspace")
    expect(page.locator("[data-paper-item]").nth(1)).to_be_focused()
    page.keyboard.type("0")
    expect(page.locator("[data-paper-item]").nth(1)).to_have_value("0")
    page.keyboard.type("00000000")
    page.wait_for_url("**/answer/paper/?saved=*")
    expect(page.get_by_role("alert")).to_contain_text("Saved PHQ-9 for")
    expect(page.get_by_role("link", name="Correct these answers")).to_be_visible()
    check_page(page, narrow=True)
    administration = Administration.objects.get()
    assert (
        administration.answers["phq9_1"] == 3 and administration.answers["phq9_2"] == 0
    )
    assert administration.mode == "paper_entry"


def test_the_other_answering_pages_pass_axe(page, tenant_a, live_server):
    import uuid

    from openproms.catalogue.selectors import measure_definition
    from openproms.collection.services import administration_submit
    from tests.route_objects.collection_answering import ANSWERS

    person, _, [point] = due_person(tenant_a)
    administration = administration_submit(
        organisation=tenant_a.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant_a.organisation, measure_id="phq9"
        ),
        answers=ANSWERS,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        time_point=point,
    ).administration
    sign_in_verified(page, tenant_a.members["manager"].user, live_server.url)
    for url, heading in [
        (f"/o/alpha/answer/results/{administration.pk}/correct/", "Correct PHQ-9"),
        (f"/o/alpha/answer/time-points/{point.pk}/", "Already answered"),
        (f"/o/alpha/answer/people/{person.pk}/eq5d5l/", "cannot be shown"),
        (
            f"/o/alpha/answer/settings/services/{tenant_a.service.pk}/",
            "How this service",
        ),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        check_page(page, narrow=True)
    page.goto(f"/o/alpha/answer/results/{administration.pk}/correct/")
    tab_to(page, "input[name=reason]")
    page.keyboard.type("Typed wrongly")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/results/{administration.pk}/")
    administration.refresh_from_db()
    assert administration.version == 2


def test_two_digit_answers_by_keyboard_in_hand_over(page, tenant_a, live_server):
    person, _, _ = due_person(tenant_a, measures=("ons4",))
    sign_in_verified(page, tenant_a.members["worker"].user, live_server.url)
    page.goto(f"/o/alpha/answer/hand-over/people/{person.pk}/")
    tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/answer/hand-over/")
    expect(page.locator(".app-progress")).to_have_text("Question 1 of 4")
    page.keyboard.press("1")
    page.keyboard.press("0")
    expect(
        page.locator("input[name=i_ons4_life_satisfaction][value='10']")
    ).to_be_checked()
    page.keyboard.press("Enter")
    page.keyboard.press("7")
    expect(page.locator("input[name=i_ons4_worthwhile][value='7']")).to_be_checked()
    check_page(page)
