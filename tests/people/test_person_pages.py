"""Service users: the list and search, adding and editing, consent, the person page,
and the tenancy wall around all of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from openproms.audit.models import AuditEvent
from openproms.people.models import Consent, Episode, ServiceUser
from openproms.scoring import default_library
from tests.conftest import Tenant, verified_client
from tests.people import factories
from tests.text_checks import internal_ids_in, visible_text

pytestmark = pytest.mark.django_db

VALID_NHS = "9434765919"  # passes the modulus 11 check


def _url(name: str, tenant: Tenant, **kwargs: object) -> str:
    return reverse(
        f"people:{name}", kwargs={"org_slug": tenant.organisation.slug, **kwargs}
    )


def _person_post(**overrides: str) -> dict[str, str]:
    data = {
        "reference": "C-101",
        "given_name": "Sam",
        "family_name": "Jones",
        "dob_day": "15",
        "dob_month": "3",
        "dob_year": "1984",
        "nhs_number": "943 476 5919",
        "postcode": "sw1a1aa",
        "sex": "female",
        "gender_same_as_sex": "yes",
        "ethnicity": "white_british",
        "email": "sam@example.org",
        "phone": "01632 960001",
        "contact_preference": "email",
    }
    data.update(overrides)
    return data


def test_a_manager_adds_a_person_with_their_details_normalised(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(_url("person_create", tenant_a), _person_post())
    person = ServiceUser.objects.get(reference="C-101")
    assert response.status_code == 302
    assert response["Location"] == _url("person_detail", tenant_a, person_pk=person.pk)
    assert person.nhs_number == VALID_NHS
    assert person.postcode == "SW1A 1AA"
    assert person.date_of_birth == dt.date(1984, 3, 15)
    assert person.organisation == tenant_a.organisation
    event = AuditEvent.objects.get(action="person.create")
    assert "Sam" not in str(event.detail) and VALID_NHS not in str(event.detail)
    assert "nhs_number" in event.detail["fields"]


def test_the_form_renders_ethnic_groups_grouped_and_a_date_input(
    tenant_a: Tenant,
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    page = client.get(_url("person_create", tenant_a)).content.decode()
    assert '<optgroup label="Asian, Asian British or Asian Welsh">' in page
    assert 'name="dob_day"' in page and 'name="dob_year"' in page
    assert "nhsuk-date-input" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "943 476 5918"}, "This is not a valid NHS number"),
        ({"nhs_number": "12345"}, "NHS number must be 10 digits"),
        ({"dob_year": "2999"}, "Date of birth must be today or in the past"),
        ({"dob_month": "13"}, "Date of birth must be a real date"),
        ({"dob_month": ""}, "Date of birth must include a month"),
        ({"postcode": "NOT A CODE"}, "Enter a real postcode"),
        ({"reference": ""}, "Enter a reference for this person"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"ethnicity": "martian"}, "Choose an ethnic group from the list"),
    ],
)
def test_bad_details_are_refused_with_a_message_naming_the_field(
    tenant_a: Tenant, overrides: dict[str, str], message: str
) -> None:
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(_url("person_create", tenant_a), _person_post(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ServiceUser.objects.exists()


def test_a_reference_or_nhs_number_already_used_in_the_organisation_is_refused(
    tenant_a: Tenant,
) -> None:
    factories.person(tenant_a, "C-101")
    factories.person(tenant_a, "C-200", nhs_number=VALID_NHS)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("person_create", tenant_a), _person_post(reference="c-101")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "already has this reference" in page
    assert "already has this NHS number" in page
    assert ServiceUser.objects.count() == 2


def test_the_same_reference_may_be_used_by_another_organisation(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    factories.person(tenant_b, "C-101", nhs_number=VALID_NHS)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(_url("person_create", tenant_a), _person_post())
    assert response.status_code == 302
    assert ServiceUser.objects.filter(reference="C-101").count() == 2


def test_a_worker_adding_a_person_opens_their_episode_so_they_join_the_caseload(
    tenant_a: Tenant,
) -> None:
    worker = tenant_a.members["worker"].user
    client = verified_client(worker)
    data = _person_post() | {
        "episode-service": str(tenant_a.service.pk),
        "episode-start_day": "1",
        "episode-start_month": "2",
        "episode-start_year": "2025",
        "episode-key_worker": str(worker.pk),
    }
    response = client.post(_url("person_create", tenant_a), data)
    person = ServiceUser.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("person_detail", tenant_a, person_pk=person.pk)
    episode = person.episodes.get()
    assert episode.key_worker == worker and episode.start_date == dt.date(2025, 2, 1)


def test_editing_saves_changes_and_audits_only_the_field_names(
    tenant_a: Tenant,
) -> None:
    person = factories.person(tenant_a, "C-101", given_name="Sam")
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("person_edit", tenant_a, person_pk=person.pk),
        _person_post(given_name="Samira", version="1"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Samira" and person.version == 2
    event = AuditEvent.objects.get(action="person.update")
    assert "given_name" in event.detail["fields"]
    assert "Samira" not in str(event.detail)


def test_a_stale_edit_is_refused_with_409_and_changes_nothing(
    tenant_a: Tenant,
) -> None:
    person = factories.person(tenant_a, "C-101", given_name="Sam", version=3)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("person_edit", tenant_a, person_pk=person.pk),
        _person_post(given_name="Samira", version="2"),
    )
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    person.refresh_from_db()
    assert person.given_name == "Sam" and person.version == 3


def test_consent_decisions_are_recorded_with_history_and_the_latest_in_force(
    tenant_a: Tenant,
) -> None:
    person = factories.person(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("consent_create", tenant_a, person_pk=person.pk)
    for day, given in (("1", "yes"), ("9", "no")):
        response = client.post(
            url,
            {
                "kind": "share_with_gp",
                "given": given,
                "decided_day": day,
                "decided_month": "3",
                "decided_year": "2025",
                "note": "Asked at the first session",
            },
        )
        assert response.status_code == 302
    assert person.consents.count() == 2
    latest = person.consents.filter(kind=Consent.Kind.SHARE_WITH_GP).first()
    assert latest is not None and latest.given is False
    page = client.get(_url("person_detail", tenant_a, person_pk=person.pk))
    text = page.content.decode()
    assert "Did not agree</strong> on 9 March 2025" in text
    assert "History of consent decisions" in text
    assert "Asked at the first session" in text


def test_a_consent_decision_in_the_future_is_refused(tenant_a: Tenant) -> None:
    person = factories.person(tenant_a)
    client = verified_client(tenant_a.members["manager"].user)
    response = client.post(
        _url("consent_create", tenant_a, person_pk=person.pk),
        {
            "kind": "take_part",
            "given": "yes",
            "decided_day": "1",
            "decided_month": "1",
            "decided_year": "2999",
        },
    )
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_search_finds_by_reference_name_and_nhs_number(tenant_a: Tenant) -> None:
    factories.person(tenant_a, "C-1", given_name="Ada", family_name="Lovelace")
    factories.person(tenant_a, "C-2", given_name="Alan", nhs_number=VALID_NHS)
    factories.person(tenant_a, "X-9", given_name="Grace")
    client = verified_client(tenant_a.members["manager"].user)
    url = _url("person_list", tenant_a)

    def found(query: str) -> set[str]:
        page = client.get(url, {"q": query})
        return {p.reference for p in page.context["page"].object_list}

    assert found("lovelace") == {"C-1"}
    assert found("Ada Lovelace") == {"C-1"}
    assert found("943 476") == {"C-2"}
    assert found("c-") == {"C-1", "C-2"}
    assert found("") == {"C-1", "C-2", "X-9"}


def test_the_list_is_paginated(tenant_a: Tenant) -> None:
    for n in range(30):
        factories.person(tenant_a, f"P{n:02}")
    client = verified_client(tenant_a.members["manager"].user)
    first = client.get(_url("person_list", tenant_a))
    second = client.get(_url("person_list", tenant_a), {"page": "2"})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_a_worker_sees_only_their_caseload_in_lists_search_and_counts(
    tenant_a: Tenant,
) -> None:
    mine = factories.on_caseload(tenant_a, "MINE", given_name="Mina")
    other = factories.person(tenant_a, "THEIRS", given_name="Mina")
    factories.episode(tenant_a, other, key_worker=tenant_a.members["manager"].user)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("person_list", tenant_a), {"q": "Mina"})
    assert [p.pk for p in page.context["page"].object_list] == [mine.pk]
    assert "1 person found" in page.content.decode()
    assert "THEIRS" not in page.content.decode()
    for name in ("person_detail", "person_edit", "consent_create", "episode_open"):
        assert client.get(_url(name, tenant_a, person_pk=other.pk)).status_code == 404
        assert client.get(_url(name, tenant_a, person_pk=mine.pk)).status_code == 200


def test_another_organisations_person_is_404_everywhere_and_never_listed(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    theirs = factories.on_caseload(tenant_b, "B-1", given_name="Bea")
    client = verified_client(tenant_a.members["org_admin"].user)
    for name in ("person_detail", "person_edit", "consent_create", "episode_open"):
        assert client.get(_url(name, tenant_a, person_pk=theirs.pk)).status_code == 404
        response = client.post(
            _url(name, tenant_a, person_pk=theirs.pk), _person_post()
        )
        assert response.status_code == 404
    listing = client.get(_url("person_list", tenant_a), {"q": "Bea"})
    assert listing.context["page"].paginator.count == 0
    assert "B-1" not in listing.content.decode()
    theirs.refresh_from_db()
    assert theirs.reference == "B-1"


def test_the_person_page_shows_episodes_contacts_and_latest_scores(
    tenant_a: Tenant,
) -> None:
    person = factories.on_caseload(tenant_a, "R1", given_name="Robin")
    factories.phq9_answered(tenant_a, person)
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("person_detail", tenant_a, person_pk=person.pk))
    text = page.content.decode()
    assert page.status_code == 200
    assert tenant_a.service.name in text
    assert "Latest scores" in text and "PHQ-9" in text
    assert page.context["latest_scores"][0]["measure_id"] == "phq9"
    assert page.context["episodes"][0].status == Episode.Status.ACTIVE


def test_the_person_page_names_scores_by_their_display_labels(
    tenant_a: Tenant,
) -> None:
    """Scores read as the definitions name them: no scale ids (``clinical: 14.0``,
    ``life_satisfaction 6.0``, ``daily_living 4.0``), no 14.0 for 14."""
    person = factories.on_caseload(tenant_a, "R1", given_name="Robin")
    factories.answered(
        tenant_a, person, "core10", {f"core10_{n}": 1 for n in range(1, 11)} | {
            "core10_1": 4, "core10_2": 4, "core10_3": 2,
        },
    )  # fmt: skip
    factories.answered(
        tenant_a, person, "ons4", {
            "ons4_life_satisfaction": 6, "ons4_worthwhile": 7,
            "ons4_happiness": 6, "ons4_anxiety": 3,
        },
    )  # fmt: skip
    ladder = "openproms_life_ladder"
    factories.answered(
        tenant_a, person, ladder,
        {f"{ladder}_{d}": 4 for d in (
            "home", "money", "health", "mood", "relationships", "daily_living",
            "confidence",
        )},
    )  # fmt: skip
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("person_detail", tenant_a, person_pk=person.pk))
    text = visible_text(page.content)
    assert internal_ids_in(text, default_library()) == []
    latest = text[text.index("Latest scores") :]
    assert "CORE-10 on " in latest and ": 13 (Mild)" in latest
    assert "Life satisfaction 6 (Medium); Worthwhile 7 (High)" in latest
    assert "Day-to-day living 4" in latest
    answered = text[text.index("Answered measures") :]
    assert "Anxiety: 3 (Low)" in answered
    assert "Overall (mean of domains): 4" in answered
    assert "13.0" not in text and "6.0" not in text


def test_the_person_page_shows_each_time_point_in_its_state_today(
    tenant_a: Tenant,
) -> None:
    # Before: every pending time point said "Due", even one whose window opens
    # in three months; declined showed as "Missed: declined".
    from django.utils import timezone

    from openproms.collection.models import MeasurementPlan, PlanRule, TimePoint

    today = timezone.localdate()
    who = factories.on_caseload(tenant_a, "T1")
    episode = who.episodes.get()
    plan = MeasurementPlan.objects.create(
        organisation=tenant_a.organisation, service=tenant_a.service, name="Plan"
    )
    rule = PlanRule.objects.create(
        plan=plan, measure_id="phq9", measure_version="1", kind="one_off"
    )

    def point(n: int, due: dt.date, **fields: object) -> TimePoint:
        return TimePoint.objects.create(
            organisation=tenant_a.organisation,
            episode=episode,
            rule=rule,
            sequence=n,
            label=f"Week {n}",
            measure_id="phq9",
            measure_version="1",
            due_date=due,
            window_start=due - dt.timedelta(days=7),
            window_end=due + dt.timedelta(days=7),
            **fields,
        )

    point(60, today + dt.timedelta(days=91))
    point(12, today + dt.timedelta(days=10))
    point(8, today + dt.timedelta(days=2))
    point(6, today - dt.timedelta(days=2))
    point(2, today - dt.timedelta(days=30))
    point(4, today - dt.timedelta(days=20), status="missed", missed_reason="declined")
    client = verified_client(tenant_a.members["worker"].user)
    page = client.get(_url("person_detail", tenant_a, person_pk=who.pk))
    shown = {t.label: (t.state_tag, t.state_label) for t in page.context["time_points"]}
    assert shown == {
        "Week 60": ("not_yet_due", "Not due yet"),
        "Week 12": ("due_soon", "Due soon"),
        "Week 8": ("due_now", "Due now"),
        "Week 6": ("overdue", "Overdue"),
        "Week 2": ("missed", "Missed"),
        "Week 4": ("declined", "Declined"),
    }
    text = page.content.decode()
    assert 'data-state="not_yet_due">Not due yet' in text
    assert "Missed: declined" not in text


def test_an_answer_with_no_score_does_not_hide_the_last_score(tenant_a: Tenant) -> None:
    # Before: "Latest scores" showed the newest answer even with no score
    # ("UCLA-3 on …: no score"), hiding the score from the time before.
    person = factories.on_caseload(tenant_a, "U1", given_name="Uma")
    from django.utils import timezone

    now = timezone.now()
    factories.answered(
        tenant_a,
        person,
        "ucla3",
        {"ucla3_1": 2, "ucla3_2": 2, "ucla3_3": 1},
        when=now - dt.timedelta(days=30),
    )
    factories.answered(
        tenant_a,
        person,
        "ucla3",
        {"ucla3_1": None, "ucla3_2": None, "ucla3_3": None},
        when=now,
    )
    client = verified_client(tenant_a.members["worker"].user)
    text = visible_text(
        client.get(_url("person_detail", tenant_a, person_pk=person.pk)).content
    )
    latest = text[text.index("Latest scores") : text.index("Answered measures")]
    assert "5" in latest and "no score" not in latest
