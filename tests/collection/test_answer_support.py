"""Signposting: someone answering at home (a link) or on a handed-over screen whose
answers move the wrong way since last time (reliable deterioration or a worse band),
or who gives a risk answer, reads their organisation's support text (a default
naming NHS 111 and Samaritans 116 123 when none is set); the worker's alert is
raised as before."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openproms.accounts.selectors import DEFAULT_SUPPORT_TEXT
from openproms.catalogue.selectors import measure_definition
from openproms.collection import links
from openproms.collection.models import Administration, RiskAlert
from openproms.collection.services import administration_submit
from openproms.people.models import ServiceUser
from openproms.scoring import get_measure, moved_the_wrong_way
from tests.conftest import PASSWORD, Tenant, verified_client
from tests.route_objects.collection_answering import due_person

pytestmark = pytest.mark.django_db

KIOSK = "/o/alpha/answer/hand-over/"
SUPPORT_HEADING = "Support if you need it"
# PHQ-9 totals: 5 (mild), 12 (moderate: 7 more, a reliable deterioration at 6)
PHQ9_5 = {f"phq9_{n}": 0 for n in range(1, 10)} | {
    "phq9_1": 1, "phq9_2": 1, "phq9_3": 1, "phq9_4": 1, "phq9_5": 1,
    "phq9_difficulty": 1,
}  # fmt: skip
PHQ9_12 = PHQ9_5 | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 2, "phq9_4": 2, "phq9_6": 2}
PHQ9_RISK = PHQ9_5 | {"phq9_9": 1}
ONS4 = {
    "ons4_life_satisfaction": 7,
    "ons4_worthwhile": 7,
    "ons4_happiness": 7,
    "ons4_anxiety": 2,
}


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _answers(answers: dict) -> dict:
    data = {f"i_{k}": str(v) for k, v in answers.items()}
    data["submission_id"] = str(uuid.uuid4())
    return data


def _answered_before(
    tenant: Tenant, person: ServiceUser, measure_id: str, answers: dict
) -> None:
    administration_submit(
        organisation=tenant.organisation,
        service_user=person,
        measure=measure_definition(
            organisation=tenant.organisation, measure_id=measure_id
        ),
        answers=answers,
        mode=Administration.Mode.ASSISTED,
        submission_id=str(uuid.uuid4()),
        episode=person.episodes.first(),
        completed_at=timezone.now() - dt.timedelta(days=28),
    )


def _at_home(
    tenant: Tenant, measure_id: str, answers: dict, before: dict | None = None
) -> tuple[Client, str, str]:
    """Answer one measure with a self-completion link; (client, result, thanks)."""
    person, _, points = due_person(tenant, measures=(measure_id,))
    if before is not None:
        _answered_before(tenant, person, measure_id, before)
    made = links.link_create(
        organisation=tenant.organisation,
        service_user=person,
        time_points=points,
        actor=tenant.members["worker"].user,
    )
    client = Client()
    client.get(f"/s/{made.token}/")
    assert client.post("/s/answer/", _answers(answers))["Location"] == "/s/done/"
    result = client.get("/s/done/").content.decode()
    thanks = client.post("/s/done/", {"skip": "1"}).content.decode()
    return client, result, thanks


def test_a_reliable_deterioration_at_home_shows_the_default_support_text(
    tenant_a: Tenant,
) -> None:
    _, result, thanks = _at_home(tenant_a, "phq9", PHQ9_12, before=PHQ9_5)
    for page in (result, thanks):
        assert SUPPORT_HEADING in page
        assert "NHS 111" in page and "116 123" in page and "Samaritans" in page
    assert not RiskAlert.objects.exists()


def test_a_worse_band_at_home_shows_the_support_text(tenant_a: Tenant) -> None:
    # ONS4 anxiety 2 -> 4: "Low" to "Medium" (no reliable-change rule for ONS4).
    _, result, _ = _at_home(tenant_a, "ons4", ONS4 | {"ons4_anxiety": 4}, before=ONS4)
    assert SUPPORT_HEADING in result


def test_a_risk_answer_at_home_shows_the_support_text_and_alerts_the_worker(
    tenant_a: Tenant,
) -> None:
    _, result, thanks = _at_home(tenant_a, "phq9", PHQ9_RISK)
    assert SUPPORT_HEADING in result and SUPPORT_HEADING in thanks
    alert = RiskAlert.objects.get()
    assert alert.item_id == "phq9_9"
    assert alert.assigned_to == tenant_a.members["worker"].user


def test_the_organisations_own_support_text_replaces_the_default(
    tenant_a: Tenant,
) -> None:
    tenant_a.organisation.support_text = "Ring Alpha's duty line on 01632 960000."
    tenant_a.organisation.save()
    _, result, _ = _at_home(tenant_a, "phq9", PHQ9_RISK)
    assert "Ring Alpha&#x27;s duty line on 01632 960000." in result
    assert "Samaritans" not in result


@pytest.mark.parametrize(
    ("answers", "before"),
    [(PHQ9_5, PHQ9_5), (PHQ9_5, PHQ9_12), (PHQ9_5, None)],
    ids=["no change", "better", "first time"],
)
def test_no_move_the_wrong_way_and_no_risk_shows_no_support_text(
    tenant_a: Tenant, answers: dict, before: dict | None
) -> None:
    _, result, thanks = _at_home(tenant_a, "phq9", answers, before=before)
    assert SUPPORT_HEADING not in result and SUPPORT_HEADING not in thanks


def test_support_is_shown_even_where_results_are_not(tenant_a: Tenant) -> None:
    from openproms.collection.models import CollectionSettings

    CollectionSettings.objects.update_or_create(
        service=tenant_a.service, defaults={"show_results": False}
    )
    _, result, _ = _at_home(tenant_a, "phq9", PHQ9_RISK)
    assert "Your results" not in result and SUPPORT_HEADING in result


def _hand_over(tenant: Tenant, answers: dict, before: dict | None = None) -> Client:
    person, _, [point] = due_person(tenant, measures=("phq9",))
    if before is not None:
        _answered_before(tenant, person, "phq9", before)
    client = verified_client(tenant.members["worker"].user)
    start = reverse(
        "collection:kiosk_start", kwargs={"org_slug": "alpha", "person_pk": person.pk}
    )
    client.post(start, {"time_points": [str(point.pk)]})
    client.post(KIOSK, _answers(answers))
    return client


def test_a_risk_answer_on_a_handed_over_screen_shows_support_on_the_result_and_finish(
    tenant_a: Tenant,
) -> None:
    client = _hand_over(tenant_a, PHQ9_RISK)
    assert SUPPORT_HEADING in client.get(KIOSK).content.decode()
    client.post(KIOSK, {"skip": "1"})
    finished = client.get(KIOSK).content.decode()
    assert "hand the screen back" in finished and SUPPORT_HEADING in finished
    assert "116 123" in finished
    assert RiskAlert.objects.count() == 1
    unlock = reverse("collection:kiosk_exit", kwargs={"org_slug": "alpha"})
    assert client.post(unlock, {"password": PASSWORD}).status_code == 302


def test_a_deterioration_on_a_handed_over_screen_shows_support(
    tenant_a: Tenant,
) -> None:
    client = _hand_over(tenant_a, PHQ9_12, before=PHQ9_5)
    client.post(KIOSK, {"skip": "1"})
    assert SUPPORT_HEADING in client.get(KIOSK).content.decode()


def test_an_improvement_on_a_handed_over_screen_shows_no_support(
    tenant_a: Tenant,
) -> None:
    client = _hand_over(tenant_a, PHQ9_5, before=PHQ9_12)
    assert SUPPORT_HEADING not in client.get(KIOSK).content.decode()
    client.post(KIOSK, {"skip": "1"})
    assert SUPPORT_HEADING not in client.get(KIOSK).content.decode()


def test_the_default_support_text_names_nhs_111_and_samaritans() -> None:
    assert "NHS 111" in DEFAULT_SUPPORT_TEXT
    assert "Samaritans" in DEFAULT_SUPPORT_TEXT and "116 123" in DEFAULT_SUPPORT_TEXT


@pytest.mark.parametrize(
    ("measure_id", "scale_id", "before", "after", "worse"),
    [
        ("phq9", "total", 5, 11, True),  # reliable deterioration (6 or more)
        ("phq9", "total", 5, 10, True),  # mild to moderate band
        ("phq9", "total", 5, 9, False),  # same band, less than 6
        ("phq9", "total", 12, 5, False),  # better
        ("ons4", "anxiety", 2, 4, True),  # Low to Medium: higher anxiety is worse
        ("ons4", "happiness", 7, 6, True),  # High to Medium: higher is better
        ("ons4", "happiness", 6, 7, False),
        ("ucla3", "total", 3, 9, False),  # no bands, no reliable-change rule
    ],
)
def test_a_move_the_wrong_way_is_a_reliable_deterioration_or_a_worse_band(
    measure_id: str, scale_id: str, before: float, after: float, worse: bool
) -> None:
    definition = get_measure(measure_id)
    assert moved_the_wrong_way(definition, scale_id, before, after) is worse
